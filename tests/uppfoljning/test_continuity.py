"""Staff continuity (003): different staff per client in any 14-day window ending in the month,
counted in SQL (uppfoljning.continuity), and the page "Personalkontinuitet"."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ramtid.models import AccessLog, Client
from tests.factories import ClientFactory, OrderingUnitFactory
from tests.uppfoljning.reviews_helpers import STOCKHOLM, add_visits, day, executed_order
from uppfoljning.choices import VisitStatus
from uppfoljning.continuity import clients_over_goal, continuity_for_client

NOVEMBER = day("2026-11-01")


def _staff(prefix: str, count: int, on: str) -> list[tuple[str, str]]:
    """`count` different staff, each one visit on the day `on` ('YYYY-MM-DD')."""
    return [(f"{on} {8 + index % 12:02d}:00", f"{prefix}{index}") for index in range(count)]


@pytest.fixture
def order(world):
    return executed_order(world, client=world.client, executed_on=day("2026-09-01"))


def test_a_window_reaches_back_into_the_previous_month(world, order):
    # Six staff at the end of October, five more on the first days of November.
    add_visits(order, [(f"2026-10-{25 + i} 08:00", f"okt{i}") for i in range(6)])
    add_visits(order, [(f"2026-11-0{1 + i % 3} 09:00", f"nov{i}") for i in range(5)])

    result = continuity_for_client(world.client, NOVEMBER)

    assert result.staff == 11
    # The first window with eleven ends on 3 November and starts 13 days before.
    assert (result.window_start, result.window_end) == (day("2026-10-21"), day("2026-11-03"))
    assert result.over_goal and result.goal == 10
    # October alone had six.
    assert continuity_for_client(world.client, day("2026-10-01")).staff == 6


@pytest.mark.parametrize(("staff", "over"), [(10, False), (11, True)])
def test_the_goal_itself_is_not_over_the_goal(world, order, staff, over):
    add_visits(order, _staff("p", staff, "2026-11-10"))

    result = continuity_for_client(world.client, NOVEMBER)

    assert result.staff == staff and result.over_goal is over
    page = clients_over_goal(world.officer, NOVEMBER)
    assert [row.client_id for row in page.rows] == ([world.client.pk] if over else [])
    assert page.total == (1 if over else 0)


@pytest.mark.parametrize(("first_day", "staff"), [("2026-11-01", 10), ("2026-11-02", 11)])
def test_a_window_is_fourteen_days(world, order, first_day, staff):
    # One visit on `first_day` and ten other staff on the 15th: 1 November is 14 days before
    # the 15th, outside the window ending that day; 2 November is inside it.
    add_visits(order, [(f"{first_day} 08:00", "tidig"), *_staff("p", 10, "2026-11-15")])

    assert continuity_for_client(world.client, NOVEMBER).staff == staff


def test_the_day_of_a_visit_is_its_swedish_date(world, order):
    # 1 November's first window starts on 19 October (Swedish time). A visit at 00:30 on the
    # 19th (22:30 UTC on the 18th) is in it, one at 23:30 on the 18th is not.
    add_visits(order, [("2026-10-19 00:30", "a"), ("2026-10-18 23:30", "b")])

    result = continuity_for_client(world.client, NOVEMBER)

    assert result.staff == 1 and result.window_end == day("2026-11-01")


def test_only_performed_visits_count(world, order):
    add_visits(order, _staff("p", 3, "2026-11-10"))
    add_visits(order, _staff("avböjd", 8, "2026-11-10"), status=VisitStatus.DECLINED)
    add_visits(order, _staff("borta", 8, "2026-11-11"), status=VisitStatus.ABSENT)

    assert continuity_for_client(world.client, NOVEMBER).staff == 3


def test_no_visits_no_figure(world, order):
    assert continuity_for_client(world.client, NOVEMBER) is None


def test_a_staff_code_is_the_providers_own(world, order):
    other = executed_order(
        world, client=world.client, executed_on=day("2026-09-01"), provider=world.other_provider
    )
    # Both providers' systems use the codes p0 … p5.
    add_visits(order, _staff("p", 6, "2026-11-10"))
    add_visits(other, _staff("p", 6, "2026-11-11"))

    # The client met twelve people; each provider six of its own.
    assert continuity_for_client(world.client, NOVEMBER).staff == 12
    assert clients_over_goal(world.officer, NOVEMBER).total == 1
    assert (
        continuity_for_client(world.client, NOVEMBER, provider_ids={world.provider.pk}).staff == 6
    )
    assert clients_over_goal(world.coordinator, NOVEMBER).total == 0


def _brute_force(visits, month):
    """{client: (max staff, first window end)} by looking at every window, in Python."""
    days = [month + datetime.timedelta(days=n) for n in range(30)]
    result = {}
    for client_id in {v[0] for v in visits}:
        best = (0, None)
        for end in days:
            seen = {
                (provider, staff)
                for c, provider, staff, start, status in visits
                if c == client_id
                and status == VisitStatus.PERFORMED
                and end - datetime.timedelta(days=13) <= start.astimezone(STOCKHOLM).date() <= end
            }
            if len(seen) > best[0]:
                best = (len(seen), end)
        result[client_id] = best
    return result


def test_the_sql_agrees_with_looking_at_every_window(world):
    rng = random.Random(9)
    visits = []
    for number in range(4):
        client = ClientFactory(ordering_unit=world.unit, first_name=f"Slump{number}")
        order = executed_order(world, client=client, executed_on=day("2026-09-01"))
        rows = []
        for _visit in range(rng.randint(40, 120)):
            start = datetime.datetime(2026, 10, 5, 6, tzinfo=STOCKHOLM) + datetime.timedelta(
                minutes=rng.randrange(0, 57 * 24 * 60, 15)
            )
            status = rng.choice([VisitStatus.PERFORMED] * 8 + [VisitStatus.DECLINED])
            staff = f"s{rng.randint(0, 10 + number * 3)}"
            rows.append((start, staff, status))
        for status in VisitStatus.values:
            chosen = [(f"{s:%Y-%m-%d %H:%M}", staff) for s, staff, st in rows if st == status]
            if chosen:
                add_visits(order, chosen, status=status)
        visits += [(client.pk, order.provider_id, staff, s, st) for s, staff, st in rows]

    expected = _brute_force(visits, NOVEMBER)

    for client_id, (staff, end) in expected.items():
        result = continuity_for_client(Client.objects.get(pk=client_id), NOVEMBER)
        assert (result.staff, result.window_end) == (staff, end), client_id
    page = clients_over_goal(world.officer, NOVEMBER)
    assert {row.client_id: row.staff for row in page.rows} == {
        client_id: staff for client_id, (staff, _end) in expected.items() if staff > 10
    }


# ---------------------------------------------------------------------------------------------
# The page


def _over_goal_clients(world, order, count: int) -> list:
    """`count` clients of the unit, each with eleven different staff on 10 November (the
    visits' order is not theirs: the visits table has no constraints to mind)."""
    clients = [
        ClientFactory(ordering_unit=world.unit, first_name=f"Över{n:02d}") for n in range(count)
    ]
    for client in clients:
        add_visits(order, _staff("p", 11, "2026-11-10"), client_id=client.pk)
    return clients


def _page(http, **params):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("continuity"), {"manad": "2026-11", **params})
    return response, len(queries)


