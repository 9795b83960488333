"""The monthly check across connections and processes: two runs at once wait for each other on
the advisory lock (two real PostgreSQL connections), and beat's task runs the check through the
real Redis broker on a real Celery worker. Both need real transactions."""

import datetime
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from ramtid.celery import app
from tests.uppfoljning.monthly_helpers import add_visits, sent_order
from uppfoljning.choices import TimeStatus
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import run_monthly_check
from uppfoljning.tasks import monthly_check_task

pytestmark = pytest.mark.django_db(transaction=True)

OCTOBER = datetime.date(2026, 10, 1)
BEFORE_DEADLINE = datetime.date(2026, 11, 10)


def _waiting_for_advisory_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def _wait_for(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds} s")
        time.sleep(0.05)


def test_two_runs_at_once_wait_for_each_other(world):
    order = sent_order(world, valid_from=datetime.date(2026, 9, 1))
    add_visits(order, OCTOBER, performed=1000)
    first_done, release, results, errors = threading.Event(), threading.Event(), {}, []

    def run(name: str, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = run_monthly_check(
                    municipality=world.municipality, month=OCTOBER, today=BEFORE_DEADLINE
                )
                if hold:  # keep the transaction, and so the lock, open
                    first_done.set()
                    release.wait(20)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    # Given a first run that has written its rows and not yet committed
    first = threading.Thread(target=run, args=("first",), kwargs={"hold": True})
    first.start()
    assert first_done.wait(20)

    # When a second run starts, it waits on the advisory lock without writing
    second = threading.Thread(target=run, args=("second",), kwargs={"hold": False})
    second.start()
    _wait_for(lambda: _waiting_for_advisory_locks() == 1, "the second run did not wait")
    time.sleep(0.3)
    assert "second" not in results
    assert MonthlyTimeResult.objects.count() == 0  # nothing committed yet

    # Then, once the first commits, the second runs on what the first wrote
    release.set()
    first.join(20)
    second.join(20)
    assert not errors, errors
    assert results["first"].created == 1
    assert (results["second"].written, results["second"].created) == (1, 0)
    assert MonthlyTimeResult.objects.count() == 1


def test_another_month_or_municipality_does_not_wait(world):
    sent_order(world, valid_from=datetime.date(2026, 9, 1))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                run_monthly_check(municipality=world.municipality, month=OCTOBER,
                                  today=BEFORE_DEADLINE)  # fmt: skip
                holding.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(20)
        # The next month of the same municipality, and the same month of another, run at once.
        run_monthly_check(municipality=world.municipality, month=datetime.date(2026, 11, 1))
        run_monthly_check(municipality=world.other_municipality, month=OCTOBER)
        assert _waiting_for_advisory_locks() == 0
    finally:
        release.set()
        thread.join(20)


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test provides a real Redis"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as started:
        yield started


@pytest.mark.worker
def test_the_task_runs_the_check_on_a_real_worker_through_redis(world, worker):
    # Given an order over its time this month (its deadline ahead: the row stays open), committed
    month = timezone.localdate().replace(day=1)
    order = sent_order(world, client=world.client, monthly=3000,
                       valid_from=month - datetime.timedelta(days=40))  # fmt: skip
    add_visits(order, month, performed=4000, declined=60)

    # When beat's task is sent through Redis
    result = monthly_check_task.delay(world.municipality.pk, month.isoformat())

    # Then the worker writes the month's row
    _wait_for(lambda: MonthlyTimeResult.objects.exists(), f"the worker did not run {result.id}")
    row = MonthlyTimeResult.objects.get()
    assert (row.order_id, row.month, row.ordered_minutes, row.performed_minutes,
            row.declined_minutes, row.deviation_minutes, row.status) == (
        order.pk, month, 3000, 4000, 60, 1000, TimeStatus.OVER
    )  # fmt: skip
    # Delivered again (acks_late), it changes nothing and duplicates nothing.
    checked_at = row.checked_at
    monthly_check_task.delay(world.municipality.pk, month.isoformat())
    _wait_for(
        lambda: MonthlyTimeResult.objects.get().checked_at != checked_at,
        "the worker did not run the task again",
    )
    assert MonthlyTimeResult.objects.count() == 1
