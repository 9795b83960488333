"""API keys (issue 10): ramtid.ApiToken replaces DRF's authtoken.

DRF's tokens were made for any user, stored in plain text and scoped to nothing, so they cannot
become scoped keys: they are removed, table and all, and the integration accounts need new keys
(README "Säkerhet och dataskydd"). `rest_framework.authtoken` is no longer installed; its
migrations' records go too, so installing it again would start from an empty table. Its content
type and permissions stay until `manage.py remove_stale_contenttypes` (nothing reads them).
"""

from django.db import migrations, models

DROP_DRF_TOKENS = """
DROP TABLE IF EXISTS "authtoken_token";
DELETE FROM "django_migrations" WHERE "app" = 'authtoken';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ramtid", "0008_security_models"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="apitoken",
            name="api_token_one_organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ordering_unit__isnull", True), ("provider__isnull", False)),
                    models.Q(("ordering_unit__isnull", False), ("provider__isnull", True)),
                    _connector="OR",
                ),
                name="api_token_one_organisation",
                violation_error_message=(
                    "Välj antingen en utförare eller en beställarenhet, inte båda."
                ),
            ),
        ),
        # The keys are gone for good: going back does not bring them back.
        migrations.RunSQL(DROP_DRF_TOKENS, reverse_sql=migrations.RunSQL.noop),
    ]
