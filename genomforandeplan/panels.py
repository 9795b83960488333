"""What plans add to the core's pages (settings: RAMTID_CLIENT_PANELS, RAMTID_START_PANELS).
Each returns "" when it has nothing for the user.

The start page answers "who owes what?" (JOURNEYS.md): the coordinator's clients without a
contact person, plans due, late or returned, and follow-ups due; the officer's plans to review
and missing plans. Every list is a fixed number of queries, however long it is.
"""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.selectors import orders_visible_to
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import permissions, selectors
from ramtid import permissions as core_permissions
from ramtid.audit import log_access
from ramtid.choices import AccessAction, Role

FOLLOW_UP_HORIZON_DAYS = 30  # a follow-up shows on the worklist this long before it is due


def _executed_orders(queryset):
    return queryset.filter(status__in=ACTIVE_STATUSES, executed_on__isnull=False).select_related(
        "contact_assignment__contact_person", "contact_assignment__deputy"
    )


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
    plans = list(selectors.with_worklist_facts(selectors.plans_visible_to(user).filter(
        client=client)))  # fmt: skip
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
        order.contact_late = (
            order.assignment is None and order.contact_due is not None and order.contact_due < today
        )
        order.can_assign = permissions.can_assign_contact(user, order)
        order.can_start = order.plan is None and permissions.can_write_plan(user, order.provider_id)
    return render_to_string(
        "genomforandeplan/_client_panel.html",
        {
            "client": client,
            "orders": orders,
            "other_plans": [plan for plan in plans if plan.pk not in shown],
        },
        request=request,
    )


def provider_worklist(request) -> str:
    """Clients without a contact person; plans due, late, returned or to revise; follow-ups due."""
    user = request.user
    provider_ids = core_permissions.provider_ids(user)
    if not provider_ids:
        return ""
    today = timezone.localdate()
    without_contact = []
    if core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR}):
        without_contact = list(selectors.orders_without_contact_person(user))
        for order in without_contact:
            order.contact_due = selectors.contact_person_due(order)
            order.contact_late = order.contact_due is not None and order.contact_due < today
            order.can_assign = permissions.can_assign_contact(user, order)
    orders = list(_executed_orders(orders_visible_to(user).filter(provider_id__in=provider_ids)))
    plans = list(
        selectors.with_worklist_facts(
            selectors.plans_visible_to(user).filter(provider_id__in=provider_ids)
        )
    )
    by_provider = _plans_by_client_and_provider(plans)
    deadlines = selectors.order_plan_deadlines(orders, today)
    to_write = []
    for order in orders:
        plan = by_provider.get((order.client_id, order.provider_id))
        order.plan, order.deadline = plan, deadlines.get(order.pk)
        order.assignment = getattr(order, "contact_assignment", None)
        order.returned = plan is not None and plan.state.returned
        order.to_revise = plan is not None and plan.needs_revision
        never_ready = plan is None or plan.latest_number is None
        if never_ready or order.returned or order.to_revise:
            to_write.append(order)
    to_write.sort(key=lambda o: (not o.returned, o.deadline.due if o.deadline else today))
    horizon = today + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
    follow_ups = []
    for plan in plans:
        plan.follow_up_due = selectors.follow_up_due_of(plan)
        if plan.follow_up_due is not None and plan.follow_up_due <= horizon:
            plan.follow_up_late = plan.follow_up_due < today
            follow_ups.append(plan)
    follow_ups.sort(key=lambda p: p.follow_up_due)
    clients = [o.client for o in without_contact + to_write] + [p.client for p in follow_ups]
    _log_listed(request, clients, _("Kontaktmän och genomförandeplaner"))
    return render_to_string(
        "genomforandeplan/_provider_worklist.html",
        {
            "without_contact": without_contact,
            "to_write": to_write,
            "follow_ups": follow_ups,
            "several_providers": len(provider_ids) > 1,
        },
        request=request,
    )


def officer_worklist(request) -> str:
    """Plans to review, and the unit's executed orders whose plan is missing."""
    user = request.user
    units = core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
    if not units:
        return ""
    today = timezone.localdate()
    to_review = list(
        selectors.with_worklist_facts(selectors.plans_to_review(user)).select_related(
            "order__client__municipality"
        )
    )
    review_deadlines = selectors.order_plan_deadlines([p.order for p in to_review], today)
    for plan in to_review:
        plan.deadline = review_deadlines.get(plan.order_id)
    unit_orders = orders_visible_to(user).filter(client__ordering_unit_id__in=units)
    orders = list(_executed_orders(unit_orders))
    deadlines = selectors.order_plan_deadlines(orders, today)
    missing = []
    for order in orders:
        order.deadline = deadlines.get(order.pk)
        if order.deadline and order.deadline.missing:
            missing.append(order)
    missing.sort(key=lambda o: o.deadline.due)
    _log_listed(
        request,
        [p.client for p in to_review] + [o.client for o in missing],
        _("Genomförandeplaner att granska och saknade planer"),
    )
    return render_to_string(
        "genomforandeplan/_officer_worklist.html",
        {"to_review": to_review, "missing": missing},
        request=request,
    )


def _log_listed(request, clients: list, what: str) -> None:
    unique = list({client.pk: client for client in clients}.values())
    if unique:
        log_access(
            user=request.user, clients=unique, action=AccessAction.LIST, what=what,
            request=request,
        )  # fmt: skip


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
