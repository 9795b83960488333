from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    READY = "ready", _("Klar, väntar på handläggaren")
    RETURNED = "returned", _("Återsänd av handläggaren")
    APPROVED = "approved", _("Godkänd av handläggaren")


class Participant(models.TextChoices):
    """Who took part in writing the plan (004 §3.2.2)."""

    CLIENT = "client", _("Brukaren")
    RELATIVE = "relative", _("Anhörig eller närstående")
    REPRESENTATIVE = "representative", _("Företrädare eller ombud")
    GUARDIAN = "guardian", _("God man eller förvaltare")


class MeetingPlace(models.TextChoices):
    HOME = "home", _("I brukarens hem")
    PHONE = "phone", _("Per telefon")
    OTHER = "other", _("På annan plats")


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", _("Godkänd")
    RETURNED = "returned", _("Återsänd")


class DeadlineStatus(models.TextChoices):
    """Whether the plan was ready within the municipality's deadline (004 §3.2.4)."""

    NOT_DUE = "not_due", _("Inte klar, tid kvar")
    ON_TIME = "on_time", _("Klar i tid")
    LATE = "late", _("Klar för sent")
    MISSING = "missing", _("Saknas")


# 004 §3.2.6 and Bilaga 5: the contact person's checklist, in order.
CHECKLIST_STEPS = (
    ("read_order", _("Läs beställningen")),
    ("prepare_meeting", _("Förbered mötet med brukaren")),
    ("welcome_and_life_story", _("Välkomstsamtal och levnadsberättelse")),
    ("inform", _("Informera om vad en genomförandeplan är")),
    ("write_together", _("Skriv planen tillsammans med brukaren")),
    ("check_against_order", _("För in planen och stäm av den mot beställningen")),
    ("go_through_with_client", _("Gå igenom planen med brukaren")),
    ("keep_current", _("Håll planen aktuell")),
)
