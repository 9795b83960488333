"""What the API shows of decisions and orders. Serializers validate input; services do the work."""

from __future__ import annotations

from dataclasses import dataclass

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
    """One ordered intervention. One instance serves every order of a response (a serializer
    built per order would build its twenty fields again for each), and what it shares with its
    order, or with other rows, is computed once per response: see `order_time` and
    `frequency_texts` below."""

    intervention_type = serializers.CharField(source="intervention_type.name", read_only=True)
    intervention_type_id = serializers.IntegerField(
        read_only=True,
        help_text="Insatsens id i kommunens katalog (/api/insatser/), som planens insatser anger.",
    )
    category = serializers.CharField(source="intervention_type.category", read_only=True)
    life_area = serializers.CharField(source="life_area.name", read_only=True, allow_null=True)
    life_area_category = serializers.CharField(
        source="life_area_category.name", read_only=True, allow_null=True
    )
    care_package_contents = serializers.SerializerMethodField(
        help_text="Omvårdnadsinsatserna i paketet; tom för andra insatser."
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
            "intervention_type_id",
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

    def to_representation(self, item: OrderedIntervention) -> dict:
        # The fields above, written out: a page of orders has some six hundred interventions,
        # and DRF's walk over twenty fields for each costs more than the rest of the page. The
        # declared fields stay for the schema; a test holds this to what they would give.
        intervention_type, life_area, category = (
            item.intervention_type,
            item.life_area,
            item.life_area_category,
        )
        frequency_text, time_text = frequency_texts(self.context, item)
        return {
            "id": item.pk,
            "intervention_type": intervention_type.name,
            "intervention_type_id": intervention_type.pk,
            "category": intervention_type.category,
            "life_area": life_area.name if life_area is not None else None,
            "life_area_category": category.name if category is not None else None,
            "period": item.period,
            "occasions": item.occasions,
            "weekdays": list(item.weekdays),
            "every_n_weeks": item.every_n_weeks,
            "minutes": item.minutes,
            "double_staffing": item.double_staffing,
            "care_package_contents": self.get_care_package_contents(item),
            "frequency_text": frequency_text,
            "time_text": time_text,
            "minutes_per_month": self.get_minutes_per_month(item),
            "assessed_level": item.assessed_level,
            "intended_level": item.intended_level,
            "description": item.description,
            "client_goal": item.client_goal,
            "support_orientation": item.support_orientation,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_care_package_contents(self, item: OrderedIntervention) -> list[str]:
        return [kind.name for kind in package_contents(item)]

    def get_frequency_text(self, item: OrderedIntervention) -> str | None:
        return frequency_texts(self.context, item)[0]

    def get_time_text(self, item: OrderedIntervention) -> str | None:
        return frequency_texts(self.context, item)[1]

    def get_minutes_per_month(self, item: OrderedIntervention) -> int | None:
        # The prefetch sets each intervention's order to the order it was read for.
        return order_time(self.context, item.order).minutes[item.pk]


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
    interventions = OrderedInterventionSerializer(many=True, read_only=True)
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

    def get_minutes_per_month(self, order: Order) -> int:
        return order_time(self.context, order).time.total

    def get_hours_per_month(self, order: Order) -> str:
        return hhmm(order_time(self.context, order).time.total)

    def get_decision_minutes_per_month(self, order: Order) -> int:
        return order_time(self.context, order).time.frame

    def get_double_staffing_minutes_per_month(self, order: Order) -> int:
        return order_time(self.context, order).time.basis.double_staffing_minutes


# ---------------------------------------------------------------------------------------------
# Computed once per response, kept in the context that an order's serializer and its
# interventions' share.


@dataclass(frozen=True)
class _OrderTime:
    time: ordered_time.OrderTime
    minutes: dict[int, int | None]  # intervention id -> minutes per month


def order_time(context: dict, order: Order) -> _OrderTime:
    """The order's time (bestallning.ordered_time), once per order and response."""
    cache = context.setdefault("_order_time", {})
    if order.pk not in cache:
        time = ordered_time.order_time(order)
        cache[order.pk] = _OrderTime(time, {item.pk: minutes for item, minutes in time.rows})
    return cache[order.pk]


def frequency_texts(context: dict, item: OrderedIntervention) -> tuple[str | None, str | None]:
    """The frequency and the time in words, once per distinct frequency and response: a page
    of orders repeats the same few frequencies hundreds of times."""
    frequency = item.frequency()
    if frequency is None:
        return None, None
    cache = context.setdefault("_frequency_texts", {})
    if frequency not in cache:
        cache[frequency] = (rules.occasion_text(frequency), rules.time_text(frequency))
    return cache[frequency]


def package_contents(item: OrderedIntervention) -> list:
    """A care package's contents: the list the orders API prefetches into `package_contents`
    (a list per row, without the related manager and queryset Django builds for each row),
    else the relation."""
    prefetched = getattr(item, "package_contents", None)
    return prefetched if prefetched is not None else list(item.care_package_contents.all())


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
