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
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestallning.models import Order
from genomforandeplan.models import ImplementationPlan
from ramtid.models import (
    Client,
    InterventionType,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)
from uppfoljning.choices import (
    AnswerMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
    ExplanationCategory,
    ExplanationDecision,
    ImportChannel,
    ImportStatus,
    LiaisonMeetingKind,
    NoticeKind,
    RetentionRunKind,
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
    # Staff continuity (uppfoljning.continuity): the number of different staff of this order's
    # provider the client met in the busiest 14-day window ending in the month, and the last
    # day of that window (the first such window when tied). Null when no performed visits.
    continuity_staff = models.PositiveSmallIntegerField(
        _("personalkontinuitet, antal personal"), null=True, blank=True
    )
    continuity_window_end = models.DateField(
        _("personalkontinuitet, fönstrets sista dag"), null=True, blank=True
    )

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


class RetentionRun(models.Model):
    """One retention run of a municipality (gallring, issue 10; uppfoljning.retention): a
    report of the clients whose retention period has passed, made a month before they are
    removed, or the removal that carried a report out. It names clients by id only and counts
    the rows per kind, never a name or a personal number.

    Part of the audit trail, so append-only: the database refuses UPDATE and DELETE, and the
    application's role may only INSERT and SELECT (ramtid.database_roles). A removal row is
    written by the owner's function `uppfoljning_retention_remove` itself, in the same
    transaction as the removal (uppfoljning migration 0004), so no removal goes unrecorded.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommun")
    )
    kind = models.CharField(_("typ"), max_length=10, choices=RetentionRunKind.choices)
    # The day the rule was applied for: a report's is the day of the removal it announces.
    on_date = models.DateField(_("gäller per"))
    retention_years = models.PositiveSmallIntegerField(_("gallringsfrist, år"))
    cutoff = models.DateField(_("senaste anteckning senast"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    started_by = models.CharField(_("startad av"), max_length=100, blank=True)
    client_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, verbose_name=_("brukare (id)")
    )
    # {"ramtid.Client": 3, "bestallning.OrderEvent": 12, …}: rows per kind (model label).
    counts = models.JSONField(_("rader per slag"), default=dict, blank=True)
    # Clients past the period but kept: {"research_sample": 2, "no_longer_due": 1}.
    kept = models.JSONField(_("sparade"), default=dict, blank=True)
    report = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removals",
        verbose_name=_("förhandsrapport"),
    )

    class Meta:
        verbose_name = _("gallringskörning")
        verbose_name_plural = _("gallringskörningar")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["municipality", "kind", "-created_at"], name="retention_run_latest"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="report", report__isnull=True)
                | Q(kind="removal", report__isnull=False),
                name="retention_run_removal_has_report",
            )
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date} ({len(self.client_ids)} brukare)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="ComplaintEvent")
class Complaint(models.Model):
    """A complaint (synpunkt eller klagomål) about a client's care, 002 "Synpunkter och
    klagomål": whoever raised it gets an answer within the municipality's
    `complaint_answer_days` (14) of the day it was received.

    The organisation it concerns answers it: the provider's coordinator a complaint about the
    provider's work, an officer of the client's unit one about the unit's handling. The officer
    then closes a provider's complaint once she has read the answer (the follow-up; 002: the
    case's registration number goes into the client's file), while the unit's own complaint is
    closed by its answer. Open until answered, answered until closed; never deleted.

    `ordering_unit` is the client's unit when the complaint came in (the statistics count it
    there); who sees and acts on it follows the client's unit now (uppfoljning.complaints).
    `answer_due` is fixed when the complaint is registered, so a later change of the
    municipality's rule does not move deadlines already given.
    """

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("brukare")
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("beställarenhet"),
    )
    about = models.CharField(_("gäller"), max_length=20, choices=ComplaintAbout.choices)
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("utförare"),
    )
    received_on = models.DateField(_("mottaget"))
    answer_due = models.DateField(_("besvaras senast"))
    raised_by = models.CharField(_("lämnat av"), max_length=20, choices=ComplainantKind.choices)
    raised_by_name = models.CharField(_("namn på den som lämnat det"), max_length=200, blank=True)
    category = models.CharField(_("kategori"), max_length=20, choices=ComplaintCategory.choices)
    description = models.TextField(_("klagomålet"))
    # The municipality's registration number (diarienummer), when the case is registered there.
    registration_number = models.CharField(_("diarienummer"), max_length=50, blank=True)
    registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrerat av")
    )
    registered_at = models.DateTimeField(_("registrerat"), auto_now_add=True)
    answer_text = models.TextField(_("svar"), blank=True)
    answer_method = models.CharField(
        _("svaret lämnades"), max_length=20, choices=AnswerMethod.choices, blank=True
    )
    # The day the answer was given (the deadline is measured on it); recorded at `answered_at`.
    answered_on = models.DateField(_("besvarat"), null=True, blank=True)
    answered_at = models.DateTimeField(_("svaret registrerat"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besvarat av"),
    )
    closing_note = models.TextField(_("uppföljning och åtgärder"), blank=True)
    closed_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avslutat av"),
    )

    class Meta:
        verbose_name = _("klagomål")
        verbose_name_plural = _("klagomål")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(about="provider", provider__isnull=False)
                | Q(about="ordering_unit", provider__isnull=True),
                name="complaint_provider_when_about_provider",
            ),
            models.CheckConstraint(
                condition=Q(answer_due__gte=models.F("received_on")),
                name="complaint_due_after_received",
            ),
            models.CheckConstraint(
                condition=Q(
                    answered_on__isnull=True,
                    answered_at__isnull=True,
                    answered_by__isnull=True,
                    answer_text="",
                    answer_method="",
                )
                | (
                    Q(
                        answered_on__isnull=False,
                        answered_at__isnull=False,
                        answered_by__isnull=False,
                        answered_on__gte=models.F("received_on"),
                    )
                    & ~Q(answer_text="")
                    & ~Q(answer_method="")
                ),
                name="complaint_answer_whole",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True)
                | Q(closed_at__isnull=False, closed_by__isnull=False, answered_at__isnull=False),
                name="complaint_closed_after_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-received_on"], name="complaint_client"),
            # The statistics: per unit or provider and period.
            models.Index(fields=["ordering_unit", "received_on"], name="complaint_unit_received"),
            models.Index(fields=["provider", "received_on"], name="complaint_provider_received"),
            # The worklists: what is not closed, by deadline.
            models.Index(
                fields=["answer_due"],
                condition=Q(closed_at__isnull=True),
                name="complaint_not_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Klagomål {self.received_on} ({self.get_category_display().lower()})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="LiaisonMeetingEvent")
class LiaisonMeeting(models.Model):
    """A liaison meeting (avstämningsmöte) between an ordering unit and a provider, 002
    "Samverkan med hemtjänstutförare": in January, May and September with the providers that
    have 20 or more of the unit's clients, by phone with those that have 6 to 19
    (uppfoljning.liaison). Records the day, how it was held, who took part and the notes, and
    the period the meeting pack covered.

    The one who recorded it may correct the participants and the notes the same day; after
    that, anyone who records the unit's meetings adds to the notes (a dated addition at the
    end), so what was agreed is never rewritten (uppfoljning.liaison.amend_liaison_meeting).
    One meeting per unit, provider and day.
    """

    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        related_name="liaison_meetings",
        verbose_name=_("beställarenhet"),
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="liaison_meetings",
        verbose_name=_("utförare"),
    )
    held_on = models.DateField(_("mötesdag"))
    kind = models.CharField(_("mötesform"), max_length=10, choices=LiaisonMeetingKind.choices)
    period_start = models.DateField(_("underlaget från och med"))
    period_end = models.DateField(_("underlaget till och med"))
    participants = models.TextField(_("deltagare"))
    notes = models.TextField(_("anteckningar"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrerat av")
    )
    recorded_at = models.DateTimeField(_("registrerat"), auto_now_add=True)
    changed_at = models.DateTimeField(_("senast ändrat"), null=True, blank=True)

    class Meta:
        verbose_name = _("avstämningsmöte")
        verbose_name_plural = _("avstämningsmöten")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ordering_unit", "provider", "held_on"],
                name="liaison_meeting_one_a_day",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="liaison_meeting_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on} ({self.provider})"
