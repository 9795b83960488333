"""Staff continuity stored on the monthly check's result rows (uppfoljning.monthly
`store_continuity`, `run_month`): per order, the provider's own staff, equal to what
`continuity.continuity_for_client` counts for the client and that provider."""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClientFactory
from tests.uppfoljning.reviews_helpers import (
    STOCKHOLM,
    add_visits,
    change_order,
    day,
    executed_order,
)
from uppfoljning.choices import VisitStatus
from uppfoljning.continuity import continuity_for_client
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import run_month, run_monthly_check, store_continuity
from uppfoljning.tasks import monthly_check_task

NOVEMBER = day("2026-11-01")
BEFORE_DEADLINE = day("2026-12-06")
PAST_DEADLINE = day("2027-01-20")


def _staff(prefix: str, count: int, on: str) -> list[tuple[str, str]]:
    """`count` different staff, each one visit on the day `on` ('YYYY-MM-DD')."""
    return [(f"{on} {8 + index % 12:02d}:00", f"{prefix}{index}") for index in range(count)]


def _rows(**filters) -> list[MonthlyTimeResult]:
    return list(MonthlyTimeResult.objects.filter(month=NOVEMBER, **filters).order_by("pk"))


def _figures(row: MonthlyTimeResult):
    return row.continuity_staff, row.continuity_window_end


def _expected(row: MonthlyTimeResult):
    """What the page's per-client count says for the row's client and provider."""
    found = continuity_for_client(row.client, NOVEMBER, provider_ids={row.provider_id})
    return (None, None) if found is None else (found.staff, found.window_end)


def test_each_row_gets_its_providers_own_staff(world):
    # Lisa: at her provider one visit 13 days before November (19 October: in the window ending
    # 1 November; 18 October is in none) and six more staff on 1 November; at the other provider
    # four staff on 11 November, with the same codes as the first provider's system uses.
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    other = executed_order(
        world, client=world.client, executed_on=day("2026-09-01"), provider=world.other_provider
    )
    add_visits(order, [("2026-10-19 09:00", "tidig"), ("2026-10-18 09:00", "förtidig")])
    add_visits(order, _staff("p", 6, "2026-11-01"))
    add_visits(other, _staff("p", 4, "2026-11-11"))
    # A tie: three staff on 3 November, three others on 20 November; the first window counts.
    tied = executed_order(world, executed_on=day("2026-09-01"))
    add_visits(tied, _staff("a", 3, "2026-11-03") + _staff("b", 3, "2026-11-20"))
    # No visits at all, and only declined and absent ones: no figure.
    silent = executed_order(world, executed_on=day("2026-09-01"))
    declined = executed_order(world, executed_on=day("2026-09-01"))
    add_visits(declined, _staff("n", 4, "2026-11-05"), status=VisitStatus.DECLINED)
    add_visits(declined, _staff("m", 4, "2026-11-06"), status=VisitStatus.ABSENT)

    run_month(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)

    rows = _rows()
    assert len(rows) == 5
    assert all(_figures(row) == _expected(row) for row in rows)
    by_order = {row.order_id: _figures(row) for row in rows}
    assert by_order[order.pk] == (7, day("2026-11-01"))
    assert by_order[other.pk] == (4, day("2026-11-11"))
    assert by_order[tied.pk] == (3, day("2026-11-03"))
    assert by_order[silent.pk] == (None, None)
    assert by_order[declined.pk] == (None, None)
    # The client herself met at most ten people in a window (p0–p5 and the other provider's
    # four, 29 October – 11 November): the officer's figure, which the rows do not add up to.
    assert continuity_for_client(world.client, NOVEMBER).staff == 10


def test_an_order_changed_mid_month_shares_the_figure_of_its_provider(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 3, "2026-11-10"))
    changed = change_order(
        world, order, valid_from=day("2026-11-12"), executed_on=day("2026-11-12")
    )
    add_visits(changed, _staff("p", 2, "2026-11-13") + _staff("r", 2, "2026-11-14"))

    run_month(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)

    rows = _rows(client=world.client)
    assert {row.order_id for row in rows} == {order.pk, changed.pk}
    # The client met p0–p2 and r0–r1 of the same provider: five, whichever order they served.
    assert {_figures(row) for row in rows} == {(5, day("2026-11-14"))}


# Each run commits, as beat's runs do: the rule "frozen by this run" is the transaction's.
@pytest.mark.django_db(transaction=True)
def test_a_rerun_updates_open_rows_and_keeps_frozen_ones(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 3, "2026-11-10"))
    run_month(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)
    [row] = _rows()
    assert _figures(row) == (3, day("2026-11-10")) and row.frozen_at is None

    # Late visits, and the run after the deadline freezes the row (never explained): the figures
    # of the run that froze it are stored with it.
    add_visits(order, _staff("q", 2, "2026-11-20"))
    run_month(municipality=world.municipality, month=NOVEMBER, today=PAST_DEADLINE)
    [row] = _rows()
    assert row.frozen_at is not None
    assert _figures(row) == (5, day("2026-11-20"))  # p0–p2 on the 10th, q0–q1 on the 20th
    add_visits(order, _staff("r", 4, "2026-11-21"))
    assert continuity_for_client(world.client, NOVEMBER).staff == 9

    run_month(municipality=world.municipality, month=NOVEMBER, today=PAST_DEADLINE)
    store_continuity(municipality=world.municipality, month=NOVEMBER)

    [row] = _rows()
    assert _figures(row) == (5, day("2026-11-20"))  # frozen: never changed again


