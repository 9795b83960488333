"""The audit trail: who read or changed a client's data, when, and from where.

Writes are captured by pghistory's PostgreSQL triggers, so bulk writes and raw SQL are seen too;
this module puts the person (or the Celery task) and the address into their context. Reads are
recorded here, in AccessLog. Both tables refuse UPDATE and DELETE in the database.
"""

from __future__ import annotations

from collections.abc import Iterable

import pghistory
from django.conf import settings
from django.http import HttpRequest
from pghistory.middleware import HistoryMiddleware

from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Client, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind our own proxy the last X-Forwarded-For entry is the one it added.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


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
    clients: Iterable[Client],
    action: AccessAction,
    what: str,
    request: HttpRequest | None = None,
) -> None:
    """Record that `user` read these clients' data. One INSERT, whatever the number of clients."""
    ip = client_ip(request)
    AccessLog.objects.bulk_create(
        AccessLog(user=user, client=client, action=action, what=what, ip_address=ip)
        for client in clients
    )
