from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    """A visit's status in the provider's time registration (the file's `status` column)."""

    PERFORMED = "performed", _("Utförd")
    DECLINED = "declined", _("Avböjd")
    ABSENT = "absent", _("Frånvaro")


# The file's Swedish words for the statuses, lower case (the import also accepts them without
# diacritics, as some exports write them).
VISIT_STATUS_WORDS = {
    "utförd": VisitStatus.PERFORMED,
    "utford": VisitStatus.PERFORMED,
    "avböjd": VisitStatus.DECLINED,
    "avbojd": VisitStatus.DECLINED,
    "frånvaro": VisitStatus.ABSENT,
    "franvaro": VisitStatus.ABSENT,
}


class ImportChannel(models.TextChoices):
    FILE = "file", _("Fil")
    API = "api", _("API")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Väntar")
    RUNNING = "running", _("Läses in")
    DONE = "done", _("Inläst")
    REJECTED = "rejected", _("Avvisad")
    FAILED = "failed", _("Avbruten av ett fel")


class TimeStatus(models.TextChoices):
    """Performed against ordered time for a month, against the municipality's tolerance."""

    WITHIN = "within", _("Inom toleransen")
    OVER = "over", _("Överskriden")
    UNDER = "under", _("Underskriden")


class ExplanationCategory(models.TextChoices):
    """Why a month's performed time differs from the ordered (004 §3.4.1, §4.1.2)."""

    ABSENCE = "absence", _("Frånvaro (sjukhus, korttidsboende, anhöriga)")
    DECLINED = "declined", _("Brukaren har avböjt besök")
    TEMPORARY_NEED = "temporary_need", _("Tillfälligt ändrat behov")
    LASTING_NEED = "lasting_need", _("Varaktigt ändrat behov (förändrat behov anmält)")
    REGISTRATION = "registration", _("Fel i tidsregistreringen")
    OTHER = "other", _("Annat")


class ExplanationDecision(models.TextChoices):
    APPROVED = "approved", _("Godkänd")
    REJECTED = "rejected", _("Avslagen")


class NoticeKind(models.TextChoices):
    CONTACT_PERSON_MISSING = "contact_person_missing", _("Kontaktman inte utsedd")
    PLAN_LATE = "plan_late", _("Genomförandeplan inte klar i tid")
    PLAN_FOLLOW_UP_DUE = "plan_follow_up_due", _("Uppföljning av genomförandeplan")


class ReviewReason(models.TextChoices):
    """Why an individual review (individuppföljning) is due (004 §4.1.4, 002 "Rutiner")."""

    YEARLY = "yearly", _("Årlig uppföljning")
    AFTER_EXECUTION = "after_execution", _("Uppföljning efter verkställighet")
    TIME_DEVIATION = "time_deviation", _("Avvikande tid flera månader i följd")
    NEED_CHANGE = "need_change", _("Förändrat behov")


class ReviewOutcome(models.TextChoices):
    UNCHANGED = "unchanged", _("Oförändrat")
    NEW_ORDER = "new_order", _("Ny beställning")
    DECISION_RECONSIDERED = "decision_reconsidered", _("Beslutet omprövas")


class RetentionRunKind(models.TextChoices):
    """A retention run (gallring, uppfoljning.retention): the report made a month ahead, or the
    removal that carries it out."""

    REPORT = "report", _("Förhandsrapport")
    REMOVAL = "removal", _("Gallring")


class ComplaintAbout(models.TextChoices):
    """Whose work a complaint (synpunkt eller klagomål, 002) concerns: that organisation
    answers it."""

    PROVIDER = "provider", _("Utförarens insatser")
    ORDERING_UNIT = "ordering_unit", _("Beställarenhetens handläggning")


class ComplainantKind(models.TextChoices):
    """Who raised the complaint."""

    CLIENT = "client", _("Brukaren")
    RELATIVE = "relative", _("Anhörig eller närstående")
    REPRESENTATIVE = "representative", _("God man, förvaltare eller ombud")
    STAFF = "staff", _("Personal")
    OTHER = "other", _("Annan")


class ComplaintCategory(models.TextChoices):
    """What the complaint is about, in the groups municipal complaint registers count."""

    TREATMENT = "treatment", _("Bemötande")
    QUALITY = "quality", _("Insatsernas kvalitet och utförande")
    TIMES = "times", _("Tider, sena eller uteblivna besök")
    CONTINUITY = "continuity", _("Personalkontinuitet")
    INFORMATION = "information", _("Information och delaktighet")
    CASE_HANDLING = "case_handling", _("Handläggning och beslut")
    FEES = "fees", _("Avgifter")
    OTHER = "other", _("Annat")


class AnswerMethod(models.TextChoices):
    """How the answer reached the person who complained."""

    WRITTEN = "written", _("Skriftligt (brev eller e-post)")
    PHONE = "phone", _("Per telefon")
    MEETING = "meeting", _("Vid möte eller hembesök")


class LiaisonMeetingKind(models.TextChoices):
    """How the ordering unit meets a provider (002 "Avstämningsmöten"): a meeting for providers
    with 20 or more of the unit's clients, a phone meeting for those with 6 to 19."""

    MEETING = "meeting", _("Avstämningsmöte")
    PHONE = "phone", _("Telefonmöte")
