"""Every read of case data starts here: querysets already scoped to the user (NetBox's restrict()).

A page, export, PDF or API endpoint that fetches a client through clients_visible_to() cannot
reach another organisation's client: the object simply is not found, which is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ramtid import permissions
from ramtid.models import AccessLog, Client, ClientEvent, ClientRelativeEvent, User


def _provider_clients(provider_ids: set[int]) -> Q:
    """Clients a provider has, or had, an order for.

    This is the one place that relation is defined. Orders arrive with the bestallning app; until
    then a provider has no orders and so sees no clients.
    """
    return Q(pk__in=[])


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
    """The client list, optionally narrowed by a name or a personal number (any written form)."""
    clients = clients_visible_to(user)
    query = (query or "").strip()
    if not query:
        return clients
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 6 and len(digits) == len(
        query.replace("-", "").replace("+", "").replace(" ", "")
    ):
        return clients.filter(
            personal_number__contains=digits[-10:] if len(digits) > 10 else digits
        )
    for word in query.split():
        clients = clients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return clients


def client_access_history(*, client: Client) -> list[dict]:
    """Reads and writes of one client's data, newest first, for the unit manager's follow-up."""
    reads = [
        {
            "at": entry.at,
            "user": entry.user,
            "kind": entry.get_action_display(),
            "what": entry.what,
            "ip": entry.ip_address,
        }
        for entry in AccessLog.objects.filter(client=client).select_related("user")
    ]
    writes = []
    events = list(ClientEvent.objects.filter(pgh_obj_id=client.pk)) + list(
        ClientRelativeEvent.objects.filter(client_id=client.pk)
    )
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = User.objects.in_bulk([uid for uid in user_ids if uid])
    for event in events:
        context = event.pgh_context or {}
        task = context.get("task")
        writes.append(
            {
                "at": event.pgh_created_at,
                "user": users.get(context.get("user")) or (f"Uppgift: {task}" if task else None),
                "kind": _write_label(event),
                "what": event._meta.verbose_name if hasattr(event._meta, "verbose_name") else "",
                "ip": context.get("ip"),
            }
        )
    return sorted(reads + writes, key=lambda row: row["at"], reverse=True)


def _write_label(event) -> str:
    labels = {"insert": "Registrerade", "update": "Ändrade", "delete": "Tog bort"}
    return labels.get(event.pgh_label, event.pgh_label)