def test_rows_created_frozen_get_their_figures(world):
    # The month checked for the first time after its deadline: the rows are frozen at birth.
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 12, "2026-11-10"))

    run_month(municipality=world.municipality, month=NOVEMBER, today=PAST_DEADLINE)

    [row] = _rows()
    assert row.frozen_at is not None and _figures(row) == (12, day("2026-11-10"))


def test_the_check_alone_leaves_continuity_to_its_own_step(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 2, "2026-11-10"))
    run_monthly_check(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)
    assert _figures(_rows()[0]) == (None, None)

    summary = store_continuity(municipality=world.municipality, month=NOVEMBER)

    assert summary.written == 1 and _figures(_rows()[0]) == (2, day("2026-11-10"))
    # Nothing changed: nothing is written again.
    assert store_continuity(municipality=world.municipality, month=NOVEMBER).written == 0


def test_another_municipalitys_rows_are_left_alone(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 2, "2026-11-10"))
    run_monthly_check(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)

    store_continuity(municipality=world.other_municipality, month=NOVEMBER)

    assert _figures(_rows()[0]) == (None, None)


@pytest.mark.parametrize("clients", [2, 12])
def test_the_step_costs_the_same_whatever_the_number_of_clients(world, clients):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    for number in range(clients):
        client = ClientFactory(ordering_unit=world.unit, first_name=f"Klient{number}")
        other = executed_order(world, client=client, executed_on=day("2026-09-01"))
        add_visits(other, _staff(f"s{number}-", 1 + number % 5, "2026-11-10"))
    add_visits(order, _staff("p", 2, "2026-11-10"))
    run_monthly_check(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)

    with CaptureQueriesContext(connection) as queries:
        summary = store_continuity(municipality=world.municipality, month=NOVEMBER)

    assert summary.written == clients + 1
    # The advisory lock, the read of the visits and the one UPDATE (savepoints aside).
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3
    assert all(_figures(row) == _expected(row) for row in _rows())


def test_the_windows_reach_back_thirteen_days(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    # 19 October 00:30 Swedish time is in the window ending 1 November; 18 October is not.
    add_visits(order, [("2026-10-19 00:30", "a"), ("2026-10-18 23:30", "b")])

    run_month(municipality=world.municipality, month=NOVEMBER, today=BEFORE_DEADLINE)

    [row] = _rows()
    assert _figures(row) == (1, day("2026-11-01")) == _expected(row)
    assert row.continuity_window_end - datetime.timedelta(days=13) == day("2026-10-19")


@pytest.mark.parametrize("month", [day("2026-10-01"), NOVEMBER])  # 31 and 30 days
def test_the_stored_figures_agree_with_the_pages_count_on_random_visits(world, month):
    rng = random.Random(11)
    for number in range(4):
        client = ClientFactory(ordering_unit=world.unit, first_name=f"Slump{number}")
        for provider in (world.provider, world.other_provider):
            order = executed_order(
                world, client=client, executed_on=day("2026-08-01"), provider=provider
            )
            rows = []
            for _visit in range(rng.randint(20, 90)):
                start = datetime.datetime(2026, 9, 15, 6, tzinfo=STOCKHOLM) + datetime.timedelta(
                    minutes=rng.randrange(0, 80 * 24 * 60, 15)
                )
                status = rng.choice([VisitStatus.PERFORMED] * 8 + [VisitStatus.DECLINED])
                rows.append((start, f"s{rng.randint(0, 8 + number * 4)}", status))
            for status in VisitStatus.values:
                chosen = [(f"{s:%Y-%m-%d %H:%M}", staff) for s, staff, st in rows if st == status]
                if chosen:
                    add_visits(order, chosen, status=status)

    run_month(municipality=world.municipality, month=month, today=month)

    rows = list(MonthlyTimeResult.objects.filter(month=month))
    assert len(rows) == 8
    for row in rows:
        found = continuity_for_client(row.client, month, provider_ids={row.provider_id})
        expected = (None, None) if found is None else (found.staff, found.window_end)
        assert _figures(row) == expected, row.order_id
    assert any(row.continuity_staff for row in rows)


@pytest.mark.parametrize("how", ["task", "command"])
def test_beat_and_the_command_store_continuity(world, how):
    order = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    add_visits(order, _staff("p", 4, "2026-11-10"))

    if how == "task":
        monthly_check_task(world.municipality.pk, NOVEMBER.isoformat())
    else:
        call_command("run_monthly_check", month="2026-11", stdout=io.StringIO())

    assert _figures(_rows()[0]) == (4, day("2026-11-10"))
