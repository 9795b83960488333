"""Implementation plans (genomförandeplaner), 004 §3 and Bilaga 5: written by the provider's
contact person together with the client, checked against the order, approved by the officer."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestallning import rules as order_rules
from bestallning.choices import Period
from bestallning.models import Order, bounded
from genomforandeplan.choices import MeetingPlace, PlanStatus, ReviewOutcome
from genomforandeplan.states import PlanState
from ramtid.models import Client, InterventionType, Provider, User


class Headings(models.Model):
    """The five headings of 004 §3.3, in the client's own words."""

    can_do_myself = models.TextField(
        _("Vad jag klarar själv eller kan vara delaktig i"), blank=True
    )
    need_help_with = models.TextField(_("Vad jag behöver hjälp med"), blank=True)
    how_and_when = models.TextField(_("Hur och när ska hjälpen utföras"), blank=True)
    who_helps = models.TextField(_("Vem/vilka ska utföra hjälpen"), blank=True)
    my_goal = models.TextField(_("Mitt mål"), blank=True)

    class Meta:
        abstract = True


HEADING_FIELDS = ("can_do_myself", "need_help_with", "how_and_when", "who_helps", "my_goal")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ContactAssignmentEvent",
)
class ContactAssignment(models.Model):
    """The client's contact person and deputy at the provider (004 §3.2.3: offered within 5 days
    of the start in Järfälla)."""

    order = models.OneToOneField(
        Order,
        on_delete=models.PROTECT,
        related_name="contact_assignment",
        verbose_name=_("beställning"),
    )
    contact_person = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("kontaktman")
    )
    deputy = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ersättare"),
    )
    assigned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("utsedd av")
    )
    assigned_on = models.DateField(_("utsedd"))

    class Meta:
        verbose_name = _("kontaktman")
        verbose_name_plural = _("kontaktmän")
        constraints = [
            models.CheckConstraint(
                condition=~Q(deputy=models.F("contact_person")),
                name="contact_assignment_deputy_is_another_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.contact_person)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ImplementationPlanEvent",
    # Derived from the items and the order (services.refresh_coverage), not written by anyone:
    # its refresh is no event of the plan's history.
    exclude=["covers_order"],
)
class ImplementationPlan(Headings):
    """The living plan for one client at one provider. Its completed versions are kept in
    PlanVersion; this row is the working copy the contact person edits."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="plans", verbose_name=_("brukare")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="plans", verbose_name=_("utförare")
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("beställning planen är skriven mot"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    planned_daily_visits = models.PositiveSmallIntegerField(
        _("planerade besök per dag"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    participants = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name=_("deltog")
    )
    meeting_place = models.CharField(
        _("var"), max_length=10, choices=MeetingPlace.choices, blank=True
    )
    meeting_place_other = models.CharField(_("annan plats"), max_length=200, blank=True)
    client_influence = models.TextField(_("hur brukaren påverkade planen"), blank=True)
    deviation_reason = models.TextField(
        _("varför brukaren inte kunde eller ville delta"), blank=True
    )
    deviation_helper = models.CharField(
        _("vem som hjälpte till i stället"), max_length=200, blank=True
    )
    life_story = models.TextField(_("levnadsberättelse"), blank=True)
    checklist = models.JSONField(_("checklista"), default=dict, blank=True)
    coverage_reasons = models.JSONField(
        _("skäl till avvikelser mot beställningen"), default=dict, blank=True
    )
    client_approved_on = models.DateField(_("brukaren godkände"), null=True, blank=True)
    client_approval_how = models.CharField(_("hur brukaren godkände"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("påbörjad av")
    )
    created_at = models.DateTimeField(_("påbörjad"), auto_now_add=True)
    # The coverage check's answer for the plan as it is now against `order` (rules.coverage_gaps
    # finds no difference: reports.PlanCoversOrder), stored so that the coverage report, the
    # managers' dashboard and the liaison pack count a provider's plans without checking each
    # on every read. Kept current by services.refresh_coverage, which every write of the items,
    # the daily visits or the plan's order calls; None: not computed.
    covers_order = models.BooleanField(
        _("täcker beställningen helt"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("genomförandeplan")
        verbose_name_plural = _("genomförandeplaner")
        ordering = ["client__last_name", "client__first_name"]
        indexes = [
            # The few returned plans, looked up by the provider's "planer att skriva" for every
            # order it has (genomforandeplan.selectors.plan_returned): a small index, not a scan
            # of every plan in the municipality.
            models.Index(
                fields=["client", "provider"],
                condition=Q(status="returned"),
                name="plan_returned",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "provider"], name="plan_one_per_provider"),
            models.CheckConstraint(
                condition=Q(
                    participants__contained_by=["client", "relative", "representative", "guardian"]
                ),
                name="plan_participants_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Genomförandeplan för {self.client}"

    @property
    def state(self) -> PlanState:
        """The status as the state table's booleans (genomforandeplan.states), for templates."""
        return PlanState.of(self)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PlanItemEvent",
)
class PlanItem(Headings):
    """One planned intervention, with the five headings and how often it is given."""

    plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("genomförandeplan"),
    )
    intervention_type = models.ForeignKey(
        InterventionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("insats")
    )
    period = models.CharField(_("period"), max_length=20, choices=Period.choices)
    occasions = models.PositiveSmallIntegerField(
        _("antal tillfällen"), validators=bounded(order_rules.OCCASIONS)
    )
    every_n_weeks = models.PositiveSmallIntegerField(
        _("var n:te vecka"),
        default=1,
        validators=bounded((1, order_rules.EVERY_N_WEEKS[1])),
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("planerad insats")
        verbose_name_plural = _("planerade insatser")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(self.intervention_type)


class PlanVersion(models.Model):
    """A completed version: what the client approved, frozen. The database refuses to change
    or delete it, so an approved version is exactly what was approved."""

    plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("genomförandeplan"),
    )
    number = models.PositiveIntegerField(_("versionsnummer"))
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="+", verbose_name=_("beställning")
    )
    snapshot = models.JSONField(_("innehåll"))
    # The day the client approved the version, as the contact person entered it: the plan is
    # ready then (004 §3.2.8), so the deadline is measured on it. The server's own time of the
    # completion stays beside it in created_at.
    client_approved_on = models.DateField(_("brukaren godkände"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("klarmarkerad av")
    )
    created_at = models.DateTimeField(_("klarmarkerad"), auto_now_add=True)

    class Meta:
        verbose_name = _("version av genomförandeplan")
        verbose_name_plural = _("versioner av genomförandeplaner")
        ordering = ["plan", "-number"]
        indexes = [
            models.Index(fields=["order", "client_approved_on"], name="plan_version_order_ready")
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"


class PlanReview(models.Model):
    """The officer's check of a completed version against the order (004 §4.1.1)."""

    version = models.OneToOneField(
        PlanVersion, on_delete=models.PROTECT, related_name="review", verbose_name=_("version")
    )
    outcome = models.CharField(_("beslut"), max_length=10, choices=ReviewOutcome.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("granskad av")
    )
    reviewed_at = models.DateTimeField(_("granskad"), auto_now_add=True)

    class Meta:
        verbose_name = _("granskning av genomförandeplan")
        verbose_name_plural = _("granskningar av genomförandeplaner")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="returned") | ~Q(comment=""),
                name="plan_review_return_has_comment",
            )
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


@pghistory.track(pghistory.InsertEvent(), model_name="PlanFollowUpEvent")
class PlanFollowUp(models.Model):
    """The provider's follow-up of the plan: at least every 6 months and when needs change
    (004 §3.2.6 step 7, §4.2.2)."""

    plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("genomförandeplan"),
    )
    followed_up_on = models.DateField(_("uppföljd"))
    notes = models.TextField(_("vad uppföljningen visade"))
    needs_changed = models.BooleanField(_("behoven har ändrats"), default=False)
    followed_up_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uppföljd av")
    )

    class Meta:
        verbose_name = _("uppföljning av genomförandeplan")
        verbose_name_plural = _("uppföljningar av genomförandeplaner")
        ordering = ["-followed_up_on", "-id"]
        # The last follow-up of a plan, read for every plan a worklist considers.
        indexes = [
            models.Index(
                "plan", models.F("followed_up_on").desc(), name="plan_follow_up_plan_latest"
            )
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.followed_up_on}"
