"""Who may do what with plans. Visibility is the selectors' job (plans_visible_to)."""

from __future__ import annotations

from bestallning.models import Order
from genomforandeplan import selectors
from genomforandeplan.models import ImplementationPlan
from ramtid.choices import Role
from ramtid.models import User
from ramtid.permissions import ordering_unit_ids, provider_ids


def can_assign_contact(user: User, order: Order) -> bool:
    return order.provider_id in provider_ids(user, {Role.PROVIDER_COORDINATOR})


def can_write_plan_of(user: User, row: ImplementationPlan | Order) -> bool:
    """Who writes, completes and follows up the plan of a plan's or an order's client at its
    provider: the provider's coordinators every plan of the provider; a contact person only
    the plans of the clients she is the named contact person or deputy for (004 §3.2.3; issue
    10: not every plan of her provider). The same rule decides which plans she reads
    (selectors.plans_visible_to), so a plan she may not write is one she cannot find (404)."""
    every_plan, own_clients = selectors.plan_writer_provider_ids(user)
    if row.provider_id in every_plan:
        return True
    return row.provider_id in own_clients and user.pk in selectors.named_contact_ids(row)


def can_write_plan(user: User, plan: ImplementationPlan) -> bool:
    return can_write_plan_of(user, plan)


def can_start_plan(user: User, order: Order) -> bool:
    """Starting the plan from an order is writing the plan of the order's client."""
    return can_write_plan_of(user, order)


def works_for_plans_provider(user: User, provider_id: int) -> bool:
    """The user is staff of the provider (a reminder's link leads her to the plan's page, where
    can_write_plan decides what she may do)."""
    return provider_id in provider_ids(user)


def can_review_plan(user: User, plan: ImplementationPlan) -> bool:
    return plan.state.can_review and plan.client.ordering_unit_id in ordering_unit_ids(
        user, {Role.CASE_OFFICER}
    )
