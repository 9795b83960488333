"""What the API shows of decisions and orders. Serializers validate input; services do the work."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bestallning import ordered_time, rules
from bestallning.choices import NeedChangeDirection, NeedChangeDuration, NeedChangeReason
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from ramtid.formatting import hhmm
from ramtid.models import Client


class ClientRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)
    personal_number = serializers.CharField(source="personal_number_display", read_only=True)

    class Meta:
        model = Client
        fields = ["id", "name", "personal_number"]


class DecisionSerializer(serializers.ModelSerializer):
    client = ClientRefSerializer(read_only=True)
    decided_by = serializers.StringRelatedField()
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    granted_interventions = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "client",
            "decided_by",
            "outcome",
            "outcome_display",
            "legal_basis",
            "decided_on",
            "valid_from",
            "valid_to",
            "hours_per_month",
            "granted_interventions",
            "reasoning",
            "purpose_and_goal",
            "approval_status",
            "approved_at",
        ]
        read_only_fields = fields


class OrderedInterventionSerializer(serializers.ModelSerializer):
    intervention_type = serializers.CharField(source="intervention_type.name", read_only=True)
    category = serializers.CharField(source="intervention_type.category", read_only=True)
    life_area = serializers.CharField(source="life_area.name", read_only=True, allow_null=True)
    life_area_category = serializers.CharField(
        source="life_area_category.name", read_only=True, allow_null=True
    )
    care_package_contents = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    frequency_text = serializers.SerializerMethodField(
        help_text="Den fasta frekvensen i ord, t.ex. ”två gånger per vecka”."
    )
    time_text = serializers.SerializerMethodField(
        help_text="Den beställda tiden, t.ex. ”1 timmar/vecka, varje vecka”."
    )
    minutes_per_month = serializers.SerializerMethodField(
        help_text="Minuter per månad med kommunens omräkning; null när frekvensen saknas."
    )

    class Meta:
        model = OrderedIntervention
        fields = [
            "id",
            "intervention_type",
            "category",
            "life_area",
            "life_area_category",
            "period",
            "occasions",
            "weekdays",
            "every_n_weeks",
            "minutes",
            "double_staffing",
            "care_package_contents",
            "frequency_text",
            "time_text",
            "minutes_per_month",
            "assessed_level",
            "intended_level",
            "description",
            "client_goal",
            "support_orientation",
        ]
        read_only_fields = fields

    def get_frequency_text(self, item: OrderedIntervention) -> str | None:
        frequency = item.frequency()
        return rules.occasion_text(frequency) if frequency else None

    def get_time_text(self, item: OrderedIntervention) -> str | None:
        frequency = item.frequency()
        return rules.time_text(frequency) if frequency else None

    def get_minutes_per_month(self, item: OrderedIntervention) -> int | None:
        return self.context["minutes_per_month"].get(item.pk)


class QualityWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    field_label = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()
    suggestion = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    """En beställning med beräkningsunderlaget: minuter per månad per insats och totalt."""

    client = ClientRefSerializer(read_only=True)
    provider = serializers.StringRelatedField()
    ordered_by = serializers.StringRelatedField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    interventions = serializers.SerializerMethodField()
    minutes_per_month = serializers.SerializerMethodField(
        help_text="Beställd kvantitet i minuter per månad (summan av insatsernas minuter)."
    )
    hours_per_month = serializers.SerializerMethodField(
        help_text="Beställd kvantitet som timmar och minuter, t.ex. ”51:36”."
    )
    decision_minutes_per_month = serializers.SerializerMethodField(
        help_text="Beslutets ram i minuter per månad: beställningen får inte vara större."
    )
    double_staffing_minutes_per_month = serializers.SerializerMethodField()
    quality_warnings = QualityWarningSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "status",
            "status_display",
            "client",
            "provider",
            "decision",
            "ordered_by",
            "supersedes",
            "valid_from",
            "valid_to",
            "sent_at",
            "received_at",
            "executed_on",
            "ended_reason",
            "order_text",
            "daily_visits",
            "daily_visits_description",
            "interventions",
            "minutes_per_month",
            "hours_per_month",
            "decision_minutes_per_month",
            "double_staffing_minutes_per_month",
            "overall_goals",
            "body_functions",
            "environmental_factors",
            "health_condition",
            "personal_factors",
            "quality_warnings",
        ]
        read_only_fields = fields

    def _time(self, order: Order) -> ordered_time.OrderTime:
        # Computed once per order and kept for the order's other fields.
        cache = self.context.setdefault("_order_time", {})
        if order.pk not in cache:
            cache[order.pk] = ordered_time.order_time(order)
        return cache[order.pk]

    @extend_schema_field(OrderedInterventionSerializer(many=True))
    def get_interventions(self, order: Order) -> list[dict]:
        minutes = {item.pk: value for item, value in self._time(order).rows}
        return OrderedInterventionSerializer(
            order.interventions.all(),
            many=True,
            context={**self.context, "minutes_per_month": minutes},
        ).data

    def get_minutes_per_month(self, order: Order) -> int:
        return self._time(order).total

    def get_hours_per_month(self, order: Order) -> str:
        return hhmm(self._time(order).total)

    def get_decision_minutes_per_month(self, order: Order) -> int:
        return self._time(order).frame

    def get_double_staffing_minutes_per_month(self, order: Order) -> int:
        return self._time(order).basis.double_staffing_minutes


class ExecuteSerializer(serializers.Serializer):
    executed_on = serializers.DateField(help_text="Dagen då insatserna började ges (verkställd).")


class NeedChangeReportSerializer(serializers.ModelSerializer):
    reported_by = serializers.StringRelatedField()
    direction = serializers.ChoiceField(choices=NeedChangeDirection.choices)
    duration = serializers.ChoiceField(choices=NeedChangeDuration.choices)
    reason = serializers.ChoiceField(choices=NeedChangeReason.choices)

    class Meta:
        model = NeedChangeReport
        fields = [
            "id",
            "order",
            "reported_by",
            "reported_at",
            "direction",
            "duration",
            "reason",
            "description",
            "answer",
            "answer_reason",
            "answered_at",
        ]
        read_only_fields = [
            "id",
            "order",
            "reported_by",
            "reported_at",
            "answer",
            "answer_reason",
            "answered_at",
        ]
