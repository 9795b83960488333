"""The access log: one row per request with the ids of the clients it showed (issue 8).

Each old row named one client, so it becomes a row whose array holds that one id. The rows are
rewritten in place, which the append-only trigger refuses: it is dropped at the start and put
back at the end, and since the migration is one transaction nobody sees the table without it.

Reversing splits every row back into one row per client (the first id stays in the row, the
others become copies of it), so the migration can be unapplied on a populated table too.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

APPEND_ONLY = pgtrigger.compiler.Trigger(
    name="append_only",
    sql=pgtrigger.compiler.UpsertTriggerSql(
        func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', "
        "TG_TABLE_NAME;",
        hash="4893420f3bcfaf5088d3e81e4c4a09d0831afb61",
        operation="UPDATE OR DELETE",
        pgid="pgtrigger_append_only_41b21",
        table="ramtid_accesslog",
        when="BEFORE",
    ),
)

ONE_ID_PER_OLD_ROW = "UPDATE ramtid_accesslog SET client_ids = ARRAY[client_id];"

# Backwards: the foreign key comes back checked at once, so that no checks are pending when the
# array column is dropped (PostgreSQL refuses ALTER TABLE with pending trigger events).
ONE_ROW_PER_ID = """
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO ramtid_accesslog (at, user_id, action, what, ip_address, client_id)
    SELECT log.at, log.user_id, log.action, log.what, log.ip_address, shown.id
    FROM ramtid_accesslog log, unnest(log.client_ids[2:]) AS shown(id)
    WHERE log.client_ids IS NOT NULL;
UPDATE ramtid_accesslog SET client_id = client_ids[1] WHERE client_ids IS NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("ramtid", "0003_client_search")]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="accesslog", name="append_only"),
        migrations.RemoveIndex(model_name="accesslog", name="access_log_client_at"),
        # Nullable first, so that unapplying can add the column back to a populated table.
        migrations.AlterField(
            model_name="accesslog",
            name="client",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="access_log",
                to="ramtid.client",
                verbose_name="brukare",
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="client_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                null=True,
                size=None,
                verbose_name="brukare som visades",
            ),
        ),
        migrations.RunSQL(ONE_ID_PER_OLD_ROW, reverse_sql=ONE_ROW_PER_ID),
        migrations.RemoveField(model_name="accesslog", name="client"),
        migrations.AlterField(
            model_name="accesslog",
            name="client_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), size=None, verbose_name="brukare som visades"
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[("session", "Inloggad i webbläsaren"), ("token", "API-nyckel")],
                default="",
                max_length=10,
                verbose_name="inloggning",
            ),
        ),
        migrations.AddIndex(
            model_name="accesslog",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["client_ids"], name="access_log_client_ids"
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(
                condition=models.Q(("client_ids__len__gt", 0)), name="access_log_names_a_client"
            ),
        ),
        pgtrigger.migrations.AddTrigger(model_name="accesslog", trigger=APPEND_ONLY),
    ]
