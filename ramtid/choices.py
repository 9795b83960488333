from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Biståndshandläggare")
    UNIT_MANAGER = "unit_manager", _("Enhetschef")
    PROVIDER_COORDINATOR = "provider_coordinator", _("Samordnare hos utförare")
    CONTACT_PERSON = "contact_person", _("Kontaktman")
    FEE_OFFICER = "fee_officer", _("Avgiftshandläggare")
    ADMINISTRATOR = "administrator", _("Administratör")
    # Issue 10: the municipality's log review (loggkontroll). Reads the audit trail, not cases.
    SECURITY_OFFICER = "security_officer", _("Loggkontrollant")


ORDERING_UNIT_ROLES = frozenset({Role.CASE_OFFICER, Role.UNIT_MANAGER})
PROVIDER_ROLES = frozenset({Role.PROVIDER_COORDINATOR, Role.CONTACT_PERSON})
MUNICIPALITY_ROLES = frozenset({Role.FEE_OFFICER, Role.ADMINISTRATOR, Role.SECURITY_OFFICER})


class ProviderKind(models.TextChoices):
    COMPANY = "company", _("Privat utförare")
    MUNICIPAL = "municipal", _("Kommunal utförare")


class Gender(models.TextChoices):
    # Recorded for equality statistics (003: decisions should be equal for women and men).
    FEMALE = "female", _("Kvinna")
    MALE = "male", _("Man")
    OTHER = "other", _("Annat eller ej angivet")


class RelativeKind(models.TextChoices):
    NEXT_OF_KIN = "next_of_kin", _("Närstående")
    GOOD_MAN = "good_man", _("God man")
    ADMINISTRATOR = "administrator", _("Förvaltare")
    AGENT = "agent", _("Ombud")


class InterventionCategory(models.TextChoices):
    SERVICE = "service", _("Serviceinsats")
    PERSONAL_CARE = "personal_care", _("Omvårdnadsinsats")


class AccessAction(models.TextChoices):
    LIST = "list", _("Visade i lista")
    VIEW = "view", _("Öppnade")
    EXPORT = "export", _("Exporterade")
    API = "api", _("Hämtade via API")


class AccessChannel(models.TextChoices):
    """How the reader was signed in: a browser session, or an API token (a system's key)."""

    SESSION = "session", _("Inloggad i webbläsaren")
    TOKEN = "token", _("API-nyckel")
