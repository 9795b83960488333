"""What the API shows of implementation plans, and what a provider's documentation system may
send. Serializers validate fields; the services decide (STYLE.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from bestallning import rules as order_rules
from bestallning.api.serializers import ClientRefSerializer, OrderSerializer
from bestallning.choices import Period
from bestallning.models import Order, OrderedIntervention
from genomforandeplan import permissions, rules, selectors, services
from genomforandeplan.choices import CHECKLIST_STEPS, MeetingPlace, Participant
from genomforandeplan.models import (
    HEADING_FIELDS,
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanVersion,
)
from genomforandeplan.states import COMPLETED, PlanState
from ramtid.api.serializers import PageFactsMixin, PlainRowMixin, iso_date, text_of
from ramtid.models import InterventionType, User

HEADING_HELP = "Med brukarens egna ord."


class PlanItemSerializer(PlainRowMixin, serializers.ModelSerializer):
    intervention_type_name = serializers.CharField(source="intervention_type.name", read_only=True)
    frequency_text = serializers.SerializerMethodField(help_text="Frekvensen i ord.")

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "intervention_type",
            "intervention_type_name",
            "period",
            "occasions",
            "every_n_weeks",
            "frequency_text",
            *HEADING_FIELDS,
        ]
        read_only_fields = fields

    def plain(self, item: PlanItem) -> dict:
        return {
            "id": item.pk,
            "intervention_type": item.intervention_type_id,
            "intervention_type_name": item.intervention_type.name,
            "period": item.period,
            "occasions": item.occasions,
            "every_n_weeks": item.every_n_weeks,
            "frequency_text": self.get_frequency_text(item),
            **{name: getattr(item, name) for name in HEADING_FIELDS},
        }

    def get_frequency_text(self, item: PlanItem) -> str:
        return services.frequency_text(
            rules.Item(
                item.intervention_type_id,
                str(item),
                item.period,
                item.occasions,
                item.every_n_weeks,
            )
        )


class GapSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stabil nyckel; ange skälet i coverage_reasons[key].")
    kind = serializers.ChoiceField(choices=["missing", "extra", "frequency", "daily_visits"])
    message = serializers.CharField()
    reason = serializers.CharField(help_text="Utförarens skäl, tomt om inget angetts.")


class DeadlineSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="Planen ska vara klar senast detta datum.")
    status = serializers.ChoiceField(
        choices=["not_due", "on_time", "late", "missing"],
        help_text="not_due: tid kvar; on_time/late: klar i tid/för sent; missing: saknas.",
    )
    days_late = serializers.IntegerField()


class ContactSerializer(serializers.ModelSerializer):
    contact_person = serializers.StringRelatedField()
    contact_person_id = serializers.IntegerField(read_only=True)
    deputy = serializers.StringRelatedField()
    deputy_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ContactAssignment
        fields = ["contact_person", "contact_person_id", "deputy", "deputy_id", "assigned_on"]
        read_only_fields = fields


class VersionSerializer(PlainRowMixin, serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    review_outcome = serializers.CharField(
        source="review.outcome", read_only=True, allow_null=True, default=None
    )
    review_comment = serializers.CharField(
        source="review.comment", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "order",
            "client_approved_on",
            "created_at",
            "created_by",
            "review_outcome",
            "review_comment",
        ]
        read_only_fields = fields

    def plain(self, version: PlanVersion) -> dict:
        review = getattr(version, "review", None)
        return {
            "number": version.number,
            "order": version.order_id,
            "client_approved_on": iso_date(version.client_approved_on),
            "created_at": self.fields["created_at"].to_representation(version.created_at),
            "created_by": text_of(version.created_by),
            "review_outcome": review.outcome if review else None,
            "review_comment": review.comment if review else None,
        }


class FollowUpSerializer(PlainRowMixin, serializers.ModelSerializer):
    followed_up_by = serializers.StringRelatedField()

    class Meta:
        model = PlanFollowUp
        fields = ["id", "followed_up_on", "notes", "needs_changed", "followed_up_by"]
        read_only_fields = ["id", "followed_up_by"]

    def plain(self, follow_up: PlanFollowUp) -> dict:
        return {
            "id": follow_up.pk,
            "followed_up_on": iso_date(follow_up.followed_up_on),
            "notes": follow_up.notes,
            "needs_changed": follow_up.needs_changed,
            "followed_up_by": text_of(follow_up.followed_up_by),
        }


def deadline_data(deadline: rules.Deadline | None) -> dict | None:
    if deadline is None:
        return None
    return {"due": deadline.due, "status": deadline.status.value, "days_late": deadline.days_late}


# One serializer for every row: building a serializer's fields costs more than using them.
_CONTACT = ContactSerializer()


def contact_data(order: Order) -> dict | None:
    """The order's contact assignment, selected with it (no query of its own)."""
    assignment = getattr(order, "contact_assignment", None)
    return _CONTACT.to_representation(assignment) if assignment else None


