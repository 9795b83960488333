from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RamtidConfig(AppConfig):
    name = "ramtid"
    verbose_name = _("Grunddata")

    def ready(self):
        from ramtid.database_roles import on_post_migrate

        # After every migrate, as the owner: the trigger guard and the application role's grants.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="ramtid_database_roles")
