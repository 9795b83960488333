"""Who may do what with decisions and orders. Visibility is the selectors' job; these checks
decide actions on objects the user can already reach."""

from __future__ import annotations

from bestallning.choices import DecisionOutcome, OrderStatus
from bestallning.models import Decision, NeedChangeReport, Order
from ramtid.choices import Role
from ramtid.models import Client, User
from ramtid.permissions import ordering_unit_ids, provider_ids


def can_create_decision(user: User, client: Client) -> bool:
    return client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_review_decision(user: User, decision: Decision) -> bool:
    """Decisions above the delegation go to the unit manager of the client's unit."""
    return decision.client.ordering_unit_id in ordering_unit_ids(user, {Role.UNIT_MANAGER})


def can_create_order(user: User, decision: Decision) -> bool:
    """An order is built on a decision that grants something, by an officer of the unit."""
    return decision.outcome != DecisionOutcome.REFUSED and (
        decision.client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})
    )


def can_order(user: User, order: Order) -> bool:
    """The officers of the client's unit build, send, change and end orders."""
    return order.client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_edit_order(user: User, order: Order) -> bool:
    return order.status == OrderStatus.DRAFT and can_order(user, order)


def is_orders_provider(user: User, order: Order) -> bool:
    return order.provider_id in provider_ids(user)


def can_view_personal_number(user: User, order: Order) -> bool:
    """The order page shows the full personal number to the ordering unit and to the provider,
    who needs it to identify the person (004 Bilaga 4); lists mask it."""
    return order.client.ordering_unit_id in ordering_unit_ids(user) or is_orders_provider(
        user, order
    )


def can_receive_order(user: User, order: Order) -> bool:
    return order.status == OrderStatus.SENT and order.provider_id in provider_ids(
        user, {Role.PROVIDER_COORDINATOR}
    )


def can_execute_order(user: User, order: Order) -> bool:
    return order.status in (OrderStatus.SENT, OrderStatus.RECEIVED) and (
        order.provider_id in provider_ids(user, {Role.PROVIDER_COORDINATOR})
    )


def can_report_need_change(user: User, order: Order) -> bool:
    return order.status in (
        OrderStatus.SENT,
        OrderStatus.RECEIVED,
        OrderStatus.EXECUTED,
    ) and is_orders_provider(user, order)


def can_answer_need_change(user: User, report: NeedChangeReport) -> bool:
    return report.is_open and can_order(user, report.order)