def _orders_for_plans() -> QuerySet[Order]:
    """What the plans API reads of each plan's current order: the interventions with their
    types and package contents (the coverage check) and the contact assignment."""
    # Only the columns it reads: building a model instance costs per field, page after page.
    person = ("first_name", "last_name", "username")
    return (
        Order.objects.select_related(
            "contact_assignment__contact_person", "contact_assignment__deputy"
        )
        .only(
            "client_id",
            "provider_id",
            "status",
            "valid_from",
            "daily_visits",
            "contact_assignment__order_id",
            "contact_assignment__assigned_on",
            *(f"contact_assignment__contact_person__{name}" for name in person),
            *(f"contact_assignment__deputy__{name}" for name in person),
        )
        .prefetch_related(
            # The types prefetched, not joined: one instance of each type, not one per row.
            Prefetch(
                "interventions",
                queryset=OrderedIntervention.objects.only(
                    "order_id",
                    "position",
                    "intervention_type_id",
                    "period",
                    "occasions",
                    "every_n_weeks",
                ),
            ),
            Prefetch(
                "interventions__intervention_type",
                queryset=InterventionType.objects.only("name", "is_care_package"),
            ),
        )
    )


def _current_orders(plans: list[ImplementationPlan]) -> dict[int, Order]:
    orders = selectors.current_orders(plans, _orders_for_plans())
    # The contents only of the care packages: a prefetch on every intervention would build a
    # manager for each.
    packages = [
        intervention
        for order in orders.values()
        for intervention in order.interventions.all()
        if intervention.intervention_type.is_care_package
    ]
    prefetch_related_objects(
        packages,
        Prefetch("care_package_contents", queryset=InterventionType.objects.only("name")),
    )
    return orders


def _latest_version(plan: ImplementationPlan) -> PlanVersion:
    """The newest completed version, from the prefetched versions."""
    return max(plan.versions.all(), key=lambda version: version.number)


@dataclass(frozen=True)
class PlanFacts:
    """What the plan's fields read beyond the plan: the order it must follow now, the
    completion check against it, and the plan deadline of that order."""

    order: Order
    completion: rules.CompletionFacts
    deadline: rules.Deadline | None
    # What the ordering unit reads instead of the working copy: the newest completed version's
    # frozen content (None for the provider, who reads the working copy).
    snapshot: dict | None


