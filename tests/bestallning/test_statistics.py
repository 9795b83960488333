"""Granted hours per gender, intervention category and officer (bestallning.statistics, seed 003:
gender-equal decisions), checked against the order page's own time basis day by day."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestallning import services
from bestallning.models import Order
from bestallning.ordered_time import order_time
from bestallning.statistics import granted_hours
from ramtid.choices import Gender, InterventionCategory, Role
from tests.bestallning.conftest import catalogue, make_decision, row
from tests.factories import ClientFactory, UserFactory, member

START, END = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _send(world, client, *, valid_from, rows, provider=None, officer=None) -> Order:
    officer = officer or world.officer
    decision = make_decision(
        world,
        client=client,
        officer=officer,
        hours=Decimal("120"),
        valid_from=valid_from,
        decided_on=valid_from,
    )
    order = services.order_create(
        decision=decision, by=officer, provider=provider or world.provider, valid_from=valid_from
    )
    order = services.order_save_draft(
        order=order,
        by=officer,
        version=order.version,
        fields={"daily_visits": 0},
        interventions=rows,
    )
    return services.order_send(order=order, by=officer)


@pytest.fixture
def orders(world):
    """Anna (woman): shower twice a week and cleaning every other week, all November. Bo (man),
    from 16 November: help twice a day on weekdays, two staff. Cecilia (woman): changed on 11
    November, and an order at the other provider at the same time, by another officer. Dora
    (woman): ended in October. Erik (man): a draft only."""
    kinds = catalogue(world.municipality)
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    anna = ClientFactory(ordering_unit=world.unit, first_name="Anna", gender=Gender.FEMALE)
    bo = ClientFactory(ordering_unit=world.unit, first_name="Bo", gender=Gender.MALE)
    cecilia = ClientFactory(ordering_unit=world.unit, first_name="Cecilia", gender=Gender.FEMALE)
    dora = ClientFactory(ordering_unit=world.unit, first_name="Dora", gender=Gender.FEMALE)
    erik = ClientFactory(ordering_unit=world.unit, first_name="Erik", gender=Gender.MALE)
    made = {
        "anna": _send(
            world,
            anna,
            valid_from=_day("2026-09-01"),
            rows=[
                row(kinds["Duschhjälp"]),
                row(kinds["Städning 1 rok"], period="every_n_weeks", occasions=1, every_n_weeks=2),
            ],
        ),
        "bo": _send(
            world,
            bo,
            valid_from=_day("2026-11-16"),
            rows=[
                row(
                    kinds["På- och avklädning"],
                    period="per_day",
                    occasions=2,
                    weekdays=[1, 2, 3, 4, 5],
                    double_staffing=True,
                ),
            ],
        ),
        "cecilia": _send(
            world,
            cecilia,
            valid_from=_day("2026-10-01"),
            rows=[
                row(kinds["Tvätt i bostad"], occasions=1),
            ],
        ),
        "cecilia_other": _send(
            world,
            cecilia,
            valid_from=_day("2026-11-05"),
            provider=world.other_provider,
            officer=colleague,
            rows=[row(kinds["Duschtillsyn"], period="per_day", occasions=1)],
        ),
        "dora": _send(world, dora, valid_from=_day("2026-09-01"), rows=[row(kinds["Duschhjälp"])]),
    }
    services.order_end(
        order=made["dora"], by=world.officer, ended_on=_day("2026-10-31"), reason="Flyttat."
    )
    change = services.order_change_create(
        order=made["cecilia"], by=world.officer, valid_from=_day("2026-11-11")
    )
    change = services.order_save_draft(
        order=change,
        by=world.officer,
        version=change.version,
        fields={"daily_visits": 0},
        interventions=[row(kinds["Tvätt i bostad"], occasions=2), row(kinds["Disk"])],
    )
    made["cecilia_change"] = services.order_send(order=change, by=world.officer)
    draft = services.order_create(
        decision=make_decision(world, client=erik),
        by=world.officer,
        provider=world.provider,
        valid_from=START,
    )
    services.order_save_draft(
        order=draft,
        by=world.officer,
        version=draft.version,
        fields={"daily_visits": 0},
        interventions=[row(kinds["Duschhjälp"])],
    )
    return {name: Order.objects.get(pk=order.pk) for name, order in made.items()}


def _reference(orders, start, end, keys):
    """Day by day in Python, with the order page's time basis: {key: (clients, minute-days,
    client-days)}."""
    minute_days = defaultdict(int)
    client_days = defaultdict(set)
    day = start
    while day <= end:
        for order in orders:
            if order.status == "draft" or order.valid_from > day:
                continue
            if order.valid_to is not None and order.valid_to < day:
                continue
            time = order_time(order)
            for item, minutes in time.rows:
                key = keys(order, item)
                minute_days[key] += minutes
                client_days[key].add((order.client_id, day))
        day += datetime.timedelta(days=1)
    return {
        key: (len({client for client, _day in days}), minute_days[key], len(days))
        for key, days in client_days.items()
    }


def _as_reference(figures, days):
    return {
        tuple(f.key.values()): (
            f.clients,
            round(f.hours_per_month * days * 60),
            round(f.average_clients * days),
        )
        for f in figures
    }


def test_the_total_is_the_order_pages_time_averaged_over_the_period(world, orders):
    all_orders = Order.objects.all()

    with CaptureQueriesContext(connection) as queries:
        [total] = granted_hours(all_orders, start=START, end=END)

    assert len(queries) == 1
    assert total.key == {}
    # Anna, Bo and Cecilia; Dora's order ended before November, Erik's is a draft.
    assert total.clients == 3
    anna = order_time(orders["anna"]).total
    assert anna == orders["anna"].ordered_minutes  # the stored figure agrees with the parts
    expected = _reference(all_orders, START, END, lambda order, item: ())
    assert _as_reference([total], 30) == expected
    # Anna's month alone: her ordered minutes; Bo half of the month.
    [only_anna] = granted_hours(Order.objects.filter(pk=orders["anna"].pk), start=START, end=END)
    assert only_anna.hours_per_month == pytest.approx(anna / 60)
    assert only_anna.mean_per_client == pytest.approx(anna / 60)
    [only_bo] = granted_hours(Order.objects.filter(pk=orders["bo"].pk), start=START, end=END)
    bo = orders["bo"].ordered_minutes
    assert only_bo.hours_per_month == pytest.approx(bo / 60 * 15 / 30)
    # While he had help, he had all of it: the mean per client is not halved.
    assert only_bo.mean_per_client == pytest.approx(bo / 60)
    assert only_bo.average_clients == pytest.approx(0.5)


def test_per_gender(world, orders):
    figures = granted_hours(Order.objects.all(), start=START, end=END, group_by=["gender"])

    assert [f.key for f in figures] == [{"gender": Gender.FEMALE}, {"gender": Gender.MALE}]
    expected = _reference(
        Order.objects.all(), START, END, lambda order, item: (order.client.gender,)
    )
    assert _as_reference(figures, 30) == expected
    women, men = figures
    assert (women.clients, men.clients) == (2, 1)


def test_per_category_and_gender(world, orders):
    figures = granted_hours(
        Order.objects.all(), start=START, end=END, group_by=["gender", "category"]
    )

    expected = _reference(
        Order.objects.all(),
        START,
        END,
        lambda order, item: (order.client.gender, item.intervention_type.category),
    )
    assert _as_reference(figures, 30) == expected
    # Cecilia's days in care count once for personal care (the other provider, from the 5th).
    women_care = next(
        f for f in figures if f.key == {"gender": "female", "category": "personal_care"}
    )
    assert women_care.clients == 2
    assert women_care.average_clients == pytest.approx((30 + 26) / 30)
    # The categories add up to the whole.
    [total] = granted_hours(Order.objects.all(), start=START, end=END)
    assert sum(f.hours_per_month for f in figures) == pytest.approx(total.hours_per_month)
    assert {f.key["category"] for f in figures} == set(InterventionCategory.values)


def test_per_officer(world, orders):
    figures = granted_hours(Order.objects.all(), start=START, end=END, group_by=["officer"])

    expected = _reference(
        Order.objects.all(),
        START,
        END,
        lambda order, item: (
            order.ordered_by_id,
            f"{order.ordered_by.first_name} {order.ordered_by.last_name}",
        ),
    )
    assert _as_reference(figures, 30) == expected
    assert [f.clients for f in figures] == [3, 1]  # the officer's three, the colleague's one


def test_the_callers_scope_and_the_period(world, orders):
    # Only what the queryset holds counts (the caller scopes it), and October has Dora.
    scoped = Order.objects.filter(client__first_name__in=["Dora", "Anna"])
    october = granted_hours(
        scoped, start=_day("2026-10-01"), end=_day("2026-10-31"), group_by=["gender"]
    )

    assert [(f.key, f.clients) for f in october] == [({"gender": "female"}, 2)]
    assert granted_hours(scoped, start=_day("2027-01-01"), end=_day("2027-01-31")) == [
        *granted_hours(
            Order.objects.filter(pk=orders["anna"].pk),
            start=_day("2027-01-01"),
            end=_day("2027-01-31"),
        )
    ]
    assert granted_hours(Order.objects.none(), start=START, end=END) == []
    with pytest.raises(ValueError):
        granted_hours(scoped, start=END, end=START)


def test_a_scoped_queryset_with_parameters(world, orders):
    scoped = Order.objects.filter(order_text__contains="100%", client__first_name="Anna") | (
        Order.objects.filter(pk=orders["anna"].pk)
    )

    [figures] = granted_hours(scoped, start=START, end=END)

    assert figures.clients == 1
