"""Complaints (synpunkter och klagomål, issue 11; uppfoljning.complaints): the table, its audit
events, and retention's rule extended to them (uppfoljning migration 0004).

Retention (uppfoljning.retention CLIENT_DATA "uppfoljning.Complaint"): a complaint's free texts
(who raised it by name, the complaint, the answer, the closing note, the registration number)
are removed with the rest of the client's case; its dates, categories and who answered stay, so
the dashboards' complaint figures survive. Its dates are entries about the client (a complaint
answered last year keeps the client). The two functions of 0004 that list the tables are
replaced by the same functions with the complaint's rows added, built from 0004's own text so
that they cannot drift apart; the reverse puts 0004's back.
"""

import importlib

import django.db.models.deletion
import pghistory.utils
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


retention = importlib.import_module("uppfoljning.migrations.0004_retention")

_COMPLAINT = retention._texts(
    "raised_by_name", "description", "answer_text", "closing_note", "registration_number"
)
_COMPLAINT_STEPS = [
    ("uppfoljning.Complaint", "uppfoljning_complaint", _COMPLAINT, retention._C),
    ("uppfoljning.ComplaintEvent", "uppfoljning_complaintevent", _COMPLAINT, retention._C),
]
_STEP_ROWS = retention._STEP_ROWS + ",\n            " + ",\n            ".join(
    f"({n}, {retention._quote(kind)}, {retention._quote(table)}, "
    f"{retention._quote(assignments)}, {retention._quote(condition)})"
    for n, (kind, table, assignments, condition) in enumerate(
        _COMPLAINT_STEPS, start=len(retention.STEPS) + 1
    )
)
assert retention._STEP_ROWS in retention.WORK
WORK = retention.WORK.replace(retention._STEP_ROWS, _STEP_ROWS)

_ENTRIES_END = "    ) AS entries (day)"
assert retention.LAST_ENTRY.count(_ENTRIES_END) == 1
LAST_ENTRY = retention.LAST_ENTRY.replace(
    _ENTRIES_END,
    """        UNION ALL SELECT max(greatest(
            c.received_on, c.answered_on, public.uppfoljning_local_day(c.registered_at),
            public.uppfoljning_local_day(c.answered_at),
            public.uppfoljning_local_day(c.closed_at)))
        FROM public.uppfoljning_complaint c WHERE c.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.uppfoljning_complaintevent e WHERE e.client_id = p_client
"""
    + _ENTRIES_END,
)


