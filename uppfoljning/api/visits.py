"""Performed time over the API: `POST /api/besok/` takes a provider's visits as a JSON list and
saves them under the same checks as a file (uppfoljning.imports.import_visits_batch: the same
staging table and SQL), all or nothing; `GET /api/besok/importer/` lists the imports the user
may see.

The provider is the caller's (a coordinator of one provider); a municipality's administrator, or
a coordinator of several, names it with `?provider=<id>`. Another organisation's provider is a
404, one the user may see but not import for a 403.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from uppfoljning import imports, permissions
from uppfoljning.choices import ImportStatus
from uppfoljning.models import VisitImport


class VisitInSerializer(serializers.Serializer):
    """Ett besök (schemat: själva kontrollen görs i SQL, se uppfoljning.imports)."""

    external_id = serializers.CharField(help_text="Besökets id i utförarens system.")
    personal_number = serializers.CharField(
        help_text="Brukarens person- eller samordningsnummer, t.ex. 19400101-1234."
    )
    start = serializers.CharField(help_text="ÅÅÅÅ-MM-DD TT:MM i svensk tid (eller ISO 8601).")
    end = serializers.CharField(help_text="ÅÅÅÅ-MM-DD TT:MM; får vara nästa dag.")
    staff = serializers.CharField(help_text="Personalens pseudonyma kod.")
    intervention = serializers.CharField(
        required=False, allow_blank=True, help_text="Insatsens id eller namn i katalogen."
    )
    status = serializers.CharField(help_text="utförd, avböjd eller frånvaro.")
    reason = serializers.CharField(required=False, allow_blank=True)


ERROR_SCHEMA = inline_serializer(
    "VisitImportErrors",
    {
        "import": serializers.IntegerField(
            required=False, help_text="Inläsningens id; saknas när inget lästes in."
        ),
        "errors": inline_serializer(
            "VisitImportError",
            {
                "row": serializers.IntegerField(),
                "field": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        ),
    },
)

# A 400 is the rows' errors, or, before any row is read, a provider that must be named or a body
# that is no JSON (DRF's "detail").
REFUSAL_SCHEMA = PolymorphicProxySerializer(
    component_name="VisitImportRefusal",
    serializers=[
        ERROR_SCHEMA,
        inline_serializer(
            "VisitImportProviderError",
            {"provider": serializers.ListField(child=serializers.CharField())},
        ),
        inline_serializer("VisitImportBadRequest", {"detail": serializers.CharField()}),
    ],
    resource_type_field_name=None,
)


class VisitImportSerializer(serializers.ModelSerializer):
    provider = serializers.StringRelatedField()
    created_by = serializers.StringRelatedField()

    class Meta:
        model = VisitImport
        fields = [
            "id",
            "provider",
            "created_by",
            "created_at",
            "channel",
            "file_name",
            "status",
            "rows_total",
            "created_count",
            "updated_count",
            "error_count",
            "months",
            "finished_at",
        ]
        read_only_fields = fields


def _provider_for(request: Request):
    wanted = request.query_params.get("provider")
    providers = imports.providers_for_import(request.user)
    if wanted is None:
        choices = list(providers[:2])
        if len(choices) != 1:
            raise ValidationError({"provider": [_("Ange utförare: ?provider=<id>.")]})
        return choices[0]
    if not str(wanted).isdigit():
        raise Http404
    provider = providers.filter(pk=int(wanted)).first()
    if provider is None:
        raise Http404
    return provider


class VisitBatchView(APIView):
    """Läs in besök: en JSON-lista, sparad helt eller inte alls."""

    @extend_schema(
        summary="Läs in besök",
        request=VisitInSerializer(many=True),
        parameters=[OpenApiParameter("provider", OpenApiTypes.INT, required=False)],
        responses={
            201: inline_serializer(
                "VisitImportResult",
                {
                    "import": serializers.IntegerField(),
                    "rows": serializers.IntegerField(),
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "months": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: REFUSAL_SCHEMA,
        },
    )
    def post(self, request: Request) -> Response:
        provider = _provider_for(request)
        if not permissions.can_import_visits(request.user, provider):
            raise PermissionDenied(_("Bara utförarens samordnare kan läsa in besök."))
        if not isinstance(request.data, list):
            # A Response, not a ValidationError, which would make the row number the text "0".
            return Response(
                {"errors": [{"row": 0, "field": "", "message": _("Skicka en lista med besök.")}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        visit_import = imports.import_visits_batch(
            provider=provider, by=request.user, rows=request.data
        )
        if visit_import.status == ImportStatus.REJECTED:
            errors = [
                {"row": row, "field": column, "message": message}
                for row, column, message in visit_import.error_rows.order_by(
                    "row", "id"
                ).values_list("row", "column", "message")
            ]
            return Response(
                {"import": visit_import.pk, "errors": errors}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            {
                "import": visit_import.pk,
                "rows": visit_import.rows_total,
                "created": visit_import.created_count,
                "updated": visit_import.updated_count,
                "months": visit_import.months,
            },
            status=status.HTTP_201_CREATED,
        )


@extend_schema(summary="Lista inläsningar av besök")
class VisitImportList(generics.ListAPIView):
    """Inläsningar av besök som användaren får se, senaste först."""

    serializer_class = VisitImportSerializer

    def get_queryset(self):
        return imports.imports_visible_to(self.request.user).order_by("-created_at", "-id")


urlpatterns = [
    path("besok/", VisitBatchView.as_view(), name="api_visits"),
    path("besok/importer/", VisitImportList.as_view(), name="api_visit_imports"),
]
