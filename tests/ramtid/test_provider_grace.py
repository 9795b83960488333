"""A provider sees a client while an order sent to it is in force or about to start, and for the
municipality's `provider_access_days` after it ended (30 by default); the day after, nothing
(issue 10: providers kept every client they ever had an order for).

The rule lives in ramtid.selectors.provider_sees; clients, orders, plans and time results all
read through it, so every page, PDF and API route of the client answers 404 the day after.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bestallning import services as order_services
from bestallning.selectors import orders_visible_to
from genomforandeplan import services as plan_services
from genomforandeplan.selectors import plans_visible_to
from ramtid.models import Municipality
from ramtid.selectors import clients_visible_to
from tests.bestallning.conftest import make_decision, make_order
from tests.genomforandeplan.conftest import complete
from tests.uppfoljning.monthly_helpers import add_visits, sent_order
from tests.uppfoljning.plan_check_helpers import executed
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import results_visible_to, run_monthly_check
from uppfoljning.plan_check import notices_visible_to, run_plan_check

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
GRACE = 30  # Municipality.provider_access_days's default


def _executed(world, *, client=None, provider=None, start=None, coordinator=None):
    """An order sent to the provider (the world's unless given) and started on `start`."""
    client = client or world.client
    start = start or TODAY - 100 * DAY
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = make_order(world, decision=decision, provider=provider, valid_from=start)
    order = order_services.order_send(order=order, by=world.officer)
    return order_services.order_execute(
        order=order, by=coordinator or world.coordinator, executed_on=start
    )


def _end(world, order, ended_on):
    return order_services.order_end(
        order=order, by=world.officer, ended_on=ended_on, reason="Brukaren har flyttat."
    )


def _api(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def case(world):
    """Lisa's order at the world's provider, started 100 days ago, with a completed plan."""
    order = _executed(world)
    plan = plan_services.plan_start(order=order, by=world.coordinator)
    complete(world, plan)
    return order, plan


@pytest.mark.parametrize(
    ("days_ago", "sees"),
    [
        pytest.param(GRACE, True, id="the grace's last day"),
        pytest.param(GRACE + 1, False, id="the day after"),
    ],
)
def test_the_provider_sees_the_client_to_the_graces_last_day_and_nothing_the_day_after(
    world, case, days_ago, sees
):
    order, plan = case
    _end(world, order, TODAY - days_ago * DAY)
    client = world.client
    expected = 200 if sees else 404
    http = world.login(world.coordinator)

    pages = {
        "client_detail": [client.pk],
        "client_visits": [client.pk],
        "order_detail": [order.pk],
        "order_pdf": [order.pk],
        "plan_detail": [plan.pk],
        "plan_version": [plan.pk, 1],
        "plan_pdf": [plan.pk],
    }
    for name, args in pages.items():
        assert http.get(reverse(name, args=args)).status_code == expected, name
    listed = http.get(reverse("client_list")).context["page"].object_list
    assert (client in listed) is sees

    api = _api(world.coordinator)
    for url in (
        f"/api/brukare/{client.pk}/",
        f"/api/bestallningar/{order.pk}/",
        f"/api/genomforandeplaner/{plan.pk}/",
    ):
        assert api.get(url).status_code == expected, url
    assert (client.pk in _ids(api.get("/api/brukare/"))) is sees
    assert (order.pk in _ids(api.get("/api/bestallningar/"))) is sees
    assert (plan.pk in _ids(api.get("/api/genomforandeplaner/"))) is sees

    # The ordering unit's view is not the provider's: the officer still has it all.
    officer = world.login(world.officer)
    for name in ("client_detail", "order_detail"):
        args = [client.pk] if name == "client_detail" else [order.pk]
        assert officer.get(reverse(name, args=args)).status_code == 200


def test_the_municipalitys_setting_sets_the_grace(world, case):
    order, plan = case
    _end(world, order, TODAY - 11 * DAY)
    coordinator = world.coordinator
    assert clients_visible_to(coordinator).filter(pk=world.client.pk).exists()

    Municipality.objects.filter(pk=world.municipality.pk).update(provider_access_days=10)
    assert not clients_visible_to(coordinator).filter(pk=world.client.pk).exists()
    assert not orders_visible_to(coordinator).filter(pk=order.pk).exists()
    assert not plans_visible_to(coordinator).filter(pk=plan.pk).exists()
    assert world.login(coordinator).get(reverse("order_detail", args=[order.pk])).status_code == 404

    Municipality.objects.filter(pk=world.municipality.pk).update(provider_access_days=11)
    assert clients_visible_to(coordinator).filter(pk=world.client.pk).exists()
    assert world.login(coordinator).get(reverse("order_detail", args=[order.pk])).status_code == 200


def test_no_grace_still_shows_the_client_on_the_orders_last_day(world, case):
    order, _plan = case
    Municipality.objects.filter(pk=world.municipality.pk).update(provider_access_days=0)
    _end(world, order, TODAY)
    assert clients_visible_to(world.coordinator).filter(pk=world.client.pk).exists()


def test_an_ended_order_stays_visible_while_a_newer_one_is_in_force(world, case):
    # Given Lisa's first order superseded 50 days ago by a change now in force: the first one
    # ended 51 days ago, past the grace.
    first, plan = case
    draft = order_services.order_change_create(
        order=first, by=world.officer, valid_from=TODAY - 50 * DAY
    )
    change = order_services.order_send(order=draft, by=world.officer)
    first.refresh_from_db()
    assert first.valid_to == TODAY - 51 * DAY

    # Then the provider still reads the client, both orders and the plan written for the first.
    http = world.login(world.coordinator)
    for name, pk in [
        ("client_detail", world.client.pk),
        ("order_detail", first.pk),
        ("order_detail", change.pk),
        ("plan_detail", plan.pk),
    ]:
        assert http.get(reverse(name, args=[pk])).status_code == 200, name
    assert {first.pk, change.pk} <= _ids(_api(world.coordinator).get("/api/bestallningar/"))

    # Until the change ends too, and its grace with it.
    _end(world, change, TODAY - (GRACE + 1) * DAY)
    for name, pk in [("client_detail", world.client.pk), ("order_detail", first.pk)]:
        assert http.get(reverse(name, args=[pk])).status_code == 404, name


def test_another_providers_ended_order_gives_it_nothing(world, case):
    # Given Lisa's order at our provider in force, and one at another provider that ended
    # before its grace
    ours, _plan = case
    theirs = _executed(
        world,
        provider=world.other_provider,
        start=TODAY - 200 * DAY,
        coordinator=world.other_coordinator,
    )
    _end(world, theirs, TODAY - 101 * DAY)

    # Then the other provider sees neither the client nor any order, its own included
    other = world.login(world.other_coordinator)
    assert other.get(reverse("client_detail", args=[world.client.pk])).status_code == 404
    assert other.get(reverse("order_detail", args=[theirs.pk])).status_code == 404
    assert other.get(reverse("order_detail", args=[ours.pk])).status_code == 404
    assert not clients_visible_to(world.other_coordinator).exists()
    assert _ids(_api(world.other_coordinator).get("/api/bestallningar/")) == set()

    # and our provider sees its own, never the other's.
    http = world.login(world.coordinator)
    assert http.get(reverse("order_detail", args=[ours.pk])).status_code == 200
    assert http.get(reverse("order_detail", args=[theirs.pk])).status_code == 404


def test_within_its_grace_the_other_provider_sees_the_client_but_only_its_own_rows(world, case):
    ours, plan = case
    theirs = _executed(
        world,
        provider=world.other_provider,
        start=TODAY - 200 * DAY,
        coordinator=world.other_coordinator,
    )
    _end(world, theirs, TODAY - 101 * DAY)
    Municipality.objects.filter(pk=world.municipality.pk).update(provider_access_days=200)

    other = world.login(world.other_coordinator)
    assert other.get(reverse("client_detail", args=[world.client.pk])).status_code == 200
    assert other.get(reverse("order_detail", args=[theirs.pk])).status_code == 200
    assert other.get(reverse("order_detail", args=[ours.pk])).status_code == 404
    assert other.get(reverse("plan_detail", args=[plan.pk])).status_code == 404


def test_an_order_sent_for_a_later_start_shows_the_client_to_prepare(world):
    start = TODAY + 20 * DAY
    decision = make_decision(world, valid_from=start, decided_on=TODAY)
    order = make_order(world, decision=decision, valid_from=start)
    order = order_services.order_send(order=order, by=world.officer)

    http = world.login(world.coordinator)
    assert http.get(reverse("client_detail", args=[world.client.pk])).status_code == 200
    assert http.get(reverse("order_detail", args=[order.pk])).status_code == 200
    assert http.get(reverse("contact_assign", args=[order.pk])).status_code == 200


def test_a_draft_shows_the_provider_nothing(world):
    make_order(world)
    assert not clients_visible_to(world.coordinator).exists()
    assert not orders_visible_to(world.coordinator).exists()


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [pytest.param(GRACE, 200, id="last day"), pytest.param(GRACE + 1, 404, id="day after")],
)
def test_the_time_follow_up_follows_the_grace(world, days_ago, expected):
    month = TODAY.replace(day=1)
    order = sent_order(world, client=world.client, valid_from=month - 40 * DAY)
    add_visits(order, month, performed=4000)
    run_monthly_check(municipality=world.municipality, month=month)
    result = MonthlyTimeResult.objects.get(order=order)
    _end(world, order, TODAY - days_ago * DAY)

    http = world.login(world.coordinator)
    assert http.get(reverse("time_result", args=[result.pk])).status_code == expected
    assert _api(world.coordinator).get(f"/api/tidsuppfoljning/{result.pk}/").status_code == (
        expected
    )
    assert results_visible_to(world.coordinator).filter(pk=result.pk).exists() is (expected == 200)
    # The officer's follow-up is the unit's, whatever the provider's grace.
    assert results_visible_to(world.officer).filter(pk=result.pk).exists()


@pytest.mark.parametrize(
    ("days_ago", "sees"),
    [pytest.param(GRACE, True, id="last day"), pytest.param(GRACE + 1, False, id="day after")],
)
def test_the_reminders_about_the_client_follow_the_grace(world, days_ago, sees):
    # Given a reminder that Lisa has no contact person, from the days her order was in force
    order = executed(world, on=TODAY - 60 * DAY, client=world.client)
    run_plan_check(today=TODAY)
    assert notices_visible_to(world.coordinator).filter(order=order).exists()

    _end(world, order, TODAY - days_ago * DAY)

    assert notices_visible_to(world.coordinator).filter(order=order).exists() is sees
    page = world.login(world.coordinator).get(reverse("notice_list") + "?visa=alla")
    assert (world.client.last_name in page.content.decode()) is sees
