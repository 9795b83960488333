"""The visit import under the application's role (issue 9 §1, issue 10).

Production runs as a role that owns nothing and may not CREATE in the schema
(ramtid/database_roles.py). The import's per-import staging table must outlive the web request
that COPYs the upload into it (the Celery worker reads it), so it cannot be a TEMP table: it is
made and dropped by these functions of the owner (SECURITY DEFINER), which build the table's
name only from the bigint import id and its columns only from safe identifiers, and grant the
calling role just SELECT and INSERT on it. Everything else the import makes lives in one
session and is a TEMP table (TEMP is allowed to PUBLIC).

database_roles.grant_statements grants EXECUTE on them to the application role; nobody else
may call them.

And the visits' text keys (`external_id`, `staff`) get collation "C": they are codes, compared
as bytes (as the staging table's cells are), never sorted by language rules; the primary key
and the staff index then compare with memcmp instead of strcoll. The model does not say it
(the table is made by SQL in 0001); equality is the same under every deterministic collation.
"""

from django.db import migrations

CREATE_STAGING = """
CREATE OR REPLACE FUNCTION "public".uppfoljning_create_visit_staging(
    import_id bigint, columns text[]
)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    DECLARE
        staging text := 'uppfoljning_visitstaging_' || import_id::text;
        definition text;
    BEGIN
        IF import_id IS NULL OR import_id <= 0 THEN
            RAISE EXCEPTION 'invalid import id';
        END IF;
        IF columns IS NULL OR cardinality(columns) NOT BETWEEN 1 AND 200
           OR EXISTS (SELECT 1 FROM unnest(columns) AS c (name)
                      WHERE c.name IS NULL OR c.name !~ '^[a-z][a-z0-9_]{0,62}$')
           OR (SELECT count(DISTINCT c.name) FROM unnest(columns) AS c (name))
              <> cardinality(columns) THEN
            RAISE EXCEPTION 'invalid staging columns';
        END IF;
        SELECT string_agg(format('%I text COLLATE "C"', c.name), ', ' ORDER BY c.n)
        INTO definition
        FROM unnest(columns) WITH ORDINALITY AS c (name, n);
        -- UNLOGGED and without indexes: written once by COPY, read by the check, dropped.
        -- autovacuum off: it would only analyse a table that lives for seconds.
        EXECUTE format(
            'CREATE UNLOGGED TABLE public.%I (%s) WITH (autovacuum_enabled = off)',
            staging, definition
        );
        -- The role that called: SET ROLE's role when one is set (the tests, a pooler that
        -- sets it), else the role that logged in (a SECURITY DEFINER function's current_user
        -- is its owner). Only a role the session may act as.
        EXECUTE format(
            'GRANT SELECT, INSERT ON public.%I TO %I', staging,
            coalesce(nullif(current_setting('role'), 'none'), session_user)
        );
        RETURN staging;
    END;
$$
"""

DROP_STAGING = """
CREATE OR REPLACE FUNCTION "public".uppfoljning_drop_visit_staging(import_id bigint)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    BEGIN
        IF import_id IS NULL OR import_id <= 0 THEN
            RAISE EXCEPTION 'invalid import id';
        END IF;
        EXECUTE format(
            'DROP TABLE IF EXISTS public.%I', 'uppfoljning_visitstaging_' || import_id::text
        );
    END;
$$
"""

COLLATE_C = """
ALTER TABLE "uppfoljning_performedvisit"
    ALTER COLUMN "external_id" TYPE varchar(100) COLLATE "C",
    ALTER COLUMN "staff" TYPE varchar(50) COLLATE "C"
"""
COLLATE_DEFAULT = """
ALTER TABLE "uppfoljning_performedvisit"
    ALTER COLUMN "external_id" TYPE varchar(100) COLLATE "default",
    ALTER COLUMN "staff" TYPE varchar(50) COLLATE "default"
"""

SIGNATURES = (
    '"public".uppfoljning_create_visit_staging(bigint, text[])',
    '"public".uppfoljning_drop_visit_staging(bigint)',
)


class Migration(migrations.Migration):
    dependencies = [
        ("uppfoljning", "0002_visit_import_errors"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                CREATE_STAGING,
                DROP_STAGING,
                *(f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in SIGNATURES),
            ],
            reverse_sql=[f"DROP FUNCTION IF EXISTS {f}" for f in SIGNATURES],
        ),
        migrations.RunSQL(sql=COLLATE_C, reverse_sql=COLLATE_DEFAULT),
    ]
