"""The provider's continuity flags (uppfoljning.worklists.continuity): clients over the goal in
the latest checked month, for the coordinator all of the provider's, for a contact person her
own; bounded queries on the start page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestallning import services as order_services
from ramtid.choices import Role
from ramtid.models import User
from ramtid.worklists import sections_for
from tests.factories import UserFactory, member
from tests.genomforandeplan.conftest import assign_contact
from tests.uppfoljning.reviews_helpers import (
    add_visits,
    change_order,
    day,
    executed_order,
    new_client,
)
from uppfoljning.monthly import run_month

OCTOBER, NOVEMBER = day("2026-10-01"), day("2026-11-01")
KEY = "kontinuitet"


def _staff(prefix: str, count: int, on: str) -> list[tuple[str, str]]:
    return [(f"{on} {8 + index % 12:02d}:00", f"{prefix}{index}") for index in range(count)]


def _check(world):
    run_month(municipality=world.municipality, month=OCTOBER, today=day("2026-11-06"))
    run_month(municipality=world.municipality, month=NOVEMBER, today=day("2026-12-06"))


def _section(user):
    """The user's continuity section on the start page, or None (a fresh user object, as each
    request has one)."""
    fresh = User.objects.get(pk=user.pk)
    return next((s for s in sections_for(fresh) if s.worklist.key == KEY), None)


def _names(section) -> list[tuple[str, int]]:
    return [(row.client.first_name, row.continuity_staff) for row in section.rows]


@pytest.fixture
def flagged(world):
    """Lisa: 12 of the provider's staff in November (her contact person is the world's) and 13
    of the other provider's; Nils: 11; Rut: 10, the goal itself; Greta: 14 in October only."""
    orders = {}
    for name, count in (("Lisa", 12), ("Nils", 11), ("Rut", 10)):
        client = world.client if name == "Lisa" else new_client(world, first_name=name)
        orders[name] = executed_order(world, client=client, executed_on=day("2026-09-01"))
        add_visits(orders[name], _staff(name, count, "2026-11-10"))
    other = executed_order(
        world, client=world.client, executed_on=day("2026-09-01"), provider=world.other_provider
    )
    add_visits(other, _staff("p", 13, "2026-11-12"))
    greta = executed_order(
        world, client=new_client(world, first_name="Greta"), executed_on=day("2026-09-01")
    )
    add_visits(greta, _staff("g", 14, "2026-10-10"))
    assign_contact(world, orders["Lisa"], world.contact_person)
    return orders


def test_the_coordinator_sees_her_providers_clients_over_the_goal(world, flagged):
    _check(world)

    section = _section(world.coordinator)

    # The most staff first; Rut at the goal is not over it; Greta's October is not the latest.
    assert _names(section) == [("Lisa", 12), ("Nils", 11)]
    assert section.count == 2
    assert {row.month for row in section.rows} == {NOVEMBER}
    assert section.rows[0].goal == 10
    assert section.rows[0].window_start == day("2026-10-28")

    response = world.login(world.coordinator).get(reverse("start"))
    html = response.content.decode()
    assert "Personalkontinuitet över målet" in html
    assert "2026-10-28 – 2026-11-10" in html
    assert f"{reverse('continuity')}?manad=2026-11" in html


def test_each_provider_counts_its_own_staff(world, flagged):
    _check(world)

    assert _names(_section(world.other_coordinator)) == [("Lisa", 13)]


def test_a_contact_person_sees_only_her_own_clients(world, flagged):
    deputy = member(UserFactory(username="ersattare"), Role.CONTACT_PERSON, provider=world.provider)
    colleague = member(
        UserFactory(username="kollega"), Role.CONTACT_PERSON, provider=world.provider
    )
    assign_contact(world, flagged["Nils"], colleague, deputy=deputy)
    _check(world)

    assert _names(_section(world.contact_person)) == [("Lisa", 12)]
    assert _names(_section(deputy)) == [("Nils", 11)]
    assert _names(_section(colleague)) == [("Nils", 11)]
    assert _section(world.contact_person).count == 1


@pytest.mark.parametrize("user", ["officer", "manager", "fee_officer", "administrator"])
def test_the_municipality_has_no_such_list(world, flagged, user):
    _check(world)

    assert _section(getattr(world, user)) is None
    http = world.login(getattr(world, user))
    assert http.get(reverse("worklist", args=[KEY])).status_code == 404


def test_the_provider_loses_the_client_after_its_grace(world, flagged):
    order_services.order_end(
        order=flagged["Nils"], by=world.officer, ended_on=day("2026-11-20"), reason="Flyttat."
    )
    _check(world)
    assert _names(_section(world.coordinator)) == [("Lisa", 12), ("Nils", 11)]

    world.municipality.provider_access_days = 0
    world.municipality.save(update_fields=["provider_access_days"])

    assert _names(_section(world.coordinator)) == [("Lisa", 12)]


def test_an_order_changed_mid_month_is_one_row(world, flagged):
    changed = change_order(
        world, flagged["Nils"], valid_from=day("2026-11-15"), executed_on=day("2026-11-15")
    )
    add_visits(changed, _staff("ny", 2, "2026-11-16"))
    _check(world)

    section = _section(world.coordinator)

    assert _names(section) == [("Nils", 13), ("Lisa", 12)]
    assert section.rows[0].order_id == changed.pk


def test_the_whole_list_and_its_file(world, flagged):
    _check(world)
    http = world.login(world.coordinator)

    page = http.get(reverse("worklist", args=[KEY]))
    csv = http.get(reverse("worklist_csv", args=[KEY]))

    assert page.status_code == 200 and "Nils" in page.content.decode()
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Olika personal" in text and "2026-10-28" in text


@pytest.mark.parametrize("role", ["coordinator", "contact_person"])
def test_the_start_page_costs_the_same_for_few_and_many_flags(world, flagged, role):
    user = getattr(world, role)
    _check(world)
    http = world.login(user)
    with CaptureQueriesContext(connection) as few_queries:
        few = http.get(reverse("start"))
    for number in range(8):
        order = executed_order(
            world,
            client=new_client(world, first_name=f"Fler{number}"),
            executed_on=day("2026-09-01"),
        )
        add_visits(order, _staff(f"f{number}-", 11 + number, "2026-11-10"))
        assign_contact(world, order, world.contact_person)
    _check(world)
    with CaptureQueriesContext(connection) as many_queries:
        many = http.get(reverse("start"))

    assert few.status_code == many.status_code == 200
    assert _section(user).count == (10 if role == "coordinator" else 9)
    assert len(many_queries) == len(few_queries)
