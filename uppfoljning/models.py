"""Follow-up (uppföljning), 004 §4: performed time from the provider's time registration, the
monthly comparison with ordered time and the decisions on its deviations, the daily plan check's
notices, and the officer's individual reviews.

Visits are many (about 2.5 million a month at Stockholm's size), so `PerformedVisit` is a table
partitioned by month in PostgreSQL and is written set-based by the import (uppfoljning.imports),
never row by row; the monthly check (uppfoljning.monthly) writes `MonthlyTimeResult` with one
INSERT … ON CONFLICT per municipality and month.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestallning.models import Order
from genomforandeplan.models import ImplementationPlan
from ramtid.models import Client, InterventionType, OrderingUnit, Provider, User
from uppfoljning.choices import (
    ExplanationCategory,
    ExplanationDecision,
    ImportChannel,
    ImportStatus,
    NoticeKind,
    ReviewOutcome,
    ReviewReason,
    TimeStatus,
    VisitStatus,
)


class VisitImport(models.Model):
    """One file or API batch of visits from a provider, and what became of it: the import
    history that the provider and the officer open. A rejected import saved nothing; its
    errors name the row, the column and the reason."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="visit_imports", verbose_name=_("utförare")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("inläst av")
    )
    created_at = models.DateTimeField(_("inläst"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("kanal"), max_length=10, choices=ImportChannel.choices)
    file_name = models.CharField(_("filnamn"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # Progress for the page's progress bar: rows read so far of the rows in the file.
    rows_total = models.PositiveIntegerField(_("rader"), default=0)
    rows_done = models.PositiveIntegerField(_("behandlade rader"), default=0)
    created_count = models.PositiveIntegerField(_("nya besök"), default=0)
    updated_count = models.PositiveIntegerField(_("uppdaterade besök"), default=0)
    error_count = models.PositiveIntegerField(_("fel"), default=0)
    # The first errors, [{"row": 7, "column": "start", "message": "…"}] in row order (at most
    # uppfoljning.imports.ERROR_PREVIEW): a glance for the admin and the API's import list.
    # Every error is a VisitImportError row.
    errors = models.JSONField(_("fel"), default=list, blank=True)
    months = models.JSONField(_("månader"), default=list, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("inläsning av besök")
        verbose_name_plural = _("inläsningar av besök")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="visit_import_provider")]

    def __str__(self) -> str:
        return f"Inläsning {self.pk} ({self.provider})"


class VisitImportError(models.Model):
    """One error of a rejected import: the row as numbered in the file (the header is row 1; an
    API batch's first visit is row 1), the column (the file's column or the API's field) and a
    Swedish reason that never repeats a personal number. Written set-based by the import's
    checks, however many there are, and read a page at a time."""

    visit_import = models.ForeignKey(
        VisitImport,
        on_delete=models.CASCADE,
        related_name="error_rows",
        verbose_name=_("inläsning"),
        db_index=False,  # visit_import_error_row below starts with it
    )
    row = models.PositiveIntegerField(_("rad"))
    column = models.CharField(_("kolumn"), max_length=30, blank=True)
    message = models.TextField(_("fel"))

    class Meta:
        verbose_name = _("fel i inläsning")
        verbose_name_plural = _("fel i inläsningar")
        ordering = ["visit_import", "row", "id"]
        indexes = [
            models.Index(fields=["visit_import", "row", "id"], name="visit_import_error_row")
        ]

    def __str__(self) -> str:
        return f"Rad {self.row}, {self.column}: {self.message}"


class PerformedVisit(models.Model):
    """One staff member's time at one client (double staffing is two rows), as the provider's
    time-registration system exported it (utförd tid).

    Partitioned by `month` (the month of the visit's start, in Swedish time): the primary key
    therefore includes it, and the provider's visit id (besöks-id) is unique per provider and
    month; the import moves a visit whose start changed month by deleting it from the old month
    first, so a besöks-id is in fact unique per provider. The table and its partitions are made by
    SQL in the migrations and by `uppfoljning.partitions`, which Django's schema editor cannot do.

    The foreign keys have no constraint in the database: the import checks the provider, the
    client, the order in force and the intervention set-based before it writes, and a trigger per
    row for each key would double the time of importing a month. Nothing deletes what they name
    (orders and clients are protected and audited).
    """

    pk = models.CompositePrimaryKey("provider_id", "month", "external_id")
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("utförare"),
        db_constraint=False,
    )
    month = models.DateField(_("månad"))
    external_id = models.CharField(_("besöks-id"), max_length=100)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("brukare"),
        db_constraint=False,
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("beställning"),
        db_constraint=False,
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("slut"))
    minutes = models.PositiveIntegerField(_("minuter"))
    staff = models.CharField(_("personal"), max_length=50)
    intervention_type = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats"),
        db_constraint=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices)
    reason = models.TextField(_("orsak"), blank=True)
    # Any part of the visit outside the municipality's ramtid window (004 §1.4.1): kept, marked.
    outside_window = models.BooleanField(_("utanför ramtiden"), default=False)
    visit_import = models.ForeignKey(
        VisitImport,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inläsning"),
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("utfört besök")
        verbose_name_plural = _("utförda besök")
        indexes = [
            # A client's visits (the client's month, continuity, absent days).
            models.Index(fields=["client", "start"], name="visit_client_start"),
            # A staff member's visits (overlaps between clients).
            models.Index(fields=["provider", "staff", "start"], name="visit_staff_start"),
        ]

    def __str__(self) -> str:
        return f"Besök {self.external_id} ({self.month:%Y-%m})"


@pghistory.track(
    pghistory.UpdateEvent(
        "explained",
        condition=pghistory.AnyChange("explanation_category", "explanation_text"),
    ),
    pghistory.UpdateEvent("decided", condition=pghistory.AnyChange("decision", "decision_reason")),
    pghistory.UpdateEvent("frozen", condition=pghistory.AnyChange("frozen_at")),
    model_name="MonthlyTimeResultEvent",
)
class MonthlyTimeResult(models.Model):
    """Performed against ordered time for one order and one calendar month (004 §4.1.2), with
    the provider's explanation and the officer's decision on it.

    Written by the monthly check set-based, one row per order in force during the month;
    re-running the check updates the figures of rows that are not frozen. A month is frozen
    after its billing deadline once it needs no decision or has one.
    """

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="time_results", verbose_name=_("beställning")
    )
    month = models.DateField(_("månad"))
    # Denormalised from the order for the lists' filters and the set-based check.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="time_results", verbose_name=_("brukare")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="time_results", verbose_name=_("utförare")
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        related_name="time_results",
        verbose_name=_("beställarenhet"),
    )
    days_in_force = models.PositiveSmallIntegerField(_("dagar i kraft"))
    ordered_minutes = models.PositiveIntegerField(_("beställd tid, minuter"))
    performed_minutes = models.PositiveIntegerField(_("utförd tid, minuter"), default=0)
    declined_minutes = models.PositiveIntegerField(_("avböjd tid, minuter"), default=0)
    absent_minutes = models.PositiveIntegerField(_("frånvaro, minuter"), default=0)
    deviation_minutes = models.IntegerField(_("avvikelse, minuter"), default=0)
    # Deviation in percent of the ordered time, one decimal; null when nothing was ordered.
    deviation_percent = models.DecimalField(
        _("avvikelse, procent"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=TimeStatus.choices)
    billing_deadline = models.DateField(_("sista dag för beslut före räkningskörning"))
    checked_at = models.DateTimeField(_("kontrollerad"))
    explanation_category = models.CharField(
        _("förklaring"), max_length=20, choices=ExplanationCategory.choices, blank=True
    )
    explanation_text = models.TextField(_("förklaring, text"), blank=True)
    explained_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("förklarad av"),
    )
    explained_at = models.DateTimeField(_("förklarad"), null=True, blank=True)
    decision = models.CharField(
        _("beslut"), max_length=10, choices=ExplanationDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("motivering"), blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beslutad av"),
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("låst"), null=True, blank=True)

    class Meta:
        verbose_name = _("tidsuppföljning")
        verbose_name_plural = _("tidsuppföljningar")
        ordering = ["-month", "order_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "month"], name="time_result_order_month"),
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(explanation_category=""),
                name="time_result_decision_needs_explanation",
            ),
        ]
        indexes = [
            models.Index(fields=["ordering_unit", "month"], name="time_result_unit_month"),
            models.Index(fields=["provider", "month"], name="time_result_provider_month"),
            models.Index(fields=["client", "month"], name="time_result_client_month"),
        ]

    def __str__(self) -> str:
        return f"Tidsuppföljning {self.month:%Y-%m} för beställning {self.order_id}"


