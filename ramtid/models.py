"""The shared core: municipalities and their rules, organisations, people, the catalogues, audit."""

from __future__ import annotations

import datetime

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from ramtid import personal_number
from ramtid.choices import (
    AccessAction,
    AccessChannel,
    Gender,
    InterventionCategory,
    ProviderKind,
    RelativeKind,
    Role,
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="MunicipalityEvent",
)
class Municipality(models.Model):
    """A municipality and its rules, as data (DOMAIN.md §8). Defaults are Järfälla's (004)."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    code = models.CharField(
        _("kommunkod"),
        max_length=4,
        unique=True,
        help_text=_("Fyra siffror, t.ex. 0123 för Järfälla."),
    )
    # 004 §3.2.4, §4.1.1: the plan is ready within 14 days of the start (Stockholm: 15, 002).
    plan_deadline_days = models.PositiveSmallIntegerField(
        _("dagar till klar genomförandeplan"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # 004 §3.2.3: contact person and deputy offered within 5 days (Järfälla's dignity guarantee).
    contact_person_days = models.PositiveSmallIntegerField(
        _("dagar till erbjuden kontaktman"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # 004 §1.4.1: ramtid covers help given 07:00–22:00.
    ramtid_window_start = models.TimeField(_("ramtid gäller från"), default=datetime.time(7, 0))
    ramtid_window_end = models.TimeField(_("ramtid gäller till"), default=datetime.time(22, 0))
    # 004 §4.1.2: the monthly comparison is made no earlier than day 5.
    monthly_check_day = models.PositiveSmallIntegerField(
        _("dag i månaden för tidsuppföljning"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # 004 §4.1.2: the officer decides on the month's explanations before the billing run; by
    # this day of the following month the month is decided and then frozen.
    billing_day = models.PositiveSmallIntegerField(
        _("dag i följande månad för räkningskörning"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Senast denna dag i månaden efter ska förklaringar vara beslutade."),
    )
    # A month is within tolerance when performed time is off by at most this share of the ordered
    # time, or by at most the minutes below, whichever is more (small orders would otherwise be
    # flagged for a single long visit).
    time_tolerance_percent = models.PositiveSmallIntegerField(
        _("tolerans för tidsavvikelse, procent"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    time_tolerance_minutes = models.PositiveSmallIntegerField(
        _("tolerans för tidsavvikelse, minuter"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(6000)],
    )
    # 003: at most ten different staff per client in two weeks (Stockholm's goal).
    continuity_goal = models.PositiveSmallIntegerField(
        _("mål för personalkontinuitet, högst antal personal på 14 dagar"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # 004 §4.1.3: over or under for three months → individual review.
    consecutive_months_before_review = models.PositiveSmallIntegerField(
        _("månader i följd med avvikelse före individuppföljning"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # 004 §3.2.6 step 7, §4.2.2: the provider follows the plan up at least every 6 months.
    plan_follow_up_months = models.PositiveSmallIntegerField(
        _("månader mellan uppföljningar av genomförandeplan"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    # 004 §4.1.4: individual review at least once a year.
    review_interval_months = models.PositiveSmallIntegerField(
        _("månader mellan individuppföljningar"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    # 002 "Rutiner": Stockholm also follows up 2 months after execution. Empty: no such review.
    first_review_after_months = models.PositiveSmallIntegerField(
        _("månader efter verkställighet till första uppföljning"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    # 002 "Synpunkter och klagomål": whoever complained has an answer within 14 days.
    complaint_answer_days = models.PositiveSmallIntegerField(
        _("dagar att besvara klagomål"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Räknas från den dag klagomålet togs emot."),
    )
    # 002 "Beskrivning": officers may decide up to 136 h/month. Empty: no limit is set.
    delegation_hours = models.PositiveSmallIntegerField(
        _("delegation, timmar per månad"),
        null=True,
        blank=True,
        help_text=_("Beslut över gränsen kräver enhetschefens godkännande. Tomt: ingen gräns."),
        validators=[MinValueValidator(1), MaxValueValidator(744)],
    )
    # Issue 10: a provider sees a client while an order is in force with it and this many days
    # after the order ended (for the last visits, the plan's close, the time follow-up).
    provider_access_days = models.PositiveSmallIntegerField(
        _("dagar som utföraren ser brukaren efter avslutad beställning"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    # Issue 10 (gallring): a client's records are removed or made anonymous this many years after
    # the last entry about the client (SoL's documentation: 5 years is the common default).
    retention_years = models.PositiveSmallIntegerField(
        _("gallringsfrist, år efter senaste anteckning"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # The month conversion for the time basis (004 §2.4): 365.25 / 12 and 52.18 / 12.
    days_per_month = models.DecimalField(
        _("dagar per månad"),
        max_digits=5,
        decimal_places=3,
        default="30.440",
        validators=[MinValueValidator(28), MaxValueValidator(31)],
    )
    weeks_per_month = models.DecimalField(
        _("veckor per månad"),
        max_digits=5,
        decimal_places=3,
        default="4.350",
        validators=[MinValueValidator(4), MaxValueValidator(5)],
    )

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{4}$"), name="municipality_code_four_digits"
            ),
            models.CheckConstraint(
                condition=Q(ramtid_window_start__lt=models.F("ramtid_window_end")),
                name="municipality_ramtid_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderingUnit(models.Model):
    """A unit of case officers (beställarenhet), e.g. a city district's needs-assessment unit."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="ordering_units",
        verbose_name=_("kommun"),
    )
    name = models.CharField(_("namn"), max_length=150)

    class Meta:
        verbose_name = _("beställarenhet")
        verbose_name_plural = _("beställarenheter")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="ordering_unit_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality})"