class Migration(migrations.Migration):

    dependencies = [
        ('ramtid', '0010_complaint_deadline'),
        ('uppfoljning', '0004_retention'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('about', models.CharField(choices=[('provider', 'Utförarens insatser'), ('ordering_unit', 'Beställarenhetens handläggning')], max_length=20, verbose_name='gäller')),
                ('received_on', models.DateField(verbose_name='mottaget')),
                ('answer_due', models.DateField(verbose_name='besvaras senast')),
                ('raised_by', models.CharField(choices=[('client', 'Brukaren'), ('relative', 'Anhörig eller närstående'), ('representative', 'God man, förvaltare eller ombud'), ('staff', 'Personal'), ('other', 'Annan')], max_length=20, verbose_name='lämnat av')),
                ('raised_by_name', models.CharField(blank=True, max_length=200, verbose_name='namn på den som lämnat det')),
                ('category', models.CharField(choices=[('treatment', 'Bemötande'), ('quality', 'Insatsernas kvalitet och utförande'), ('times', 'Tider, sena eller uteblivna besök'), ('continuity', 'Personalkontinuitet'), ('information', 'Information och delaktighet'), ('case_handling', 'Handläggning och beslut'), ('fees', 'Avgifter'), ('other', 'Annat')], max_length=20, verbose_name='kategori')),
                ('description', models.TextField(verbose_name='klagomålet')),
                ('registration_number', models.CharField(blank=True, max_length=50, verbose_name='diarienummer')),
                ('registered_at', models.DateTimeField(auto_now_add=True, verbose_name='registrerat')),
                ('answer_text', models.TextField(blank=True, verbose_name='svar')),
                ('answer_method', models.CharField(blank=True, choices=[('written', 'Skriftligt (brev eller e-post)'), ('phone', 'Per telefon'), ('meeting', 'Vid möte eller hembesök')], max_length=20, verbose_name='svaret lämnades')),
                ('answered_on', models.DateField(blank=True, null=True, verbose_name='besvarat')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='svaret registrerat')),
                ('closing_note', models.TextField(blank=True, verbose_name='uppföljning och åtgärder')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='avslutat')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='besvarat av')),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='ramtid.client', verbose_name='brukare')),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='avslutat av')),
                ('ordering_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='ramtid.orderingunit', verbose_name='beställarenhet')),
                ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='ramtid.provider', verbose_name='utförare')),
                ('registered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registrerat av')),
            ],
            options={
                'verbose_name': 'klagomål',
                'verbose_name_plural': 'klagomål',
                'ordering': ['-received_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ComplaintEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('about', models.CharField(choices=[('provider', 'Utförarens insatser'), ('ordering_unit', 'Beställarenhetens handläggning')], max_length=20, verbose_name='gäller')),
                ('received_on', models.DateField(verbose_name='mottaget')),
                ('answer_due', models.DateField(verbose_name='besvaras senast')),
                ('raised_by', models.CharField(choices=[('client', 'Brukaren'), ('relative', 'Anhörig eller närstående'), ('representative', 'God man, förvaltare eller ombud'), ('staff', 'Personal'), ('other', 'Annan')], max_length=20, verbose_name='lämnat av')),
                ('raised_by_name', models.CharField(blank=True, max_length=200, verbose_name='namn på den som lämnat det')),
                ('category', models.CharField(choices=[('treatment', 'Bemötande'), ('quality', 'Insatsernas kvalitet och utförande'), ('times', 'Tider, sena eller uteblivna besök'), ('continuity', 'Personalkontinuitet'), ('information', 'Information och delaktighet'), ('case_handling', 'Handläggning och beslut'), ('fees', 'Avgifter'), ('other', 'Annat')], max_length=20, verbose_name='kategori')),
                ('description', models.TextField(verbose_name='klagomålet')),
                ('registration_number', models.CharField(blank=True, max_length=50, verbose_name='diarienummer')),
                ('registered_at', models.DateTimeField(auto_now_add=True, verbose_name='registrerat')),
                ('answer_text', models.TextField(blank=True, verbose_name='svar')),
                ('answer_method', models.CharField(blank=True, choices=[('written', 'Skriftligt (brev eller e-post)'), ('phone', 'Per telefon'), ('meeting', 'Vid möte eller hembesök')], max_length=20, verbose_name='svaret lämnades')),
                ('answered_on', models.DateField(blank=True, null=True, verbose_name='besvarat')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='svaret registrerat')),
                ('closing_note', models.TextField(blank=True, verbose_name='uppföljning och åtgärder')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='avslutat')),
                ('answered_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='besvarat av')),
                ('client', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='ramtid.client', verbose_name='brukare')),
                ('closed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='avslutat av')),
                ('ordering_unit', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='ramtid.orderingunit', verbose_name='beställarenhet')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='uppfoljning.complaint')),
                ('provider', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='ramtid.provider', verbose_name='utförare')),
                ('registered_by', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registrerat av')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['client', '-received_on'], name='complaint_client'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['ordering_unit', 'received_on'], name='complaint_unit_received'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['provider', 'received_on'], name='complaint_provider_received'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['answer_due'], name='complaint_not_closed'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('about', 'provider'), ('provider__isnull', False)), models.Q(('about', 'ordering_unit'), ('provider__isnull', True)), _connector='OR'), name='complaint_provider_when_about_provider'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(('answer_due__gte', models.F('received_on'))), name='complaint_due_after_received'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('answer_method', ''), ('answer_text', ''), ('answered_at__isnull', True), ('answered_by__isnull', True), ('answered_on__isnull', True)), models.Q(('answered_at__isnull', False), ('answered_by__isnull', False), ('answered_on__gte', models.F('received_on')), ('answered_on__isnull', False), models.Q(('answer_text', ''), _negated=True), models.Q(('answer_method', ''), _negated=True)), _connector='OR'), name='complaint_answer_whole'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', True), ('closed_by__isnull', True)), models.Q(('answered_at__isnull', False), ('closed_at__isnull', False), ('closed_by__isnull', False)), _connector='OR'), name='complaint_closed_after_answer'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='complaint',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "uppfoljning_complaintevent" ("about", "answer_due", "answer_method", "answer_text", "answered_at", "answered_by_id", "answered_on", "category", "client_id", "closed_at", "closed_by_id", "closing_note", "description", "id", "ordering_unit_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "provider_id", "raised_by", "raised_by_name", "received_on", "registered_at", "registered_by_id", "registration_number") VALUES (NEW."about", NEW."answer_due", NEW."answer_method", NEW."answer_text", NEW."answered_at", NEW."answered_by_id", NEW."answered_on", NEW."category", NEW."client_id", NEW."closed_at", NEW."closed_by_id", NEW."closing_note", NEW."description", NEW."id", NEW."ordering_unit_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."provider_id", NEW."raised_by", NEW."raised_by_name", NEW."received_on", NEW."registered_at", NEW."registered_by_id", NEW."registration_number"); RETURN NULL;', hash='e14580e01420160379cdf99de89f2b6dccf7a99d', operation='INSERT', pgid='pgtrigger_insert_insert_98610', table='uppfoljning_complaint', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='complaint',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "uppfoljning_complaintevent" ("about", "answer_due", "answer_method", "answer_text", "answered_at", "answered_by_id", "answered_on", "category", "client_id", "closed_at", "closed_by_id", "closing_note", "description", "id", "ordering_unit_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "provider_id", "raised_by", "raised_by_name", "received_on", "registered_at", "registered_by_id", "registration_number") VALUES (NEW."about", NEW."answer_due", NEW."answer_method", NEW."answer_text", NEW."answered_at", NEW."answered_by_id", NEW."answered_on", NEW."category", NEW."client_id", NEW."closed_at", NEW."closed_by_id", NEW."closing_note", NEW."description", NEW."id", NEW."ordering_unit_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."provider_id", NEW."raised_by", NEW."raised_by_name", NEW."received_on", NEW."registered_at", NEW."registered_by_id", NEW."registration_number"); RETURN NULL;', hash='a6e38e3517e0e472a21dd930102c543cac0347ce', operation='UPDATE', pgid='pgtrigger_update_update_2529b', table='uppfoljning_complaint', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='complaintevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='b7e0eff40fb86e244e9e0d131fc0534200e8fe9f', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_8c1e7', table='uppfoljning_complaintevent', when='BEFORE')),
        ),
        migrations.RunSQL(
            sql=[LAST_ENTRY, WORK],
            reverse_sql=[retention.LAST_ENTRY, retention.WORK],
        ),
    ]
