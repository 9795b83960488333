"""What decisions and orders add to the core's pages (settings: RAMTID_CLIENT_PANELS and
RAMTID_START_PANELS, ramtid/panels.py). Each returns "" when it has nothing for the user.

The start page answers "what must I do today?" (JOURNEYS.md): the unit manager's decisions to
approve, the officer's worklist, the provider's inbox of new and changed orders. Every list is
a fixed number of queries, however long it is.
"""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from bestallning import ordered_time, permissions, selectors, states
from bestallning.forms import OrderExecuteForm
from ramtid import permissions as core_permissions
from ramtid.audit import log_access
from ramtid.choices import AccessAction, Role
from ramtid.formatting import hhmm


def client_panel(request, client) -> str:
    """The client page's decisions and orders, newest first, with what the user may do."""
    user = request.user
    decisions = list(selectors.decisions_visible_to(user).filter(client=client))
    orders = list(selectors.orders_visible_to(user).filter(client=client))
    can_create_decision = permissions.can_create_decision(user, client)
    if not (decisions or orders or can_create_decision):
        return ""
    for decision in decisions:
        decision.hours_hhmm = hhmm(ordered_time.frame_minutes(decision))
        decision.can_create_order = permissions.can_create_order(user, decision)
    return render_to_string(
        "bestallning/_client_panel.html",
        {
            "client": client,
            "decisions": decisions,
            "orders": orders,
            "can_create_decision": can_create_decision,
        },
        request=request,
    )


def manager_worklist(request) -> str:
    """Decisions above an officer's delegation, waiting for this unit manager."""
    user = request.user
    if not core_permissions.ordering_unit_ids(user, {Role.UNIT_MANAGER}):
        return ""
    decisions = list(selectors.decisions_awaiting_manager(user))
    for decision in decisions:
        decision.hours_hhmm = hhmm(ordered_time.frame_minutes(decision))
    _log_listed(request, [d.client for d in decisions], _("Beslut som väntar på godkännande"))
    return render_to_string(
        "bestallning/_manager_worklist.html", {"decisions": decisions}, request=request
    )


def officer_worklist(request) -> str:
    """Change-of-need reports to answer (the whole unit's, so none waits for one officer), the
    officer's own drafts, and her orders the provider has not yet received or started."""
    user = request.user
    units = core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
    if not units:
        return ""
    reports = list(
        selectors.need_changes_visible_to(user)
        .filter(answer="", order__client__ordering_unit_id__in=units)
        .order_by("reported_at")
    )
    orders = selectors.orders_visible_to(user).filter(client__ordering_unit_id__in=units)
    drafts = list(orders.filter(status__in=states.EDITABLE, ordered_by=user).order_by("created_at"))
    waiting = list(
        orders.filter(status__in=states.EXECUTABLE)
        .filter(Q(ordered_by=user) | Q(client__responsible_officer=user))
        .order_by("sent_at")
    )
    clients = [r.order.client for r in reports] + [o.client for o in drafts + waiting]
    _log_listed(request, clients, _("Arbetslista för beställningar"))
    return render_to_string(
        "bestallning/_officer_worklist.html",
        {"reports": reports, "drafts": drafts, "waiting": waiting},
        request=request,
    )


def provider_inbox(request) -> str:
    """New and changed orders: the coordinator acknowledges them and records the start date."""
    user = request.user
    if not core_permissions.provider_ids(user):
        return ""
    orders = list(selectors.provider_inbox(user))
    for order in orders:
        order.can_receive = permissions.can_receive_order(user, order)
        order.can_execute = permissions.can_execute_order(user, order)
        if order.can_execute:
            order.execute_form = OrderExecuteForm(auto_id=f"id_execute_{order.pk}_%s")
    _log_listed(request, [o.client for o in orders], _("Nya och ändrade beställningar"))
    return render_to_string(
        "bestallning/_provider_inbox.html",
        {"orders": orders, "several_providers": len({o.provider_id for o in orders}) > 1},
        request=request,
    )


def _log_listed(request, clients: list, what: str) -> None:
    unique = list({client.pk: client for client in clients}.values())
    if unique:
        log_access(
            user=request.user, clients=unique, action=AccessAction.LIST, what=what,
            request=request,
        )  # fmt: skip
