"""The case officer's "returned plans waiting for the provider" (issue 11): plans she returned,
or of her clients, until the provider completes the reworked version; the longest waiting
first; nothing of another organisation; the same cost for 5 and for 50 rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from genomforandeplan import services
from ramtid.choices import Role
from tests.factories import ClientFactory, UserFactory, member
from tests.genomforandeplan.conftest import assign_contact, complete
from tests.genomforandeplan.test_worklists import executed_for

KEY = "atersanda-planer"


def returned_plans(world, count, *, officer=None, reviewer=None, comment="Saknar dusch."):
    """Plans completed and returned, in order: the first returned first."""
    officer = officer or world.officer
    plans = []
    for index in range(count):
        client = ClientFactory(
            ordering_unit=world.unit, responsible_officer=officer, first_name=f"Åter{index:02d}"
        )
        order = assign_contact(world, executed_for(world, client, days_ago=30))
        plan = services.plan_start(order=order, by=world.contact_person)
        complete(world, plan)
        services.plan_review(
            plan=plan, by=reviewer or officer, approve=False, comment=f"{comment} {index}"
        )
        plans.append(plan)
    return plans


def _page(http, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("worklist", args=[KEY]) + query)
    assert response.status_code == 200
    return response, len(queries)


def test_returned_plans_are_listed_the_longest_waiting_first(world):
    plans = returned_plans(world, 3)
    response, _queries = _page(world.login(world.officer))
    rows = response.context["section"].rows
    assert [p.pk for p in rows] == [p.pk for p in plans]
    html = response.content.decode()
    assert "Saknar dusch. 0" in html
    assert reverse("plan_detail", args=[plans[0].pk]) in html


def test_a_reworked_and_completed_plan_leaves_the_list(world):
    reworked, waiting = returned_plans(world, 2)
    reworked.refresh_from_db()
    complete(world, reworked)  # the provider completes the new version: ready for review
    response, _queries = _page(world.login(world.officer))
    assert [p.pk for p in response.context["section"].rows] == [waiting.pk]
    start = world.login(world.officer).get(reverse("start"))
    [section] = [s for s in start.context["sections"] if s.worklist.key == KEY]
    assert section.count == 1


def test_her_clients_and_her_returns_only(world):
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    returned_plans(world, 2, officer=colleague)  # the colleague's clients, returned by her
    returned_plans(world, 1, officer=colleague, reviewer=world.officer)  # returned by me
    returned_plans(world, 1)  # my client
    mine, _queries = _page(world.login(world.officer))
    assert mine.context["section"].count == 2
    theirs, _queries = _page(world.login(colleague))
    assert theirs.context["section"].count == 3
    other, _queries = _page(world.login(world.other_officer))
    assert other.context["section"].count == 0


def test_only_a_case_officer_has_the_list(world):
    for user in (world.manager, world.coordinator, world.contact_person, world.other_coordinator):
        assert world.login(user).get(reverse("worklist", args=[KEY])).status_code == 404


def test_the_list_costs_the_same_for_5_and_for_50_rows(world):
    returned_plans(world, 5)
    http = world.login(world.officer)
    _response, few = _page(http)
    with CaptureQueriesContext(connection) as start_few:
        http.get(reverse("start"))
    returned_plans(world, 45, comment="Mer")
    response, many = _page(http)
    assert response.context["section"].count == 50
    assert many == few
    with CaptureQueriesContext(connection) as start_many:
        http.get(reverse("start"))
    assert len(start_many) == len(start_few)