def test_the_officer_sees_her_units_clients_over_the_goal(world, order):
    mine = _over_goal_clients(world, order, 2)
    elsewhere = OrderingUnitFactory(municipality=world.municipality)
    theirs = ClientFactory(ordering_unit=elsewhere, first_name="Annanenhet")
    add_visits(order, _staff("q", 12, "2026-11-12"), client_id=theirs.pk)

    response, _queries = _page(world.login(world.officer))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(mine[0]) in html and str(mine[1]) in html
    assert "Annanenhet" not in html
    assert "2026-10-28 – 2026-11-10" in html  # the window's dates
    [entry] = AccessLog.objects.filter(user=world.officer)
    assert set(entry.client_ids) == {c.pk for c in mine}


def test_the_provider_sees_its_own_clients_and_another_provider_nothing(world, order):
    add_visits(order, _staff("p", 11, "2026-11-10"))

    own = _page(world.login(world.coordinator))[0]
    other = _page(world.login(world.other_coordinator))[0]

    assert own.status_code == 200 and str(world.client) in own.content.decode()
    assert "er egen personal" in own.content.decode()
    assert other.status_code == 200 and str(world.client) not in other.content.decode()


@pytest.mark.parametrize("user", ["fee_officer", "administrator"])
def test_those_who_follow_no_clients_get_no_page(world, user):
    assert _page(world.login(getattr(world, user)))[0].status_code == 404


def test_a_bad_month_is_named(world):
    response, _queries = _page(world.login(world.officer), manad="2026-13")
    assert response.status_code == 200
    assert "Ange månaden som ÅÅÅÅ-MM" in response.content.decode()
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert response.context["month"] == last_month  # the default meanwhile


def test_the_page_costs_the_same_for_5_and_50_clients(world, order):
    http = world.login(world.officer)
    _over_goal_clients(world, order, 5)
    response, few = _page(http)
    assert len(response.context["rows"]) == 5
    _over_goal_clients(world, order, 45)
    response, many = _page(http)
    assert len(response.context["rows"]) == 50
    assert many == few