class Provider(models.Model):
    """A home-care provider (utförare): a company under LOV or the municipality's own unit."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="providers", verbose_name=_("kommun")
    )
    name = models.CharField(_("namn"), max_length=150)
    kind = models.CharField(_("typ"), max_length=20, choices=ProviderKind.choices)
    organisation_number = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        blank=True,
        help_text=_("NNNNNN-NNNN. Tomt för kommunens egen utförare."),
    )

    class Meta:
        verbose_name = _("utförare")
        verbose_name_plural = _("utförare")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="provider_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(
    pghistory.InsertEvent(),
    # A sign-in changes last_login: that is not a change to the account. The password's hash is
    # never copied into the trail; that it changed is recorded.
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude=["last_login", "password"])),
    pghistory.UpdateEvent("password_changed", condition=pghistory.AnyChange("password")),
    pghistory.DeleteEvent(),
    # Events of DRF's tokens, made and deleted before ApiToken (which has its own events) took
    # their place: the trail may still hold them.
    pghistory.ManualEvent("api_token_created"),
    pghistory.ManualEvent("api_token_deleted"),
    exclude=["password", "last_login"],
    model_name="UserEvent",
)
class User(AbstractUser):
    """A person who logs in, or a system's integration account. What they may do comes from
    their memberships, not from the user."""

    # Issue 10: API tokens are given only to integration accounts (a provider's or a unit's
    # system), never to a person, so nobody can act through a key made for somebody else.
    is_integration_account = models.BooleanField(
        _("integrationskonto"),
        default=False,
        help_text=_(
            "Ett konto för ett annat systems anslutning (t.ex. utförarens "
            "dokumentationssystem), inte för en person. Bara integrationskonton får API-nycklar."
        ),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


@pghistory.track(
    pghistory.InsertEvent("granted"),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent("revoked"),
    model_name="MembershipEvent",
)
class Membership(models.Model):
    """A user's role in one organisation: an ordering unit, a provider or the municipality.

    A role granted in the admin gives access to case data only once a unit manager, a second
    person, has approved it (issue 10): until then `approved_at` is empty and the role counts
    for nothing (ramtid.permissions.memberships). Roles made by the system's own loaders are
    approved when made (the database default).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("användare")
    )
    role = models.CharField(_("roll"), max_length=30, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("kommun"),
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("beställarenhet"),
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("utförare"),
    )
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tilldelad av"),
    )
    approved_at = models.DateTimeField(_("godkänd"), null=True, blank=True, db_default=Now())
    approved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkänd av"),
    )

    class Meta:
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        constraints = [
            # Officers and managers belong to an ordering unit; provider staff to a provider;
            # fee officers and administrators to the municipality alone.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["case_officer", "unit_manager"],
                        ordering_unit__isnull=False,
                        provider__isnull=True,
                    )
                    | Q(
                        role__in=["provider_coordinator", "contact_person"],
                        provider__isnull=False,
                        ordering_unit__isnull=True,
                    )
                    | Q(
                        role__in=["fee_officer", "administrator", "security_officer"],
                        provider__isnull=True,
                        ordering_unit__isnull=True,
                    )
                ),
                name="membership_organisation_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality", "ordering_unit", "provider"],
                nulls_distinct=False,
                name="membership_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.ordering_unit or self.provider or self.municipality
        return f"{self.get_role_display()}, {where}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ClientEvent",
)
class Client(models.Model):
    """The person who receives home care (brukare, den enskilde)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="clients", verbose_name=_("kommun")
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("beställarenhet"),
    )
    responsible_officer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("ansvarig handläggare"),
    )
    personal_number = models.CharField(
        _("personnummer"), max_length=12, validators=[personal_number.validate]
    )
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("postort"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    protected_identity = models.BooleanField(
        _("skyddade personuppgifter"),
        default=False,
        help_text=_("Adress och telefon visas bara för ansvarig handläggare."),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    # Gallring (issue 10, uppfoljning.retention): the day the client's personal data was removed.
    # The row stays for the statistics, and is in no list or page of clients any more.
    removed_on = models.DateField(_("gallrad"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("brukare")
        verbose_name_plural = _("brukare")
        ordering = ["last_name", "first_name", "id"]
        # The client list's order: a page of a provider's thousands of clients is read in
        # order from the index instead of sorting them all.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="client_name_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "personal_number"], name="client_unique_personal_number"
            ),
            models.CheckConstraint(
                condition=Q(personal_number__regex=r"^\d{12}$"),
                name="client_personal_number_twelve_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def personal_number_display(self) -> str:
        return personal_number.display(self.personal_number)

    @property
    def personal_number_masked(self) -> str:
        return personal_number.masked(self.personal_number)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ClientRelativeEvent",
)
class ClientRelative(models.Model):
    """A relative or representative (närstående, god man, förvaltare, ombud) of a client."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="relatives", verbose_name=_("brukare")
    )
    kind = models.CharField(_("typ"), max_length=20, choices=RelativeKind.choices)
    name = models.CharField(_("namn"), max_length=200)
    relationship = models.CharField(
        _("relation"), max_length=100, blank=True, help_text=_("T.ex. dotter, make, granne.")
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)

    class Meta:
        verbose_name = _("närstående eller företrädare")
        verbose_name_plural = _("närstående och företrädare")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"