class PlanSerializer(PageFactsMixin, serializers.ModelSerializer):
    """En genomförandeplan med planerade insatser, delaktighet, checklista och avstämningen mot
    den gällande beställningen."""

    client = ClientRefSerializer(read_only=True)
    provider = serializers.StringRelatedField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    items = PlanItemSerializer(many=True, read_only=True)
    current_order = serializers.SerializerMethodField(
        help_text="Beställningen planen nu ska följa (den senaste som skickats)."
    )
    needs_revision = serializers.SerializerMethodField(
        help_text="En ny beställning har ersatt den som planen senast klarmarkerades mot."
    )
    coverage_gaps = serializers.SerializerMethodField()
    completion_blockers = serializers.SerializerMethodField(
        help_text="Det som hindrar att planen klarmarkeras."
    )
    deadline = serializers.SerializerMethodField(
        help_text="När planen ska vara klar för den gällande beställningen; null före start."
    )
    contact = serializers.SerializerMethodField(help_text="Kontaktman och ersättare.")
    next_follow_up_due = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    content_version = serializers.SerializerMethodField(
        help_text="Vilken klarmarkerad version innehållet kommer från; null för utförarens eget "
        "arbetsexemplar. Beställarenheten ser bara klarmarkerade versioner."
    )

    # What the provider may be rewriting: the ordering unit reads it from the newest completed
    # version instead (as on the plan's page), never from the working copy.
    WORKING_COPY = (
        *HEADING_FIELDS,
        "planned_daily_visits",
        "participants",
        "meeting_place",
        "meeting_place_other",
        "client_influence",
        "deviation_reason",
        "deviation_helper",
        "life_story",
        "coverage_reasons",
        "client_approval_how",
    )

    class Meta:
        model = ImplementationPlan
        fields = [
            "id",
            "client",
            "provider",
            "order",
            "current_order",
            "status",
            "status_display",
            "version",
            "content_version",
            *HEADING_FIELDS,
            "planned_daily_visits",
            "participants",
            "meeting_place",
            "meeting_place_other",
            "client_influence",
            "deviation_reason",
            "deviation_helper",
            "life_story",
            "checklist",
            "coverage_reasons",
            "client_approved_on",
            "client_approval_how",
            "items",
            "coverage_gaps",
            "completion_blockers",
            "needs_revision",
            "deadline",
            "contact",
            "next_follow_up_due",
            "versions",
            "follow_ups",
            "created_at",
        ]
        read_only_fields = fields

    def page_facts(self, plans: list[ImplementationPlan]) -> dict[int, PlanFacts]:
        orders = _current_orders(plans)
        deadlines = selectors.order_plan_deadlines(list(orders.values()))
        latest = {
            plan.pk: _latest_version(plan).pk for plan in plans if self._reads_versions_only(plan)
        }
        snapshots = dict(
            PlanVersion.objects.filter(pk__in=latest.values()).values_list("pk", "snapshot")
            if latest
            else ()
        )
        return {
            plan.pk: PlanFacts(
                order=orders[plan.pk],
                # The coverage check once per plan: the gaps and the blockers both read it.
                completion=services.completion_facts(plan, orders[plan.pk]),
                deadline=deadlines.get(orders[plan.pk].pk),
                snapshot=snapshots.get(latest.get(plan.pk)),
            )
            for plan in plans
        }

    def _reads_versions_only(self, plan: ImplementationPlan) -> bool:
        return not permissions.can_write_plan(self.context["request"].user, plan)

    def get_content_version(self, plan: ImplementationPlan) -> int | None:
        if not self._reads_versions_only(plan):
            return None
        return max((v.number for v in plan.versions.all()), default=None)

    def to_representation(self, plan: ImplementationPlan) -> dict:
        data = super().to_representation(plan)
        if not self._reads_versions_only(plan):
            return data
        latest = _latest_version(plan)
        frozen = self.facts(plan).snapshot
        empty = {"participants": [], "coverage_reasons": {}, "planned_daily_visits": None}
        for name in self.WORKING_COPY:
            if name in HEADING_FIELDS:
                data[name] = frozen.get("headings", {}).get(name, "")
            else:
                data[name] = frozen.get(name, empty.get(name, ""))
        data["client_approved_on"] = latest.client_approved_on.isoformat()
        data["checklist"] = {}
        data["items"] = [
            {
                "id": None,
                "intervention_type": item.get("intervention_type_id"),
                "intervention_type_name": item["name"],
                "period": None,
                "occasions": None,
                "every_n_weeks": None,
                "frequency_text": item["frequency"],
                **{name: item["headings"].get(name, "") for name in HEADING_FIELDS},
            }
            for item in frozen.get("items", [])
        ]
        # What blocks the provider's next completion, and the gaps of a working copy being
        # reworked, are the provider's business until the client approves it.
        data["completion_blockers"] = []
        if PlanState.of(plan).status not in COMPLETED:
            data["coverage_gaps"] = []
        return data

    def get_current_order(self, plan: ImplementationPlan) -> int:
        return self.facts(plan).order.pk

    def get_needs_revision(self, plan: ImplementationPlan) -> bool:
        return services.needs_revision(plan, self.facts(plan).order)

    @extend_schema_field(GapSerializer(many=True))
    def get_coverage_gaps(self, plan: ImplementationPlan) -> list[dict]:
        reasons = plan.coverage_reasons or {}
        return [
            {
                "key": gap.key,
                "kind": gap.kind,
                "message": gap.message,
                "reason": reasons.get(gap.key, ""),
            }
            for gap in self.facts(plan).completion.gaps
        ]

    def get_completion_blockers(self, plan: ImplementationPlan) -> list[str]:
        if not PlanState.of(plan).can_complete:
            return []  # ready or approved: nothing to complete until it is changed
        return [
            blocker.message for blocker in rules.completion_blockers(self.facts(plan).completion)
        ]

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_deadline(self, plan: ImplementationPlan) -> dict | None:
        return deadline_data(self.facts(plan).deadline)

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, plan: ImplementationPlan) -> dict | None:
        return contact_data(self.facts(plan).order)

    def get_next_follow_up_due(self, plan: ImplementationPlan) -> datetime.date | None:
        # The annotations of selectors.with_worklist_facts (PlanViewSet.get_queryset).
        return selectors.follow_up_due_of(plan)


