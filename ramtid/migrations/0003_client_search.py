"""Client search: accent- and case-insensitive, partial and misspelt names (ramtid.selectors).

unaccent and pg_trgm are trusted extensions (PostgreSQL 13+), so the database owner may create
them; the embedded PostgreSQL of `make run`/`make test` and postgres:17 in production ship both.

unaccent() itself is only STABLE (its rules file could change), so it cannot be used in an
index. ramtid_fold() is the usual immutable wrapper: lower(unaccent(...)), with the dictionary
named in a SQL-standard body (BEGIN ATOMIC), which binds it when the function is created, so
neither the search_path of a later session nor a restore can make it call something else.
If the unaccent rules were ever changed, the indexes below would need a REINDEX.

The GIN trigram indexes on the folded first and last names serve both the substring match
(LIKE '%ake%') and the misspelling match (the % operator) of the search, so a search among
20,000 clients reads a few index pages instead of folding every name.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FOLD = """
CREATE FUNCTION ramtid_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT lower(unaccent('unaccent'::regdictionary, $1));
END;
"""


class Migration(migrations.Migration):
    dependencies = [("ramtid", "0002_reference_data")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FOLD, reverse_sql="DROP FUNCTION ramtid_fold(text);"),
        migrations.RunSQL(
            "CREATE INDEX client_first_name_fold_trgm ON ramtid_client "
            "USING gin (ramtid_fold(first_name) gin_trgm_ops);",
            reverse_sql="DROP INDEX client_first_name_fold_trgm;",
        ),
        migrations.RunSQL(
            "CREATE INDEX client_last_name_fold_trgm ON ramtid_client "
            "USING gin (ramtid_fold(last_name) gin_trgm_ops);",
            reverse_sql="DROP INDEX client_last_name_fold_trgm;",
        ),
    ]
