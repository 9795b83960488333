from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenomforandeplanConfig(AppConfig):
    name = "genomforandeplan"
    verbose_name = _("Genomförandeplaner")
