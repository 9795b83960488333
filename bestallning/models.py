"""Decisions (biståndsbeslut) and framework orders (rambeställningar), 004 §2.2–2.4, Bilaga 4."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from bestallning import rules
from bestallning.choices import (
    ApprovalStatus,
    DecisionKind,
    DecisionOutcome,
    FunctionLevel,
    NeedChangeAnswer,
    NeedChangeDirection,
    NeedChangeDuration,
    NeedChangeReason,
    OrderStatus,
    Period,
    SupportOrientation,
)
from bestallning.states import DecisionState, OrderState
from ramtid.models import Client, InterventionType, LifeArea, LifeAreaCategory, Provider, User


def bounded(bounds: tuple[int, int]) -> list:
    """Validators from a rule's bounds (bestallning.rules): one frequency rule for models,
    forms, services, serializers and the visit import. 1 week is stored for rows that are not
    "var n:te vecka"."""
    low, high = bounds
    return [MinValueValidator(low), MaxValueValidator(high)]


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="DecisionEvent",
)
class Decision(models.Model):
    """The legal decision under SoL 4 kap. 1 §: outcome, extent in hours per month, period."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("brukare")
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("handläggare")
    )
    outcome = models.CharField(_("utfall"), max_length=20, choices=DecisionOutcome.choices)
    kind = models.CharField(_("typ av insats"), max_length=30, choices=DecisionKind.choices)
    legal_basis = models.CharField(_("lagrum"), max_length=100, default="SoL 4 kap. 1 §")
    decided_on = models.DateField(_("beslutsdatum"))
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    granted_interventions = models.ManyToManyField(
        InterventionType,
        blank=True,
        related_name="+",
        through="GrantedIntervention",
        verbose_name=_("beviljade insatser"),
    )
    hours_per_month = models.DecimalField(
        _("timmar per månad"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(744)],
    )
    reasoning = models.TextField(_("motivering"))
    purpose_and_goal = models.TextField(_("syfte och mål"))
    approval_status = models.CharField(
        _("delegation"),
        max_length=20,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.NOT_REQUIRED,
    )
    approved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkänt av"),
    )
    approved_at = models.DateTimeField(_("godkänt"), null=True, blank=True)
    approval_comment = models.TextField(_("enhetschefens kommentar"), blank=True)
    # A wrong decision is corrected while no order on it has been sent; after that it is
    # withdrawn (återkallat) with a reason, and a new decision takes its place.
    withdrawn_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återkallat av"),
    )
    withdrawal_reason = models.TextField(_("skäl till återkallelse"), blank=True)
    created_at = models.DateTimeField(_("registrerat"), auto_now_add=True)

    class Meta:
        verbose_name = _("biståndsbeslut")
        verbose_name_plural = _("biståndsbeslut")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="decision_period_ordered",
            ),
            # A decision that grants something grants hours; a refusal grants none.
            models.CheckConstraint(
                condition=Q(outcome="refused", hours_per_month=0)
                | (~Q(outcome="refused") & Q(hours_per_month__gt=0)),
                name="decision_hours_match_outcome",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="decision_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.heading}, {self.decided_on:%Y-%m-%d}"

    @property
    def heading(self) -> str:
        """As the order writes it: "Bifall Omvårdnad SoL 4 kap. 1 §" (004 Bilaga 4)."""
        return f"{self.get_outcome_display()} {self.get_kind_display()} {self.legal_basis}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def state(self) -> DecisionState:
        """Delegation and withdrawal as booleans (bestallning.states), for templates."""
        return DecisionState.of(self)

    @property
    def blocks_orders(self) -> bool:
        """An order built on it cannot be sent: a refusal, a withdrawn decision, or a
        manager's approval missing."""
        state = self.state
        return (
            self.outcome == DecisionOutcome.REFUSED
            or state.withdrawn
            or state.awaiting_manager
            or state.rejected_by_manager
        )


@pghistory.track(
    pghistory.InsertEvent("granted"),
    pghistory.DeleteEvent("ungranted"),
    model_name="GrantedInterventionEvent",
)
class GrantedIntervention(models.Model):
    """An intervention a decision grants. Its own row, so that a correction of the list is in
    the audit trail as surely as a correction of the hours."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    intervention_type = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="interventiontype_id",
    )

    class Meta:
        db_table = "bestallning_decision_granted_interventions"
        verbose_name = _("beviljad insats")
        verbose_name_plural = _("beviljade insatser")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "intervention_type"], name="granted_intervention_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.intervention_type_id)


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class IdRange(Func):
    """A one-value int8range: lets a GiST exclusion constraint compare ids without btree_gist."""

    template = "int8range(%(expressions)s, %(expressions)s, '[]')"
    output_field = models.Field()


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="OrderEvent",
)
class Order(models.Model):
    """A framework order to the provider the client chose (004 §2.4, Bilaga 4).

    A sent order never changes: a change is a new order that supersedes it from a date. The
    database refuses two issued orders for the same client and provider on the same day.
    """

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="orders", verbose_name=_("brukare")
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="orders", verbose_name=_("beslut")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="orders", verbose_name=_("utförare")
    )
    ordered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("beställare")
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("ersätter"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    valid_from = models.DateField(_("beställning gäller"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    order_text = models.TextField(
        _("beställningstext"),
        blank=True,
        help_text=_(
            "Det utföraren behöver veta som inte står på annat ställe: kontaktperson för "
            "planering, husdjur, rökning, utskrivning från sjukhus, förändringar sedan "
            "föregående beställning."
        ),
    )
    daily_visits = models.PositiveSmallIntegerField(
        _("antal besök per dag"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
        help_text=_("Utföraren ska följa antalet dagliga besök (004 §2.4.4). 0 om inga."),
    )
    daily_visits_description = models.TextField(
        _("dagliga besök avser"),
        blank=True,
        help_text=_("Vad de dagliga besöken gäller, t.ex. personlig omvårdnad och tillsyn."),
    )
    overall_goals = ArrayField(
        models.CharField(max_length=300),
        default=list,
        blank=True,
        verbose_name=_("övergripande mål"),
    )
    body_functions = models.TextField(_("kroppsfunktioner"), blank=True)
    environmental_factors = models.TextField(_("omgivningsfaktorer"), blank=True)
    health_condition = models.TextField(_("hälsotillstånd"), blank=True)
    personal_factors = models.TextField(_("personfaktorer"), blank=True)
    # The time basis's total when the order was sent (bestallning.ordered_time.order_time): a
    # sent order never changes, and the monthly check pro-rates this figure in SQL.
    ordered_minutes = models.PositiveIntegerField(
        _("beställd tid, minuter per månad"), null=True, blank=True
    )
    # What sending found wanting but did not block, kept so managers can count them.
    quality_warnings = models.JSONField(_("kvalitetsvarningar"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    sent_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skickad av"),
    )
    provider_notified_at = models.DateTimeField(_("utföraren aviserad"), null=True, blank=True)
    received_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    received_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mottagen av"),
    )
    executed_on = models.DateField(_("verkställd"), null=True, blank=True)
    ended_reason = models.TextField(_("anledning till avslut"), blank=True)

    class Meta:
        verbose_name = _("beställning")
        verbose_name_plural = _("beställningar")
        ordering = ["-valid_from", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"], name="order_provider_status"),
            models.Index(fields=["client", "status"], name="order_client_status"),
            # Which clients a provider sees (ramtid.selectors.provider_sees): an EXISTS probe
            # per client, and the provider's clients in client order for counting them. It
            # carries valid_to, the end of the grace, so a probe reads the index alone.
            models.Index(
                fields=["provider", "client"],
                include=["valid_to"],
                condition=Q(sent_at__isnull=False),
                name="order_sent_provider_client",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="order_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="order_issued_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="executed") | Q(executed_on__isnull=False),
                name="order_executed_has_date",
            ),
            # Only one order per client and provider in force on any day (drafts do not count).
            ExclusionConstraint(
                name="order_one_in_force_per_day",
                expressions=[
                    (IdRange("client"), RangeOperators.OVERLAPS),
                    (IdRange("provider"), RangeOperators.OVERLAPS),
                    (
                        DateRange("valid_from", "valid_to", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=~Q(status="draft"),
            ),
        ]

    def __str__(self) -> str:
        return f"Beställning {self.pk} till {self.provider}, gäller från {self.valid_from}"

    @property
    def state(self) -> OrderState:
        """The status as the state table's booleans (bestallning.states), for templates."""
        return OrderState.of(self)

    @property
    def is_draft(self) -> bool:
        return self.state.draft


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="OrderedInterventionEvent",
)
class OrderedIntervention(models.Model):
    """One ordered intervention (beställd insats) with its frequency and time (004 §2.4)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="interventions",
        verbose_name=_("beställning"),
    )
    intervention_type = models.ForeignKey(
        InterventionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("insats")
    )
    life_area = models.ForeignKey(
        LifeArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("livsområde"),
    )
    life_area_category = models.ForeignKey(
        LifeAreaCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("underkategori"),
    )
    period = models.CharField(_("period"), max_length=20, choices=Period.choices)
    occasions = models.PositiveSmallIntegerField(
        _("antal tillfällen"),
        null=True,
        blank=True,
        validators=bounded(rules.OCCASIONS),
        help_text=_("Per dag, per vecka eller per period om flera veckor."),
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        verbose_name=_("veckodagar"),
    )
    every_n_weeks = models.PositiveSmallIntegerField(
        _("var n:te vecka"), default=1, validators=bounded((1, rules.EVERY_N_WEEKS[1]))
    )
    minutes = models.PositiveSmallIntegerField(
        _("minuter per tillfälle"),
        validators=bounded(rules.MINUTES),
        help_text=_("Schablontiden från insatskatalogen, justerad efter behov."),
    )
    double_staffing = models.BooleanField(_("dubbelbemanning"), default=False)
    assessed_level = models.CharField(
        _("bedömt funktionstillstånd"), max_length=10, choices=FunctionLevel.choices, blank=True
    )
    intended_level = models.CharField(
        _("avsett funktionstillstånd"), max_length=10, choices=FunctionLevel.choices, blank=True
    )
    description = models.TextField(_("resurser och svårigheter"), blank=True)
    client_goal = models.TextField(_("brukarens mål"), blank=True)
    support_orientation = models.CharField(
        _("inriktning på stödet"),
        max_length=20,
        choices=SupportOrientation.choices,
        default=SupportOrientation.UNSPECIFIED,
    )
    care_package_contents = models.ManyToManyField(
        InterventionType,
        blank=True,
        related_name="+",
        verbose_name=_("omvårdnadsinsatser i paketet"),
        help_text=_("Minst tre omvårdnadsinsatser vid samma besök (004 §2.4.2)."),
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("beställd insats")
        verbose_name_plural = _("beställda insatser")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]),
                name="ordered_intervention_weekdays_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.intervention_type)

    def frequency(self) -> rules.Frequency | None:
        """The frequency as the rules know it, or None while the draft lacks a part."""
        if not self.occasions or not self.minutes or not self.period:
            return None
        weekdays = frozenset(self.weekdays) or rules.ALL_WEEKDAYS
        return rules.Frequency(
            period=Period(self.period),
            occasions=self.occasions,
            minutes=self.minutes,
            weekdays=weekdays,
            every_n_weeks=self.every_n_weeks or 1,
            double_staffing=self.double_staffing,
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="NeedChangeReportEvent",
)
class NeedChangeReport(models.Model):
    """The provider tells the officer the client's needs have changed (004 §3.1, §4.2.4)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="need_changes",
        verbose_name=_("beställning"),
    )
    reported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("rapporterat av")
    )
    reported_at = models.DateTimeField(_("rapporterat"), auto_now_add=True)
    direction = models.CharField(
        _("förändring"), max_length=20, choices=NeedChangeDirection.choices
    )
    duration = models.CharField(_("varaktighet"), max_length=20, choices=NeedChangeDuration.choices)
    reason = models.CharField(_("orsak"), max_length=20, choices=NeedChangeReason.choices)
    description = models.TextField(_("beskrivning"))
    answer = models.CharField(
        _("svar"), max_length=20, choices=NeedChangeAnswer.choices, blank=True
    )
    answer_reason = models.TextField(_("motivering"), blank=True)
    answered_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besvarat av"),
    )
    answered_at = models.DateTimeField(_("besvarat"), null=True, blank=True)
    new_order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ny beställning"),
    )

    class Meta:
        verbose_name = _("förändrat behov")
        verbose_name_plural = _("förändrade behov")
        ordering = ["-reported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="need_change_answer_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(answer="no_change") | ~Q(answer_reason=""),
                name="need_change_no_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} ({self.get_duration_display().lower()})"

    @property
    def is_open(self) -> bool:
        return not self.answer
