"""The audit trail: who read or changed a client's data, when, and from where.

Writes are captured by pghistory's PostgreSQL triggers, so bulk writes and raw SQL are seen too;
this module puts the person (or the Celery task) and the address into their context. Reads are
recorded here, in AccessLog. Both tables refuse UPDATE and DELETE in the database.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import pghistory
from django.conf import settings
from django.http import HttpRequest
from pghistory.middleware import HistoryMiddleware

from ramtid import permissions
from ramtid.choices import AccessAction, AccessChannel, Role
from ramtid.models import AccessLog, Client, Membership, User

# AccessLog.acted_as holds at most this many characters.
ACTED_AS_LENGTH = 300
_ROLE_ORDER = {role.value: position for position, role in enumerate(Role)}


def _trusted(address: str | None) -> bool:
    """Whether the request came from one of our proxies (settings.TRUSTED_PROXIES)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in getattr(settings, "TRUSTED_PROXIES", []):
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest | None) -> str | None:
    """The reader's address for the audit trail. Behind our own proxy (DJANGO_BEHIND_PROXY) the
    last X-Forwarded-For entry is the one it added, but only a request that came from one of the
    trusted proxies is believed: anyone else gets the address they connected from."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and _trusted(remote):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return remote


class AuditContextMiddleware(HistoryMiddleware):
    """Adds the client address to pghistory's context (user and path come from pghistory)."""

    def get_context(self, request: HttpRequest) -> dict:
        return {**super().get_context(request), "ip": client_ip(request)}


def task_context(*, task_name: str, task_id: str | None) -> pghistory.context:
    """The context for writes made by a Celery task: attributed to the task, not to a person."""
    return pghistory.context(task=task_name, task_id=task_id)


def log_access(
    *,
    user: User,
    clients: Iterable[Client | int],
    action: AccessAction,
    what: str,
    request: HttpRequest | None = None,
) -> None:
    """Record that `user` read these clients' data: one row naming them all, in one INSERT,
    whatever their number, with the roles the user read them in. Nothing shown (an empty list)
    is nothing read, so no row."""
    ids = list(dict.fromkeys(c.pk if isinstance(c, Client) else int(c) for c in clients))
    if not ids:
        return
    AccessLog.objects.create(
        user=user,
        client_ids=ids,
        action=action,
        what=what,
        ip_address=client_ip(request),
        channel=access_channel(request),
        acted_as=acted_as(user),
    )


def _organisation(membership: Membership) -> str:
    # By name: the unit's __str__ would read its municipality (a query per role).
    where = membership.ordering_unit or membership.provider or membership.municipality
    return where.name


def acted_as(user: User) -> str:
    """The roles and organisations the user held when reading, for the log review: "Bistånds-
    handläggare, Beställarenhet Norr; Enhetschef, Beställarenhet Norr", and the API key if one
    was used. From the approved memberships the request has already read (ramtid.permissions.
    memberships), so no query of its own; cut to the column's length with an ellipsis."""
    roles = [
        f"{membership.get_role_display()}, {_organisation(membership)}"
        for membership in sorted(
            permissions.memberships(user),
            key=lambda m: (_ROLE_ORDER.get(m.role, len(_ROLE_ORDER)), _organisation(m), m.pk),
        )
    ]
    if getattr(user, "is_superuser", False):
        roles.insert(0, "Superanvändare")
    # A request made with an API key holds only the roles of the key's organisation (set by
    # ramtid.permissions.act_through_api_token); the key is named too, as the reader.
    token = permissions.api_token_of(user)
    if token is not None:
        roles.append(f"API-nyckel {token.name} ({token.prefix}…)")
    text = "; ".join(roles)
    if len(text) > ACTED_AS_LENGTH:
        text = text[: ACTED_AS_LENGTH - 1] + "…"
    return text


def access_channel(request: HttpRequest | None) -> AccessChannel | str:
    """A session or a token. DRF puts the credentials its authenticator returned on the Django
    request too (`request.auth`): the token for token authentication, None for a session."""
    if request is None:
        return ""
    if getattr(request, "auth", None) is not None:
        return AccessChannel.TOKEN
    return AccessChannel.SESSION