class Notice(models.Model):
    """Something the daily plan check found late, for the provider's coordinator and the
    officer: a missing contact person, a plan not ready by its due date, a plan follow-up due.

    `key` is stable (the kind, the order or plan, and the due date), so running the check again
    creates nothing new; the notice closes itself when what it asks for is done.
    """

    key = models.CharField(_("nyckel"), max_length=100, unique=True)
    kind = models.CharField(_("typ"), max_length=30, choices=NoticeKind.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="notices", verbose_name=_("beställning")
    )
    plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("genomförandeplan"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="notices", verbose_name=_("brukare")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="notices", verbose_name=_("utförare")
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("beställarenhet"),
    )
    due_on = models.DateField(_("skulle vara klart"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    closed_at = models.DateTimeField(_("stängd"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("e-post skickad"), null=True, blank=True)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["provider", "due_on"],
                condition=Q(closed_at__isnull=True),
                name="notice_open_provider",
            ),
            models.Index(
                fields=["ordering_unit", "due_on"],
                condition=Q(closed_at__isnull=True),
                name="notice_open_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on})"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="IndividualReviewEvent",
)
class IndividualReview(models.Model):
    """The officer's individual review (individuppföljning) of a client, 004 §4.1.4: due at
    least yearly, after execution where the municipality says so, when time deviates several
    months in a row, or when a change of need arrives. Open while `done_on` is empty.

    `key` is stable per cause (e.g. the first month of a run of deviating months), so a check
    that runs again creates no second task for the same cause.
    """

    key = models.CharField(_("nyckel"), max_length=100, unique=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("brukare")
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("beställning"),
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("enhet")
    )
    reason = models.CharField(_("anledning"), max_length=20, choices=ReviewReason.choices)
    due_on = models.DateField(_("senast"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    # The five questions of 004 §4.1.4.
    interventions_work = models.TextField(_("Fungerar insatserna?"), blank=True)
    needs_met = models.TextField(_("Tillgodoser insatserna behoven?"), blank=True)
    decision_must_change = models.TextField(_("Behöver beslutet ändras?"), blank=True)
    client_took_part = models.TextField(_("Har brukaren varit delaktig i planeringen?"), blank=True)
    client_satisfied = models.TextField(_("Är brukaren nöjd?"), blank=True)
    contacted_contact_person = models.BooleanField(_("kontaktmannen kontaktad"), default=False)
    contacted_others = models.TextField(_("andra som kontaktats"), blank=True)
    outcome = models.CharField(
        _("utfall"), max_length=30, choices=ReviewOutcome.choices, blank=True
    )
    done_on = models.DateField(_("genomförd"), null=True, blank=True)
    done_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("genomförd av"),
    )

    class Meta:
        verbose_name = _("individuppföljning")
        verbose_name_plural = _("individuppföljningar")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["ordering_unit", "due_on"],
                condition=Q(done_on__isnull=True),
                name="review_open_unit",
            ),
            models.Index(fields=["client", "-due_on"], name="review_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(outcome=""),
                name="review_done_has_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.due_on})"
