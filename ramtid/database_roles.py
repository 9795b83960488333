"""Two PostgreSQL roles (issue 10): the owner of the tables runs the migrations, the application
runs as a role that owns nothing.

The owner can do anything to its tables, so an application connected as the owner could empty
the audit trail (TRUNCATE), switch its triggers off (ALTER TABLE … DISABLE TRIGGER, DROP
TRIGGER) or skip them (`SET LOCAL pgtrigger.ignore`). Connected as the application role
(`DATABASE_APP_ROLE`), it may read and write the case tables, only INSERT and SELECT the
append-only ones (the audit events, the access log), and no setting makes a trigger skip: the
function that pgtrigger's triggers ask is replaced by one that honours `pgtrigger.ignore` only
for members of its owner. What the application may not create itself (the visits' monthly
partitions) it asks of a SECURITY DEFINER function the owner made.

`migrate` (run as the owner) applies all of this after every run (`post_migrate`), so a trigger
that a migration re-installs never brings the unguarded function back. Without
`DATABASE_APP_ROLE` (the README's `make run` and `make test`, one role) only the guard and the
partition function are installed; the guard then changes nothing for the single role, which
owns the function.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connections

# pgtrigger's function with one more rule at its start (see pgtrigger.compiler).
IGNORE_GUARD = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
        _result BOOLEAN;
    BEGIN
        -- Ramtid: only the owner of the tables (the migrations) may skip a trigger; the
        -- application's role never, whatever it sets.
        IF NOT pg_has_role(
            current_user,
            (SELECT proowner FROM pg_proc
             WHERE oid = '"public"._pgtrigger_should_ignore(name)'::regprocedure),
            'MEMBER'
        ) THEN
            RETURN FALSE;
        END IF;
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgtrigger_ignore IS NOT NULL THEN
            SELECT trigger_name = ANY(_pgtrigger_ignore) INTO _result;
            RETURN _result;
        ELSE
            RETURN FALSE;
        END IF;
    END;
$$ LANGUAGE plpgsql;
"""

# A month's partition of the visits table, made for whoever may call it (uppfoljning.partitions):
# only the owner of a partitioned table may attach a partition to it.
VISIT_PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION "public".ramtid_ensure_visit_partition(month date)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    DECLARE
        first_day date := date_trunc('month', month)::date;
        partition text := 'uppfoljning_performedvisit_' || to_char(first_day, 'YYYYMM');
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('uppfoljning_performedvisit'));
        IF to_regclass(partition) IS NOT NULL THEN
            RETURN false;
        END IF;
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF uppfoljning_performedvisit FOR VALUES FROM (%L) TO (%L)',
            partition, first_day, (first_day + interval '1 month')::date
        );
        RETURN true;
    END;
$$;
REVOKE ALL ON FUNCTION "public".ramtid_ensure_visit_partition(date) FROM PUBLIC;
"""


# The owner's SECURITY DEFINER functions of the apps that the application role may call (each
# revoked from PUBLIC where it is made): the visit import's staging table (uppfoljning 0003),
# retention's count and removal, which checks itself that each client is due (uppfoljning 0004).
OWNER_FUNCTIONS = (
    "public.uppfoljning_create_visit_staging(bigint, text[])",
    "public.uppfoljning_drop_visit_staging(bigint)",
    "public.uppfoljning_retention_count(bigint[])",
    "public.uppfoljning_retention_remove(bigint, bigint[], jsonb, text)",
)


def append_only_tables() -> list[str]:
    """The tables whose rows are never changed or removed: every model with pgtrigger's
    `append_only` protection (the audit events, PGHISTORY_APPEND_ONLY, and the access log)."""
    tables = []
    for model in apps.get_models():
        triggers = getattr(model._meta, "triggers", None) or []
        if any(trigger.name == "append_only" for trigger in triggers):
            tables.append(model._meta.db_table)
    return sorted(tables)


def grant_statements(role: str) -> list[str]:
    """What the application role may do: everything the pages need on the case tables, INSERT
    and SELECT only on the append-only ones, never TRUNCATE, nothing on the schema itself."""
    quoted = connections["default"].ops.quote_name(role)
    statements = [
        f"REVOKE CREATE ON SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f'GRANT EXECUTE ON FUNCTION "public".ramtid_ensure_visit_partition(date) TO {quoted}',
    ]
    # The visit import's owner functions (uppfoljning migration 0003), when migrated.
    statements += [
        f"DO $$ BEGIN IF to_regprocedure('{function}') IS NOT NULL THEN "
        f"GRANT EXECUTE ON FUNCTION {function} TO {quoted}; END IF; END $$"
        for function in OWNER_FUNCTIONS
    ]
    for table in append_only_tables():
        statements.append(f'REVOKE UPDATE, DELETE ON "{table}" FROM {quoted}')
    return statements


def secure(using: str = "default", role: str | None = None) -> None:
    """Install the trigger guard and the partition function; grant the application role."""
    role = settings.DATABASE_APP_ROLE if role is None else role
    with connections[using].cursor() as cursor:
        cursor.execute(IGNORE_GUARD)
        cursor.execute(VISIT_PARTITION_FUNCTION)
        if role:
            for statement in grant_statements(role):
                cursor.execute(statement)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    secure(using=using)
