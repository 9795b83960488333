"""What decisions and orders add to the core's client page (settings: RAMTID_CLIENT_PANELS,
ramtid/panels.py). It returns "" when it has nothing for the user. The start page's lists are
worklists (bestallning/worklists.py).

The start page answers "what must I do today?" (JOURNEYS.md): the unit manager's decisions to
approve, the officer's worklist, the provider's inbox of new and changed orders. Every list is
a fixed number of queries, however long it is.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from bestallning import ordered_time, permissions, selectors
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
