from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from ramtid import selectors
from ramtid.api.filters import CatalogueFilter
from ramtid.api.mixins import LoggedReadMixin
from ramtid.api.serializers import ClientSerializer, InterventionTypeSerializer


class ClientViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Brukare som den inloggade användaren har rätt att se."""

    serializer_class = ClientSerializer

    def get_queryset(self):
        # The unit's display name includes its municipality: read it in the same query.
        return (
            selectors.clients_visible_to(self.request.user)
            .select_related("ordering_unit__municipality")
            .prefetch_related("relatives")
        )

    def client_of(self, obj):
        return obj


@extend_schema_view(
    list=extend_schema(summary="Lista insatskatalogen"),
    retrieve=extend_schema(summary="Visa en insats i katalogen"),
)
class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """Insatskatalogen i de kommuner användaren arbetar i, så att utförarens system kan hitta
    insatsernas id. En annan kommuns insats finns inte här (404)."""

    # Not a LoggedReadMixin: the catalogue holds no one's personal data, and the access log
    # records reads per client.

    serializer_class = InterventionTypeSerializer
    filterset_class = CatalogueFilter

    def get_queryset(self):
        return selectors.catalogue_visible_to(self.request.user)
