"""What every API viewset over case data shares."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.response import Response

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.models import Client


class LoggedReadMixin:
    """Every read of case data over the API is logged for the clients it concerns: a list for
    the clients on the page it returns, a detail for its client. `client_of` says whose data an
    object is."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._listed = page if page is not None else list(queryset)
        return page

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.log_read(self.client_of(obj) for obj in self._listed)
        return response

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self.log_read([self.client_of(obj)])
        return Response(self.get_serializer(obj).data)

    def client_of(self, obj) -> Client:
        return obj.client

    def log_read(self, clients: Iterable[Client]) -> None:
        unique = {client.pk: client for client in clients}
        log_access(
            user=self.request.user,
            clients=unique.values(),
            action=AccessAction.API,
            what=f"API {self.request.path}",
            request=self.request._request,
        )
