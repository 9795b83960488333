"""What plans add to the core's client page and the order page (settings: RAMTID_CLIENT_PANELS,
RAMTID_ORDER_PANELS). Each returns "" when it has nothing for the user. The start page's lists
are worklists (genomforandeplan/worklists.py).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from bestallning.selectors import orders_visible_to
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import permissions, selectors


def _plans_by_client_and_provider(plans) -> dict[tuple[int, int], object]:
    return {(plan.client_id, plan.provider_id): plan for plan in plans}


def client_panel(request, client) -> str:
    """The client page: for each current order, the contact person, the plan and its deadline."""
    user = request.user
    orders = list(
        orders_visible_to(user)
        .filter(client=client, status__in=ACTIVE_STATUSES)
        .select_related("contact_assignment__contact_person", "contact_assignment__deputy")
        .order_by("-valid_from")
    )
    plans = list(
        selectors.with_worklist_facts(selectors.plans_visible_to(user).filter(client=client))
    )
    if not (orders or plans):
        return ""
    today = timezone.localdate()
    deadlines = selectors.order_plan_deadlines(orders, today)
    by_provider = _plans_by_client_and_provider(plans)
    shown = set()
    for order in orders:
        order.deadline = deadlines.get(order.pk)
        order.plan = by_provider.get((order.client_id, order.provider_id))
        shown.add(order.plan.pk if order.plan else None)
        order.assignment = getattr(order, "contact_assignment", None)
        order.contact_due = selectors.contact_person_due(order)
        order.contact_late = order.assignment is None and order.contact_due < today
        order.can_assign = permissions.can_assign_contact(user, order)
        order.can_start = order.plan is None and permissions.can_start_plan(user, order)
    return render_to_string(
        "genomforandeplan/_client_panel.html",
        {
            "client": client,
            "orders": orders,
            "other_plans": [plan for plan in plans if plan.pk not in shown],
        },
        request=request,
    )


def order_panel(request, order) -> str:
    """The order page: whether the plan for this order was ready in time (004 §3.2.4), and the
    client's contact person and deputy."""
    deadline = selectors.order_plan_deadline(order)
    assignment = getattr(order, "contact_assignment", None)
    if deadline is None and assignment is None:
        return ""
    return render_to_string(
        "genomforandeplan/_order_panel.html",
        {
            "order": order,
            "deadline": deadline,
            "assignment": assignment,
        },
        request=request,
    )
