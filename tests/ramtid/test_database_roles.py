"""The audit trail cannot be bypassed from the database by the application's role (issue 10,
high): it owns no table, may only INSERT and SELECT the append-only ones, and no setting makes a
trigger skip. Tested as that role (SET ROLE), on the real PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from bestallning.models import Order, OrderEvent
from ramtid import database_roles
from ramtid.models import AccessLog
from tests.bestallning.conftest import make_order

ROLE = "ramtid_app_test"


@pytest.fixture
def app_role(db):
    """A role like compose's ramtid_app, granted by the same code `migrate` runs (all of it in
    the test's transaction, so it disappears afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    database_roles.secure(role=ROLE)
    return ROLE


def _as_app(sql: str, params=None):
    """Run `sql` as the application role in a savepoint; return the error, if any."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute(sql, params)
    except DatabaseError as error:
        return error
    return None


def _update_trigger() -> str:
    trigger = next(t for t in Order._meta.triggers if t.name == "update_update")
    return trigger.get_pgid(Order)


def test_the_app_role_cannot_empty_or_change_the_trail(app_role, world):
    AccessLog.objects.create(user=world.officer, client_ids=[world.client.pk], action="view",
                             what="x")  # fmt: skip
    for sql in (
        "TRUNCATE ramtid_accesslog",
        "DELETE FROM ramtid_accesslog",
        "UPDATE ramtid_accesslog SET what = 'ändrat'",
        "TRUNCATE bestallning_orderevent",
        "DELETE FROM bestallning_orderevent",
        "UPDATE ramtid_clientevent SET first_name = 'x'",
    ):
        error = _as_app(sql)
        assert error is not None and "permission denied" in str(error), sql
    assert AccessLog.objects.count() == 1


def test_the_app_role_cannot_switch_triggers_off(app_role, world):
    order = make_order(world)
    pgid = _update_trigger()
    for sql in (
        "ALTER TABLE bestallning_order DISABLE TRIGGER ALL",
        f"DROP TRIGGER {pgid} ON bestallning_order",
        "SET session_replication_role = replica",
        "CREATE TABLE ramtid_shadow (id int)",
    ):
        error = _as_app(sql)
        assert error is not None, sql
    assert order.pk


def test_pgtrigger_ignore_does_not_skip_the_audit_for_the_app_role(app_role, world):
    order = make_order(world)
    before = OrderEvent.objects.filter(pgh_obj_id=order.pk).count()
    error = _as_app(
        "SELECT set_config('pgtrigger.ignore', %s, true); "
        "UPDATE bestallning_order SET order_text = 'i smyg' WHERE id = %s",
        ["{" + _update_trigger() + "}", order.pk],
    )
    assert error is None
    assert Order.objects.get(pk=order.pk).order_text == "i smyg"
    assert OrderEvent.objects.filter(pgh_obj_id=order.pk).count() == before + 1


def test_the_owner_still_may_skip_a_trigger_in_a_migration(app_role, world):
    order = make_order(world)
    before = OrderEvent.objects.filter(pgh_obj_id=order.pk).count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + _update_trigger() + "}"]
        )
        cursor.execute("UPDATE bestallning_order SET order_text = 'migrering' WHERE id = %s",
                       [order.pk])  # fmt: skip
    assert OrderEvent.objects.filter(pgh_obj_id=order.pk).count() == before


def test_the_app_role_reads_and_writes_the_case_tables(app_role, world):
    assert _as_app("SELECT count(*) FROM ramtid_client") is None
    assert (
        _as_app("UPDATE ramtid_client SET phone = '08-1' WHERE id = %s", [world.client.pk]) is None
    )
    assert (
        _as_app(
            "INSERT INTO ramtid_accesslog (at, user_id, client_ids, action, what, channel) "
            "VALUES (now(), %s, ARRAY[%s]::bigint[], 'view', 'x', '')",
            [world.officer.pk, world.client.pk],
        )
        is None
    )


def test_the_app_role_gets_a_month_partition_through_the_owners_function(app_role):
    error = _as_app("SELECT ramtid_ensure_visit_partition('2031-01-15')")
    assert error is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('uppfoljning_performedvisit_203101') IS NOT NULL")
        assert cursor.fetchone()[0] is True


def test_append_only_tables_are_found_from_the_models():
    tables = database_roles.append_only_tables()
    assert "ramtid_accesslog" in tables
    assert "bestallning_orderevent" in tables
    assert "ramtid_client" not in tables


def test_a_log_review_keeps_its_sample_and_its_one_conclusion(app_role, world):
    """A log review's sample stays as drawn, its conclusion is given once, and nobody deletes
    it, not as the application's role either."""
    from ramtid.models import AccessLogReview

    review = AccessLogReview.objects.create(
        municipality=world.municipality,
        period_start="2026-11-01",
        period_end="2026-11-30",
        sample=[1, 2, 3],
        drawn_by=world.officer,
    )
    for sql in (
        "UPDATE ramtid_accesslogreview SET sample = '{4}' WHERE id = %s",
        "UPDATE ramtid_accesslogreview SET period_start = '2026-01-01' WHERE id = %s",
        "DELETE FROM ramtid_accesslogreview WHERE id = %s",
    ):
        assert _as_app(sql, [review.pk]) is not None, sql
    conclude = (
        "UPDATE ramtid_accesslogreview SET conclusion = %s, concluded_at = now() WHERE id = %s"
    )
    assert _as_app(conclude, ["Inget att anmärka.", review.pk]) is None
    assert _as_app(conclude, ["Ändrad i efterhand.", review.pk]) is not None
    review.refresh_from_db()
    assert review.sample == [1, 2, 3] and review.conclusion == "Inget att anmärka."
