"""Who may do what with decisions and orders. Visibility is the selectors' job; these checks
decide actions on objects the user can already reach."""

from __future__ import annotations

from bestallning.choices import DecisionOutcome
from bestallning.models import Decision, NeedChangeReport, Order
from bestallning.selectors import decision_is_correctable
from ramtid.choices import Role
from ramtid.models import Client, User
from ramtid.permissions import ordering_unit_ids, provider_ids


def can_create_decision(user: User, client: Client) -> bool:
    return client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_correct_decision(user: User, decision: Decision) -> bool:
    """The unit's officers correct a decision while no order on it has been sent."""
    return can_create_decision(user, decision.client) and decision_is_correctable(decision)


def can_withdraw_decision(user: User, decision: Decision) -> bool:
    return can_create_decision(user, decision.client) and not decision.is_withdrawn


def can_review_decision(user: User, decision: Decision) -> bool:
    """Decisions above the delegation go to the unit manager of the client's unit."""
    return decision.client.ordering_unit_id in ordering_unit_ids(user, {Role.UNIT_MANAGER})


def can_create_order(user: User, decision: Decision) -> bool:
    """An order is built on a decision that grants something and stands, by an officer of the
    unit."""
    return (
        decision.outcome != DecisionOutcome.REFUSED
        and not decision.is_withdrawn
        and decision.client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})
    )


def can_order(user: User, order: Order) -> bool:
    """The officers of the client's unit build, send, change and end orders."""
    return order.client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_edit_order(user: User, order: Order) -> bool:
    return order.state.editable and can_order(user, order)


def is_orders_provider(user: User, order: Order) -> bool:
    return order.provider_id in provider_ids(user)


def can_view_personal_number(user: User, order: Order) -> bool:
    """The order page shows the full personal number to the ordering unit and to the provider,
    who needs it to identify the person (004 Bilaga 4); lists mask it."""
    return order.client.ordering_unit_id in ordering_unit_ids(user) or is_orders_provider(
        user, order
    )


def is_orders_coordinator(user: User, order: Order) -> bool:
    """The provider's coordinators acknowledge its orders and record the day the help started,
    whatever state the order is in now (the views tell an action already done from a 403)."""
    return order.provider_id in provider_ids(user, {Role.PROVIDER_COORDINATOR})


def can_receive_order(user: User, order: Order) -> bool:
    return order.state.receivable and is_orders_coordinator(user, order)


def can_execute_order(user: User, order: Order) -> bool:
    return order.state.executable and is_orders_coordinator(user, order)


def can_report_need_change(user: User, order: Order) -> bool:
    return order.state.need_change_reportable and is_orders_provider(user, order)


def can_answer_need_change(user: User, report: NeedChangeReport) -> bool:
    return report.is_open and can_order(user, report.order)