class InterventionType(models.Model):
    """An intervention in the catalogue (insatskatalog) with its standard time (schablontid).

    Rows without a municipality are the default catalogue of DOMAIN.md §3, loaded by migration;
    a new municipality starts with a copy of it (ramtid.services.municipality_create), which its
    administrator then edits.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intervention_types",
        verbose_name=_("kommun"),
    )
    name = models.CharField(_("namn"), max_length=100)
    category = models.CharField(_("kategori"), max_length=20, choices=InterventionCategory.choices)
    standard_minutes = models.PositiveSmallIntegerField(
        _("schablontid (minuter)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    is_care_package = models.BooleanField(
        _("omvårdnadspaket"),
        default=False,
        help_text=_("Kräver minst tre omvårdnadsinsatser vid samma besök (004 §2.4.2)."),
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("insats i katalogen")
        verbose_name_plural = _("insatskatalog")
        ordering = ["category", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                nulls_distinct=False,
                name="intervention_type_unique_name",
            ),
            models.CheckConstraint(
                condition=Q(is_care_package=False) | Q(category="personal_care"),
                name="intervention_type_care_package_is_personal_care",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LifeArea(models.Model):
    """An ICF life area as used in IBIC (004 Bilaga 6), loaded by migration."""

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    name = models.CharField(_("namn"), max_length=150)
    description = models.TextField(_("innefattar"))
    grants_interventions = models.BooleanField(
        _("insatser beviljas utifrån området"),
        default=True,
        help_text=_("Område 11 markerar indirekt stöd till anhörig; insatser ges inte därifrån."),
    )

    class Meta:
        verbose_name = _("livsområde")
        verbose_name_plural = _("livsområden")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class LifeAreaCategory(models.Model):
    """A subcategory of a life area (004 Bilaga 6 'Underkategorier')."""

    life_area = models.ForeignKey(
        LifeArea,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("livsområde"),
    )
    name = models.CharField(_("namn"), max_length=150)
    position = models.PositiveSmallIntegerField(_("ordning"))

    class Meta:
        verbose_name = _("underkategori")
        verbose_name_plural = _("underkategorier")
        ordering = ["life_area__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["life_area", "name"], name="life_area_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AccessLog(models.Model):
    """Who read clients' data, when, how and from where (the read half of the audit trail).

    One row per request, naming every client it showed: a list page of 50 clients is one row
    with 50 ids, not 50 rows (issue 8: one row per client made this the largest table within
    half an hour of load). "Who saw client X, when" is `client_ids @> {X}`, served by the GIN
    index, whose pending list keeps each insert cheap however many ids it carries. The ids are
    not foreign keys (PostgreSQL has none for array elements); a log outlives what it names.
    `channel` says whether a browser session or an API token was used.

    Writes are recorded by pghistory's triggers (ClientEvent, ClientRelativeEvent, …). Both are
    append-only in the database: a trigger refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("användare")
    )
    client_ids = ArrayField(models.BigIntegerField(), verbose_name=_("brukare som visades"))
    action = models.CharField(_("åtgärd"), max_length=10, choices=AccessAction.choices)
    what = models.CharField(_("vad"), max_length=200)
    ip_address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    channel = models.CharField(
        _("inloggning"), max_length=10, choices=AccessChannel.choices, blank=True, default=""
    )
    # The roles and organisations the user held when reading ("Biståndshandläggare, Norr"):
    # text, since a role may be revoked long before the log is reviewed.
    acted_as = models.CharField(_("i roll"), max_length=300, blank=True, db_default="")

    class Meta:
        verbose_name = _("åtkomstlogg")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-at", "-id"]
        indexes = [GinIndex(fields=["client_ids"], name="access_log_client_ids")]
        constraints = [
            models.CheckConstraint(
                condition=Q(client_ids__len__gt=0), name="access_log_names_a_client"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


@pghistory.track(
    pghistory.InsertEvent("drawn"),
    pghistory.UpdateEvent("concluded"),
    model_name="AccessLogReviewEvent",
)
class AccessLogReview(models.Model):
    """One monthly log review (loggkontroll, issue 10): a random sample of the access log of a
    municipality over a period, drawn by a log reviewer, and the reviewer's conclusion."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommun")
    )
    period_start = models.DateField(_("från och med"))
    period_end = models.DateField(_("till och med"))
    # The AccessLog rows drawn, in the order drawn.
    sample = ArrayField(models.BigIntegerField(), verbose_name=_("stickprov"))
    drawn_at = models.DateTimeField(_("draget"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("dragen av")
    )
    conclusion = models.TextField(_("slutsats"), blank=True)
    concluded_at = models.DateTimeField(_("slutsats given"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("slutsats av"),
    )

    class Meta:
        verbose_name = _("loggkontroll")
        verbose_name_plural = _("loggkontroller")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="access_log_review_period_ordered",
            )
        ]
        # The sample as drawn stays as drawn, its conclusion is given once, and no review is
        # deleted: in the database, for the application's role too (not named append_only,
        # which would forbid the one update, the conclusion).
        triggers = [
            pgtrigger.Protect(
                name="drawn_as_drawn",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(
                    "municipality", "period_start", "period_end", "sample", "drawn_at", "drawn_by"
                ),
            ),
            pgtrigger.Protect(
                name="concluded_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__concluded_at__isnull=False),
            ),
            pgtrigger.Protect(name="kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"Loggkontroll {self.period_start}–{self.period_end}"


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("revoked", condition=pghistory.AnyChange("revoked_at")),
    model_name="ApiTokenEvent",
    exclude=["key_hash", "last_used_at"],
)
class ApiToken(models.Model):
    """A system's key to the API (issue 10): made for an integration account only, named,
    scoped to one provider or one ordering unit and to reading or also writing, expiring and
    revocable. Only the key's SHA-256 is stored (a random 256-bit key needs no slow hash); the
    key itself is shown once, when made. `prefix` (the key's first characters) names it in lists
    and logs."""

    name = models.CharField(_("namn"), max_length=100)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("konto")
    )
    prefix = models.CharField(_("nyckelns början"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförare"),
    )
    ordering_unit = models.ForeignKey(
        OrderingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beställarenhet"),
    )
    can_write = models.BooleanField(_("får skriva"), default=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    expires_at = models.DateTimeField(_("giltig till"))
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återkallad av"),
    )
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(provider__isnull=False, ordering_unit__isnull=True)
                    | Q(provider__isnull=True, ordering_unit__isnull=False)
                ),
                name="api_token_one_organisation",
                violation_error_message=_(
                    "Välj antingen en utförare eller en beställarenhet, inte båda."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
