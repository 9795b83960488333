"""Every list reads as many queries for 50 rows as for 5 (issue 8: no N+1 anywhere).

The lists: the API's (clients, the catalogue, decisions, orders, plans) for each role that reads
them, and the admin's change lists. The client list page has its tests in
tests/ramtid/test_client_list.py (an officer) and tests/ramtid/test_provider_client_list.py (a
provider). The start page and its worklists have their own, and so has the access log's page.

The rows are built through the services with everything a list shows of them (interventions with
a care package, a contact person, a completed and reviewed plan version, a follow-up), so that
each relation a serializer reads is there to be read once per row, or once per page.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from bestallning import services as order_services
from genomforandeplan import services as plan_services
from ramtid.choices import Role
from ramtid.models import InterventionType, User
from tests.bestallning.conftest import TODAY, catalogue, make_decision, make_order, row
from tests.factories import (
    ClientFactory,
    MunicipalityFactory,
    OrderingUnitFactory,
    ProviderFactory,
    UserFactory,
    api_token,
    member,
)
from tests.genomforandeplan.conftest import complete

FEW, MANY = 5, 50


def _api(user) -> APIClient:
    # A fresh copy of the user, as each request has: the user object caches its memberships.
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def _read(api: APIClient, url: str) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, (url, response.content[:500])
    return len(queries), response.json()["results"]


def _cases(world, count: int, *, first_client=None) -> None:
    """`count` clients of the world's unit, each with a decision and an order sent to the
    world's provider and executed, a contact person, and a plan completed, approved by the
    officer and followed up."""
    kinds = catalogue(world.municipality)
    package = row(
        kinds["Omvårdnadspaket morgon"],
        period="per_day",
        occasions=1,
        care_package_contents=[
            kinds["Personlig hygien"], kinds["På- och avklädning"], kinds["Toalettbesök"]
        ],
    )  # fmt: skip
    start = TODAY - datetime.timedelta(days=5)
    for index in range(count):
        client = first_client if index == 0 and first_client else None
        client = client or ClientFactory(
            ordering_unit=world.unit, responsible_officer=world.officer
        )
        decision = make_decision(world, client=client, valid_from=start, decided_on=start)
        order = make_order(
            world, decision=decision, rows=[row(kinds["Duschhjälp"]), package], daily_visits=1
        )
        order = order_services.order_send(order=order, by=world.officer)
        order = order_services.order_execute(order=order, by=world.coordinator, executed_on=start)
        plan_services.contact_assign(
            order=order, by=world.coordinator, contact_person=world.contact_person,
            deputy=world.coordinator,
        )  # fmt: skip
        plan = plan_services.plan_start(order=order, by=world.contact_person)
        complete(world, plan)
        plan_services.plan_review(plan=plan, by=world.officer, approve=True)
        plan_services.plan_follow_up(
            plan=plan, by=world.contact_person, followed_up_on=TODAY, notes="Fungerar bra."
        )


# Each API list and a role that reads it: the case officer sees her unit's, the provider's staff
# what was sent to the provider.
API_LISTS = [
    ("/api/brukare/", "officer"),
    ("/api/brukare/", "coordinator"),
    ("/api/beslut/", "officer"),
    ("/api/bestallningar/", "officer"),
    ("/api/bestallningar/", "coordinator"),
    ("/api/genomforandeplaner/", "officer"),
    ("/api/genomforandeplaner/", "contact_person"),
]


def test_the_api_lists_read_the_same_queries_for_5_and_for_50_rows(world):
    # Given five cases (the world's client is the first), each list read once
    _cases(world, FEW, first_client=world.client)
    few = {}
    for url, role in API_LISTS:
        few[url, role] = _read(_api(getattr(world, role)), url)
        assert len(few[url, role][1]) == FEW, (url, role)

    # When there are fifty
    _cases(world, MANY - FEW)

    # Then every list reads the same queries for its fifty rows as for its five
    for url, role in API_LISTS:
        queries, rows = _read(_api(getattr(world, role)), url)
        assert len(rows) == MANY, (url, role)
        assert queries == few[url, role][0], (url, role, few[url, role][0], queries)
        if url == "/api/bestallningar/":
            # What the prefetches are for: a package's contents, the contact, the deadline.
            assert rows[-1]["interventions"][1]["care_package_contents"]
            assert rows[-1]["contact"]["contact_person_id"] == world.contact_person.pk
            assert rows[-1]["plan_deadline"]["status"] == "on_time"
        if url == "/api/genomforandeplaner/":
            assert [v["review_outcome"] for v in rows[-1]["versions"]] == ["approved"]
            assert rows[-1]["follow_ups"]


def test_the_catalogue_reads_the_same_queries_for_5_and_for_50_interventions(world):
    municipality = world.other_municipality  # no catalogue copied: the rows are these

    def interventions(count: int) -> None:
        start = InterventionType.objects.filter(municipality=municipality).count()
        InterventionType.objects.bulk_create(
            InterventionType(
                municipality=municipality,
                name=f"Insats {number}",
                category="service",
                standard_minutes=30,
                position=number,
            )
            for number in range(start, start + count)
        )

    interventions(FEW)
    few, rows = _read(_api(world.other_officer), "/api/insatser/")
    assert len(rows) == FEW
    interventions(MANY - FEW)
    many, rows = _read(_api(world.other_officer), "/api/insatser/")
    assert len(rows) == MANY
    assert many == few


# ---------------------------------------------------------------------------------------------
# The admin's change lists, as a municipality's administrator sees them (the municipalities'
# own list as a superuser: an administrator sees only her own). The ICF life areas are a fixed
# national list of ten.


def _administration():
    municipality = MunicipalityFactory(name="Sollentuna", code="0163")
    unit = OrderingUnitFactory(municipality=municipality)
    administrator = member(
        UserFactory(username="sollentuna.admin", is_staff=True),
        Role.ADMINISTRATOR,
        municipality=municipality,
    )
    return municipality, unit, administrator


NUMBERS = itertools.count()


def _users(municipality, unit, count):
    for _ in range(count):
        member(UserFactory(), Role.CASE_OFFICER, unit=unit)


def _api_tokens(municipality, unit, count):
    for _ in range(count):
        api_token(unit=unit)


ADMIN_LISTS = {
    "ramtid_municipality": lambda m, u, n: MunicipalityFactory.create_batch(n),
    "ramtid_orderingunit": lambda m, u, n: OrderingUnitFactory.create_batch(n, municipality=m),
    "ramtid_provider": lambda m, u, n: ProviderFactory.create_batch(n, municipality=m),
    "ramtid_interventiontype": lambda m, u, n: InterventionType.objects.bulk_create(
        InterventionType(
            municipality=m, name=f"Insats {next(NUMBERS)}", category="service", standard_minutes=30
        )
        for _ in range(n)
    ),
    "ramtid_user": _users,
    "ramtid_apitoken": _api_tokens,
}


def _shown(http, model: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200, model
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_the_admins_change_lists_read_the_same_queries_for_5_and_for_50_rows(world, model):
    municipality, unit, administrator = _administration()
    if model == "ramtid_municipality":
        administrator = UserFactory(username="drift", is_staff=True, is_superuser=True)
    http = world.login(administrator)
    add = ADMIN_LISTS[model]

    def fill(target: int) -> int:
        shown = _shown(http, model)[1]
        if shown < target:
            add(municipality, unit, target - shown)
        queries, shown = _shown(http, model)
        assert shown == target, (model, shown)
        return queries

    few = fill(FEW)
    assert fill(MANY) == few, model
