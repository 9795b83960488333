from rest_framework import viewsets
from rest_framework.response import Response

from ramtid import selectors
from ramtid.api.serializers import ClientSerializer
from ramtid.audit import log_access
from ramtid.choices import AccessAction


class ClientViewSet(viewsets.ReadOnlyModelViewSet):
    """Brukare som den inloggade användaren har rätt att se."""

    serializer_class = ClientSerializer

    def get_queryset(self):
        return selectors.clients_visible_to(self.request.user).prefetch_related("relatives")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._log(self._listed)
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._listed = page if page is not None else list(queryset)
        return page

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        self._log([client])
        return Response(self.get_serializer(client).data)

    def _log(self, clients):
        log_access(
            user=self.request.user,
            clients=clients,
            action=AccessAction.API,
            what=f"API {self.request.path}",
            request=self.request._request,
        )
