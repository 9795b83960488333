from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RamtidConfig(AppConfig):
    name = "ramtid"
    verbose_name = _("Grunddata")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from ramtid.database_roles import on_post_migrate
        from ramtid.session_timeout import start_clock

        # After every migrate, as the owner: the trigger guard and the application role's grants.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="ramtid_database_roles")
        # The idle timeout and the longest session count from signing in.
        user_logged_in.connect(start_clock, dispatch_uid="ramtid_session_clock")
