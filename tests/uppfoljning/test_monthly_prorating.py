"""The monthly check's ordered minutes: the SQL pro-rates as bestallning.ordered_time does
(exact_prorated, then round_half_up once per order), at the month's start and end, an order's
start and end, a supersession, and in February of leap and common years."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bestallning.ordered_time import exact_prorated, round_half_up
from tests.uppfoljning.monthly_helpers import change, sent_order
from uppfoljning.choices import TimeStatus
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import TABLES, prorated_minutes, run_monthly_check, time_status

D = datetime.date
OCTOBER = D(2026, 10, 1)


def _row(order, month=OCTOBER) -> MonthlyTimeResult:
    return MonthlyTimeResult.objects.get(order=order, month=month)


def _expected(order, month) -> int:
    exact = exact_prorated(order.ordered_minutes, month.year, month.month, order.valid_from,
                           order.valid_to)  # fmt: skip
    return round_half_up(exact)


def test_the_tables_the_sql_names_are_the_models_tables():
    assert {name: model._meta.db_table for name, model in TABLES.items()} == {
        name: name for name in TABLES
    }


# (valid_from, valid_to, monthly minutes, month, days in force, ordered minutes)
CASES = [
    pytest.param(D(2026, 9, 1), None, 3000, OCTOBER, 31, 3000, id="whole-month"),
    pytest.param(D(2026, 10, 1), None, 3000, OCTOBER, 31, 3000, id="starts-on-the-first"),
    pytest.param(D(2026, 9, 1), D(2026, 10, 31), 3000, OCTOBER, 31, 3000, id="ends-on-the-last"),
    pytest.param(D(2026, 10, 17), None, 3101, OCTOBER, 15, 1500, id="starts-on-the-17th"),
    pytest.param(D(2026, 9, 1), D(2026, 10, 16), 3101, OCTOBER, 16, 1601, id="ends-on-the-16th"),
    pytest.param(D(2026, 10, 31), None, 3100, OCTOBER, 1, 100, id="starts-on-the-last-day"),
    pytest.param(D(2026, 9, 1), D(2026, 10, 1), 3100, OCTOBER, 1, 100, id="ends-on-the-first"),
    pytest.param(D(2026, 10, 5), D(2026, 10, 9), 3100, OCTOBER, 5, 500, id="starts-and-ends"),
    # 3003 × 5/30 = 500.5: half up.
    pytest.param(D(2026, 11, 26), None, 3003, D(2026, 11, 1), 5, 501, id="half-rounds-up"),
    # 3001 × 14/28 = 1500.5 in a common February; 3001 × 15/29 = 1552.24 in a leap year.
    pytest.param(D(2027, 2, 15), None, 3001, D(2027, 2, 1), 14, 1501, id="february-2027"),
    pytest.param(D(2028, 2, 15), None, 3001, D(2028, 2, 1), 15, 1552, id="february-2028-leap"),
    pytest.param(D(2028, 1, 1), None, 3001, D(2028, 2, 1), 29, 3001, id="leap-february-whole"),
]


@pytest.mark.parametrize(("valid_from", "valid_to", "monthly", "month", "days", "ordered"), CASES)
def test_ordered_minutes_are_prorated_by_days_in_force(
    world, valid_from, valid_to, monthly, month, days, ordered
):
    order = sent_order(world, valid_from=valid_from, valid_to=valid_to, monthly=monthly)

    run_monthly_check(municipality=world.municipality, month=month)

    row = _row(order, month)
    assert (row.days_in_force, row.ordered_minutes) == (days, ordered)
    assert (
        row.ordered_minutes
        == _expected(order, month)
        == prorated_minutes(monthly, month, valid_from, valid_to)
    )


def test_a_supersession_on_the_17th_splits_the_month_16_to_15(world):
    # Given an order superseded on 17 October (a 31-day month) by one with the same time
    old = sent_order(world, valid_from=D(2026, 9, 1), monthly=3100)
    new = change(world, old, valid_from=D(2026, 10, 17), monthly=3100)
    assert old.valid_to == D(2026, 10, 16)

    run_monthly_check(municipality=world.municipality, month=OCTOBER)

    # Then the old order has 16/31 of the month and the new one 15/31, each rounded once
    assert (_row(old).days_in_force, _row(old).ordered_minutes) == (16, 1600)
    assert (_row(new).days_in_force, _row(new).ordered_minutes) == (15, 1500)
    # and in November only the new one is in force
    run_monthly_check(municipality=world.municipality, month=D(2026, 11, 1))
    assert MonthlyTimeResult.objects.filter(month=D(2026, 11, 1)).get().order_id == new.pk


def test_the_sql_agrees_with_ordered_time_for_any_stretch(world):
    # Orders starting and ending anywhere around October, with awkward minutes.
    rng = random.Random(20261017)
    orders = []
    for _index in range(12):
        start = D(2026, 9, 20) + datetime.timedelta(days=rng.randrange(0, 40))
        end = start + datetime.timedelta(days=rng.randrange(0, 45)) if rng.random() < 0.6 else None
        orders.append(
            sent_order(world, valid_from=start, valid_to=end, monthly=rng.randrange(1, 9000))
        )

    run_monthly_check(municipality=world.municipality, month=OCTOBER)

    for order in orders:
        in_force = order.valid_from <= D(2026, 10, 31) and (
            order.valid_to is None or order.valid_to >= OCTOBER
        )
        rows = MonthlyTimeResult.objects.filter(order=order, month=OCTOBER)
        assert rows.exists() == in_force, order
        if in_force:
            assert rows.get().ordered_minutes == _expected(order, OCTOBER), order


def test_drafts_and_other_municipalities_orders_are_not_checked(world):
    from tests.bestallning.conftest import make_decision, make_order

    draft = make_order(world, decision=make_decision(world, valid_from=D(2026, 9, 1),
                                                     decided_on=D(2026, 9, 1)))  # fmt: skip
    other = sent_order(world, valid_from=D(2026, 9, 1))
    other.client.municipality = world.other_municipality
    other.client.save()

    run_monthly_check(municipality=world.municipality, month=OCTOBER)

    assert not MonthlyTimeResult.objects.filter(order__in=[draft, other]).exists()


# ---------------------------------------------------------------------------------------------
# Tolerance: within when |deviation| <= max(10 % of ordered, 60 minutes); the limit is within.

TOLERANCE = [
    # ordered, performed, status
    (3000, 3300, TimeStatus.WITHIN),  # +10 % exactly
    (3000, 3301, TimeStatus.OVER),
    (3000, 2700, TimeStatus.WITHIN),  # −10 % exactly
    (3000, 2699, TimeStatus.UNDER),
    (300, 360, TimeStatus.WITHIN),  # 60 minutes exactly (10 % would be 30)
    (300, 361, TimeStatus.OVER),
    (300, 239, TimeStatus.UNDER),
    (0, 60, TimeStatus.WITHIN),
    (0, 61, TimeStatus.OVER),
    (3005, 3305, TimeStatus.WITHIN),  # 300 ≤ 300.5
    (3005, 3306, TimeStatus.OVER),  # 301 > 300.5
]


@pytest.mark.parametrize(("ordered", "performed", "status"), TOLERANCE)
def test_the_tolerance_edges(world, ordered, performed, status):
    from tests.uppfoljning.monthly_helpers import add_visits

    order = sent_order(world, valid_from=D(2026, 9, 1), monthly=ordered)
    add_visits(order, OCTOBER, performed=performed)

    run_monthly_check(municipality=world.municipality, month=OCTOBER)

    row = _row(order)
    assert row.status == status
    assert row.status == time_status(ordered=ordered, performed=performed, tolerance_percent=10,
                                     tolerance_minutes=60)  # fmt: skip
    assert row.deviation_minutes == performed - ordered
    if ordered:
        exact = Decimal(performed - ordered) * 100 / ordered
        assert row.deviation_percent == exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    else:
        assert row.deviation_percent is None


def test_the_municipalitys_tolerance_is_used(world):
    from tests.uppfoljning.monthly_helpers import add_visits

    world.municipality.time_tolerance_percent = 5
    world.municipality.time_tolerance_minutes = 0
    world.municipality.save()
    order = sent_order(world, valid_from=D(2026, 9, 1), monthly=3000)
    add_visits(order, OCTOBER, performed=3151)

    run_monthly_check(municipality=world.municipality, month=OCTOBER)

    assert _row(order).status == TimeStatus.OVER
