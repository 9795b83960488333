"""Who may do what with plans. Visibility is the selectors' job (plans_visible_to)."""

from __future__ import annotations

from bestallning.models import Order
from genomforandeplan.models import ImplementationPlan
from ramtid.choices import Role
from ramtid.models import User
from ramtid.permissions import ordering_unit_ids, provider_ids


def can_assign_contact(user: User, order: Order) -> bool:
    return order.provider_id in provider_ids(user, {Role.PROVIDER_COORDINATOR})


def can_write_plan(user: User, provider_id: int) -> bool:
    """The provider's contact persons and coordinators write and follow up plans."""
    return provider_id in provider_ids(user)


def can_review_plan(user: User, plan: ImplementationPlan) -> bool:
    return plan.state.can_review and plan.client.ordering_unit_id in ordering_unit_ids(
        user, {Role.CASE_OFFICER}
    )
