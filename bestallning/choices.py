from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Bifall")
    PARTLY_GRANTED = "partly_granted", _("Delvis bifall")
    REFUSED = "refused", _("Avslag")


class DecisionKind(models.TextChoices):
    """The type of intervention the decision grants (004 §2.2: "typ av insats"), as the order
    writes it: "Beslut: Bifall Omvårdnad SoL 4 kap. 1 §" (Bilaga 4)."""

    PERSONAL_CARE = "personal_care", _("Omvårdnad")
    SERVICE = "service", _("Service")
    PERSONAL_CARE_AND_SERVICE = "personal_care_and_service", _("Omvårdnad och service")


class ApprovalStatus(models.TextChoices):
    """A decision above the officer's delegation needs the unit manager (002 "Beskrivning")."""

    NOT_REQUIRED = "not_required", _("Inom delegation")
    PENDING = "pending", _("Väntar på enhetschef")
    APPROVED = "approved", _("Godkänt av enhetschef")
    REJECTED = "rejected", _("Inte godkänt av enhetschef")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SENT = "sent", _("Skickad")
    RECEIVED = "received", _("Mottagen")
    EXECUTED = "executed", _("Verkställd")
    SUPERSEDED = "superseded", _("Ersatt")
    ENDED = "ended", _("Avslutad")


class Period(models.TextChoices):
    PER_DAY = "per_day", _("per dag")
    PER_WEEK = "per_week", _("per vecka")
    EVERY_N_WEEKS = "every_n_weeks", _("var n:te vecka")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("mån")
    TUESDAY = 2, _("tis")
    WEDNESDAY = 3, _("ons")
    THURSDAY = 4, _("tors")
    FRIDAY = 5, _("fre")
    SATURDAY = 6, _("lör")
    SUNDAY = 7, _("sön")


class FunctionLevel(models.TextChoices):
    MILD = "mild", _("Lätt")
    MODERATE = "moderate", _("Måttlig")
    SEVERE = "severe", _("Stor")
    TOTAL = "total", _("Total")


class SupportOrientation(models.TextChoices):
    SUPPORTIVE = "supportive", _("Stödjande/tränande")
    COMPENSATORY = "compensatory", _("Kompenserande")
    UNSPECIFIED = "unspecified", _("Ospecificerat")


class NeedChangeDirection(models.TextChoices):
    INCREASED = "increased", _("Ökat behov")
    DECREASED = "decreased", _("Minskat behov")


class NeedChangeDuration(models.TextChoices):
    LASTING = "lasting", _("Varaktigt")
    TEMPORARY = "temporary", _("Tillfälligt")


class NeedChangeReason(models.TextChoices):
    ILLNESS = "illness", _("Sjukdom")
    DOUBLE_STAFFING = "double_staffing", _("Behov av dubbelbemanning")
    HOSPITAL = "hospital", _("Sjukhusvistelse eller korttidsvistelse")
    OTHER = "other", _("Annat")


class NeedChangeAnswer(models.TextChoices):
    NEW_ORDER = "new_order", _("Ny beställning")
    NO_CHANGE = "no_change", _("Ingen ändring")
