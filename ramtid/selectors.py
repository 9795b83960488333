"""Every read of case data starts here: querysets already scoped to the user (NetBox's restrict()).

A page, export, PDF or API endpoint that fetches a client through clients_visible_to() cannot
reach another organisation's client: the object simply is not found, which is a 404.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from ramtid import permissions, personal_number
from ramtid.models import AccessLog, Client, ClientEvent, ClientRelativeEvent, User


def _provider_clients(provider_ids: set[int]) -> Q:
    """Clients a provider has, or had, an order for: any order that has been sent to it.

    This is the one place that relation is defined (the `orders` of the bestallning app, named
    by its relation so that the core does not import the app). Drafts are not sent, so a
    provider never sees a client because of an order still being written.
    """
    return Q(
        pk__in=Client.objects.filter(
            orders__provider_id__in=provider_ids, orders__sent_at__isnull=False
        ).values("pk")
    )


def clients_visible_to(user: User) -> QuerySet[Client]:
    """Officers and unit managers see their unit's clients; provider staff the clients their
    provider has orders for; administrators and fee officers no case data through this path."""
    if not user.is_authenticated:
        return Client.objects.none()
    visible = Q(pk__in=[])
    unit_ids = permissions.ordering_unit_ids(user)
    if unit_ids:
        visible |= Q(ordering_unit_id__in=unit_ids)
    provider_ids = permissions.provider_ids(user)
    if provider_ids:
        visible |= _provider_clients(provider_ids)
    return Client.objects.filter(visible).select_related(
        "ordering_unit", "municipality", "responsible_officer"
    )


def client_search(*, user: User, query: str = "") -> QuerySet[Client]:
    """The client list, narrowed by words of the name or by a personal number in any written form
    (a whole number finds the person; six or more digits find the numbers that contain them)."""
    clients = clients_visible_to(user)
    query = (query or "").strip()
    digits = re.sub(r"[\s+-]", "", query)
    if digits.isdigit() and len(digits) >= 6:
        try:
            return clients.filter(personal_number=personal_number.normalise(query))
        except ValidationError:
            return clients.filter(personal_number__contains=digits)
    for word in query.split():
        clients = clients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return clients


def client_access_history(*, client: Client) -> list[dict]:
    """Reads and writes of one client's data, newest first, for the unit manager's follow-up.

    Reads come from AccessLog; writes from the trigger-written events, whose context names the
    person (or the Celery task) and the address.
    """
    rows = [
        {
            "at": entry.at,
            "user": entry.user,
            "kind": entry.get_action_display(),
            "what": entry.what,
            "ip": entry.ip_address,
        }
        for entry in AccessLog.objects.filter(client=client).select_related("user")
    ]
    events = [
        (event, "Brukaruppgifter") for event in ClientEvent.objects.filter(pgh_obj_id=client.pk)
    ] + [
        (event, f"Närstående: {event.name}")
        for event in ClientRelativeEvent.objects.filter(client_id=client.pk)
    ]
    user_ids = {(event.pgh_context or {}).get("user") for event, _ in events}
    users = User.objects.in_bulk([uid for uid in user_ids if uid])
    for event, what in events:
        context = event.pgh_context or {}
        task = context.get("task")
        rows.append(
            {
                "at": event.pgh_created_at,
                "user": users.get(context.get("user")) or (f"Uppgift: {task}" if task else None),
                "kind": WRITE_LABELS.get(event.pgh_label, event.pgh_label),
                "what": what,
                "ip": context.get("ip"),
            }
        )
    return sorted(rows, key=lambda row: row["at"], reverse=True)


WRITE_LABELS = {"insert": "Registrerade", "update": "Ändrade", "delete": "Tog bort"}
