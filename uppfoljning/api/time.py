"""The monthly time check over the API: `GET /api/tidsuppfoljning/?month=2026-10` lists the results
the user may see (the provider its own, the officer her units'), paginated like the other lists;
`POST …/{id}/forklara/` is the provider's explanation and `POST …/{id}/beslut/` the officer's
decision, under the same rules as the pages (uppfoljning.monthly).

Another organisation's result is a 404; a visible result the user may not act on is a 403; what
the services refuse is a 400 with their Swedish messages by field (ramtid.api.exceptions)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from bestallning.api.serializers import ClientRefSerializer
from ramtid.api.filters import unknown_choice
from ramtid.api.mixins import LoggedReadMixin
from uppfoljning import monthly, permissions
from uppfoljning.choices import ExplanationCategory, ExplanationDecision, TimeStatus
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.views.time import MonthField


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class TimeResultFilter(django_filters.FilterSet):
    month = MonthFilter(
        field_name="month", help_text=gettext_lazy("Månaden som ÅÅÅÅ-MM, t.ex. 2026-10.")
    )
    status = django_filters.ChoiceFilter(
        choices=TimeStatus.choices,
        help_text=gettext_lazy("within, over eller under."),
        error_messages=unknown_choice("status", TimeStatus.values),
    )

    class Meta:
        model = MonthlyTimeResult
        fields = ["month", "status"]


class ProviderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# A month is stored as its first day and shown as ÅÅÅÅ-MM: a string of that pattern in the schema,
# not the "date" a DateField would be documented as.
@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthOutField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class TimeResultSerializer(serializers.ModelSerializer):
    month = MonthOutField(help_text="Månaden som ÅÅÅÅ-MM.")
    client = ClientRefSerializer(read_only=True)
    provider = ProviderRefSerializer(read_only=True)
    explained_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    frozen = serializers.SerializerMethodField(help_text="Låst: ändras inte längre.")

    class Meta:
        model = MonthlyTimeResult
        fields = [
            "id",
            "month",
            "order",
            "client",
            "provider",
            "ordering_unit",
            "days_in_force",
            "ordered_minutes",
            "performed_minutes",
            "declined_minutes",
            "absent_minutes",
            "deviation_minutes",
            "deviation_percent",
            "status",
            "billing_deadline",
            "checked_at",
            "explanation_category",
            "explanation_text",
            "explained_by",
            "explained_at",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "frozen",
            "frozen_at",
        ]
        read_only_fields = fields

    def get_frozen(self, result: MonthlyTimeResult) -> bool:
        return result.frozen_at is not None


class ExplainSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=ExplanationCategory.choices,
        error_messages=unknown_choice("orsak", ExplanationCategory.values),
    )
    text = serializers.CharField(max_length=4000)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ExplanationDecision.choices,
        error_messages=unknown_choice("beslut", ExplanationDecision.values),
    )
    reason = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Krävs vid avslag."
    )


@extend_schema_view(
    list=extend_schema(summary="Lista tidsuppföljningar"),
    retrieve=extend_schema(summary="Visa en tidsuppföljning"),
)
class TimeResultViewSet(
    LoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Beställd mot utförd tid per beställning och månad: utföraren ser sina, handläggaren sina
    enheters."""

    serializer_class = TimeResultSerializer
    filterset_class = TimeResultFilter

    def get_queryset(self):
        return monthly.results_visible_to(self.request.user).order_by("-month", "order_id")

    def _response(self, result: MonthlyTimeResult) -> Response:
        result = self.get_queryset().get(pk=result.pk)
        self.log_read([result.client])
        return Response(self.get_serializer(result).data)

    @extend_schema(
        request=ExplainSerializer, responses=TimeResultSerializer, summary="Förklara en månad"
    )
    @action(detail=True, methods=["post"], url_path="forklara")
    def explain(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare förklarar en månad över eller under toleransen, före sista
        dagen; på nytt efter ett avslag."""
        result = self.get_object()
        if not permissions.can_explain_time(request.user, result):
            raise PermissionDenied(_("Bara utförarens samordnare kan förklara tiden."))
        data = ExplainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        monthly.explain_month(result=result, by=request.user, **data.validated_data)
        return self._response(result)

    @extend_schema(
        request=DecideSerializer, responses=TimeResultSerializer, summary="Besluta om en förklaring"
    )
    @action(detail=True, methods=["post"], url_path="beslut")
    def decide(self, request: Request, pk=None) -> Response:
        """Handläggaren på brukarens enhet godkänner eller avslår utförarens förklaring; ett
        avslag motiveras."""
        result = self.get_object()
        if not permissions.can_decide_time(request.user, result):
            raise PermissionDenied(_("Bara handläggare på brukarens enhet beslutar om tiden."))
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        monthly.decide_month(result=result, by=request.user, **data.validated_data)
        return self._response(result)


router = SimpleRouter()
router.register("tidsuppfoljning", TimeResultViewSet, basename="time_result_api")

urlpatterns = router.urls