# The schema keeps calling it "Order": it is the order as the API serves it.
@extend_schema_serializer(component_name="Order")
class OrderWithPlanSerializer(PageFactsMixin, OrderSerializer):
    """En beställning med beräkningsunderlaget, genomförandeplanens tidsfrist och kontaktman."""

    plan_deadline = serializers.SerializerMethodField(
        help_text="När genomförandeplanen ska vara klar för beställningen; null före verkställd."
    )
    contact = serializers.SerializerMethodField(help_text="Kontaktman och ersättare.")

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "plan_deadline", "contact"]
        read_only_fields = fields

    def page_facts(self, orders: list[Order]) -> dict[int, rules.Deadline | None]:
        deadlines = selectors.order_plan_deadlines(orders)
        return {order.pk: deadlines.get(order.pk) for order in orders}

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_plan_deadline(self, order: Order) -> dict | None:
        return deadline_data(self.facts(order))

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, order: Order) -> dict | None:
        return contact_data(order)


# ---------------------------------------------------------------------------------------------
# Input


class PlanStartSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text="Beställningen planen skrivs mot.")


class PlanItemInputSerializer(serializers.Serializer):
    intervention_type = serializers.PrimaryKeyRelatedField(
        queryset=InterventionType.objects.all(), help_text="En insats ur kommunens katalog."
    )
    period = serializers.ChoiceField(choices=Period.choices)
    occasions = serializers.IntegerField()
    every_n_weeks = serializers.IntegerField(default=1)
    can_do_myself = serializers.CharField(allow_blank=True, default="", help_text=HEADING_HELP)
    need_help_with = serializers.CharField(allow_blank=True, default="", help_text=HEADING_HELP)
    how_and_when = serializers.CharField(allow_blank=True, default="", help_text=HEADING_HELP)
    who_helps = serializers.CharField(allow_blank=True, default="", help_text=HEADING_HELP)
    my_goal = serializers.CharField(allow_blank=True, default="", help_text=HEADING_HELP)

    def validate(self, attrs: dict) -> dict:
        # The one frequency rule of orders, plans and the visit import.
        errors = order_rules.frequency_errors(
            period=attrs.get("period"),
            occasions=attrs.get("occasions"),
            every_n_weeks=attrs.get("every_n_weeks"),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PlanWriteSerializer(serializers.Serializer):
    """The working copy, saved all or nothing against `version`. PATCH leaves out what it does
    not change; without `items` the planned interventions stay as they are."""

    version = serializers.IntegerField(
        help_text="Planens version när den lästes; en annan sparning sedan dess ger 409."
    )
    can_do_myself = serializers.CharField(allow_blank=True, required=False)
    need_help_with = serializers.CharField(allow_blank=True, required=False)
    how_and_when = serializers.CharField(allow_blank=True, required=False)
    who_helps = serializers.CharField(allow_blank=True, required=False)
    my_goal = serializers.CharField(allow_blank=True, required=False)
    planned_daily_visits = serializers.IntegerField(
        allow_null=True, required=False, min_value=0, max_value=24
    )
    participants = serializers.ListField(
        child=serializers.ChoiceField(choices=Participant.choices), required=False
    )
    meeting_place = serializers.ChoiceField(
        choices=MeetingPlace.choices, allow_blank=True, required=False
    )
    meeting_place_other = serializers.CharField(allow_blank=True, required=False, max_length=200)
    client_influence = serializers.CharField(allow_blank=True, required=False)
    deviation_reason = serializers.CharField(allow_blank=True, required=False)
    deviation_helper = serializers.CharField(allow_blank=True, required=False, max_length=200)
    life_story = serializers.CharField(allow_blank=True, required=False)
    checklist = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True),
        required=False,
        help_text="Steg → datum (ÅÅÅÅ-MM-DD) då steget gjordes. Steg: "
        + ", ".join(key for key, _label in CHECKLIST_STEPS)
        + ".",
    )
    coverage_reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Skäl per avvikelse mot beställningen, nycklat som coverage_gaps[].key.",
    )
    client_approved_on = serializers.DateField(
        allow_null=True, required=False, help_text="Dagen då brukaren godkände planen."
    )
    client_approval_how = serializers.CharField(
        allow_blank=True, required=False, max_length=200, help_text="Hur brukaren godkände planen."
    )
    items = PlanItemInputSerializer(many=True, required=False)

    def validate(self, attrs: dict) -> dict:
        # The version is what makes a save safe, so a PATCH carries it too (a partial
        # serializer does not ask for required fields by itself).
        if "version" not in attrs:
            raise serializers.ValidationError(
                {"version": ["Ange planens version (fältet version) från när den lästes."]}
            )
        # A PUT replaces the whole working copy, so it must carry the planned interventions.
        if not self.partial and "items" not in attrs:
            raise serializers.ValidationError({"items": ["Ange planens insatser."]})
        return attrs


