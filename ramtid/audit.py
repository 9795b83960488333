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

from ramtid.choices import AccessAction, AccessChannel
from ramtid.models import AccessLog, Client, User


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
    whatever their number. Nothing shown (an empty list) is nothing read, so no row."""
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
    )


def access_channel(request: HttpRequest | None) -> AccessChannel | str:
    """A session or a token. DRF puts the credentials its authenticator returned on the Django
    request too (`request.auth`): the token for token authentication, None for a session."""
    if request is None:
        return ""
    if getattr(request, "auth", None) is not None:
        return AccessChannel.TOKEN
    return AccessChannel.SESSION
