"""The visit import as production runs it: as the application's role, which owns nothing and may
not CREATE in the schema (ramtid/database_roles.py, issue 10). Its staging table comes from the
owner's functions (uppfoljning migration 0003), its work tables are TEMP tables. Tested as that
role (SET LOCAL ROLE), on the real PostgreSQL, in the style of tests/ramtid/test_database_roles.py.
"""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction

from ramtid import database_roles
from tests.uppfoljning.imports_helpers import csv_bytes, day, last_month, sent_order, visit_row
from uppfoljning.choices import ImportStatus
from uppfoljning.imports import (
    create_file_import,
    import_visits_batch,
    run_import,
    staging_table,
)
from uppfoljning.models import PerformedVisit, VisitImportError

ROLE = "ramtid_app_import_test"


@pytest.fixture
def as_app_role(db):
    """Everything after this fixture, in the test's transaction, runs as a role granted by the
    same code `migrate` runs (created in the test's transaction: it disappears afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    database_roles.secure(role=ROLE)

    def become():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == ROLE

    return become


def _table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def test_a_file_is_imported_as_the_app_role(world, as_app_role):
    sent_order(world)
    # A month whose partition does not exist yet and one whose partition does.
    rows = [
        visit_row(world.client, "R1", last_month(1)),
        visit_row(world.client, "R2", last_month(2), status="avböjd"),
        visit_row(world.client, "R3", day(0), begin="00:01", end="00:02"),
    ]
    as_app_role()
    visit_import = create_file_import(
        provider=world.provider, by=world.coordinator, file_name="besok.csv",
        stream=io.BytesIO(csv_bytes(rows)),
    )  # fmt: skip
    assert visit_import.status == ImportStatus.QUEUED
    assert _table_exists(staging_table(visit_import.pk))
    done = run_import(import_id=visit_import.pk)
    assert (done.status, done.created_count, done.error_count) == (ImportStatus.DONE, 3, 0)
    assert set(PerformedVisit.objects.values_list("external_id", flat=True)) == {"R1", "R2", "R3"}
    assert not _table_exists(staging_table(visit_import.pk))
    # Sent again, changed: the upsert path, as the app role too.
    rows[0]["slut"] = rows[0]["slut"].replace("08:45", "09:00")
    again = create_file_import(
        provider=world.provider, by=world.coordinator, file_name="igen.csv",
        stream=io.BytesIO(csv_bytes(rows)),
    )  # fmt: skip
    again = run_import(import_id=again.pk)
    assert (again.status, again.created_count, again.updated_count) == (ImportStatus.DONE, 0, 1)
    assert PerformedVisit.objects.get(external_id="R1").minutes == 60


def test_a_bad_file_is_rejected_with_its_errors_as_the_app_role(world, as_app_role):
    sent_order(world)
    rows = [visit_row(world.client, "B1", last_month(1), status="kanske")]
    as_app_role()
    visit_import = create_file_import(
        provider=world.provider, by=world.coordinator, file_name="fel.csv",
        stream=io.BytesIO(csv_bytes(rows)),
    )  # fmt: skip
    done = run_import(import_id=visit_import.pk)
    assert done.status == ImportStatus.REJECTED
    assert list(VisitImportError.objects.values_list("row", "column")) == [(2, "status")]
    assert not PerformedVisit.objects.exists()
    assert not _table_exists(staging_table(visit_import.pk))


def test_an_api_batch_is_imported_as_the_app_role(world, as_app_role):
    sent_order(world)
    row = visit_row(world.client, "A1", last_month(3))
    batch = [{"external_id": row["besoks_id"], "personal_number": row["personnummer"],
              "start": row["start"], "end": row["slut"], "staff": "P9",
              "status": "performed"}]  # fmt: skip
    as_app_role()
    done = import_visits_batch(provider=world.provider, by=world.coordinator, rows=batch)
    assert (done.status, done.created_count) == (ImportStatus.DONE, 1)
    assert PerformedVisit.objects.get().staff == "P9"
    assert not _table_exists(staging_table(done.pk))


def test_the_app_role_still_cannot_create_a_table_or_call_the_functions_with_bad_names(
    world, as_app_role
):
    as_app_role()
    for sql, params in (
        ("CREATE TABLE uppfoljning_visitstaging_1 (a text)", None),
        ("CREATE UNLOGGED TABLE ramtid_shadow (a text)", None),
        # Columns only from safe identifiers: no SQL through a column name.
        ("SELECT uppfoljning_create_visit_staging(7, ARRAY['a text); DROP TABLE x; --'])", None),
        ("SELECT uppfoljning_create_visit_staging(7, ARRAY['Besoks_id'])", None),
        ("SELECT uppfoljning_create_visit_staging(-1, ARRAY['a'])", None),
    ):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
        except DatabaseError:
            continue
        pytest.fail(f"allowed: {sql}")
    # The staging table it gets is readable and writable by it, and nothing more.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT uppfoljning_create_visit_staging(7, ARRAY['a', 'b'])")
        cursor.execute("INSERT INTO uppfoljning_visitstaging_7 VALUES ('x', 'y')")
        cursor.execute("SELECT count(*) FROM uppfoljning_visitstaging_7")
        assert cursor.fetchone()[0] == 1
        for sql in (
            "DELETE FROM uppfoljning_visitstaging_7",
            "ALTER TABLE uppfoljning_visitstaging_7 ADD COLUMN c text",
        ):
            try:
                with transaction.atomic(), connection.cursor() as inner:
                    inner.execute(sql)
            except DatabaseError:
                continue
            pytest.fail(f"allowed: {sql}")
        cursor.execute("SELECT uppfoljning_drop_visit_staging(7)")
    assert not _table_exists("uppfoljning_visitstaging_7")


def test_nobody_else_may_call_the_staging_functions(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_function_privilege('public', oid, 'EXECUTE') FROM pg_proc "
            "WHERE proname IN ('uppfoljning_create_visit_staging', "
            "'uppfoljning_drop_visit_staging')"
        )
        assert [row[0] for row in cursor.fetchall()] == [False, False]