class PlanCompleteSerializer(serializers.Serializer):
    """The approval may be saved with the plan beforehand; what is sent here replaces it."""

    version = serializers.IntegerField(
        required=False,
        help_text="Planens version när den lästes: har någon sparat sedan dess blir svaret 409 "
        "och ingenting klarmarkeras.",
    )
    client_approved_on = serializers.DateField(
        required=False, help_text="Dagen då brukaren godkände planen."
    )
    client_approval_how = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Hur brukaren godkände planen, t.ex. muntligt i hemmet.",
    )


STAFF_MISSING = "Det finns ingen aktiv användare hos utföraren med id {pk_value}."


class ContactAssignSerializer(serializers.Serializer):
    """The users are looked up among the staff of the order's provider (context["provider"]):
    another organisation's user is answered as one that does not exist, not with the message
    that would tell the user exists (found by tests/ramtid/test_api_fuzz.py)."""

    contact_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        help_text="Användar-id för en kontaktman eller samordnare hos utföraren.",
        error_messages={"does_not_exist": STAFF_MISSING},
    )
    deputy = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        allow_null=True,
        required=False,
        default=None,
        help_text="Ersättaren, som tar över när kontaktmannen är ledig.",
        error_messages={"does_not_exist": STAFF_MISSING},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No provider (the schema's instance): nobody.
        staff = User.objects.filter(
            is_active=True, memberships__provider=self.context.get("provider")
        ).distinct()
        self.fields["contact_person"].queryset = staff
        self.fields["deputy"].queryset = staff


class PlanReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(
        help_text="true: godkänn planen; false: skicka tillbaka den till utföraren."
    )
    comment = serializers.CharField(
        allow_blank=True,
        default="",
        help_text="Kommentar till utföraren; krävs när planen skickas tillbaka.",
    )
