from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BestallningConfig(AppConfig):
    name = "bestallning"
    verbose_name = _("Beslut och beställningar")
