from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RamtidConfig(AppConfig):
    name = "ramtid"
    verbose_name = _("Grunddata")
