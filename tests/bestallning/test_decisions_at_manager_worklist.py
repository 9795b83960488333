"""The case officer's "decisions waiting for the manager" (issue 11): her own decisions above
the delegation the unit manager has not yet approved, oldest first; a decision leaves the list
once approved or withdrawn; nobody else's decision is listed, and the list costs the same for
few and many rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestallning import services
from bestallning.choices import ApprovalStatus
from ramtid.choices import Role
from tests.bestallning.conftest import TODAY, make_decision
from tests.factories import ClientFactory, UserFactory, member

KEY = "beslut-hos-enhetschefen"


@pytest.fixture
def low_delegation(world):
    world.municipality.delegation_hours = 50
    world.municipality.save()
    return world


def pending(world, count, *, officer=None, days_ago=30):
    """Decisions above the delegation, each decided a day earlier than the one before."""
    officer = officer or world.officer
    decisions = [
        make_decision(
            world,
            hours=Decimal("80"),
            officer=officer,
            client=ClientFactory(ordering_unit=world.unit, responsible_officer=officer),
            decided_on=TODAY - datetime.timedelta(days=days_ago + index),
        )
        for index in range(count)
    ]
    assert all(d.approval_status == ApprovalStatus.PENDING for d in decisions)
    return decisions


def _page(http, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("worklist", args=[KEY]) + query)
    assert response.status_code == 200
    return response, len(queries)


def test_her_pending_decisions_are_listed_oldest_first(low_delegation):
    world = low_delegation
    decisions = pending(world, 3)
    within = make_decision(world, hours=Decimal("20"))  # within the delegation: nothing to wait
    assert within.approval_status != ApprovalStatus.PENDING
    response, _queries = _page(world.login(world.officer))
    rows = response.context["section"].rows
    assert [d.pk for d in rows] == [d.pk for d in reversed(decisions)]
    html = response.content.decode()
    assert "80:00 tim/mån" in html
    assert reverse("decision_detail", args=[decisions[0].pk]) in html


def test_an_approved_or_withdrawn_decision_leaves_the_list(low_delegation):
    world = low_delegation
    approved, withdrawn, waiting = pending(world, 3)
    services.decision_review(decision=approved, by=world.manager, approve=True)
    services.decision_withdraw(decision=withdrawn, by=world.officer, reason="Fel brukare.")
    response, _queries = _page(world.login(world.officer))
    assert [d.pk for d in response.context["section"].rows] == [waiting.pk]


def test_nobody_elses_decisions_are_listed(low_delegation):
    world = low_delegation
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    pending(world, 2, officer=colleague)
    pending(world, 1)
    mine, _queries = _page(world.login(world.officer))
    assert mine.context["section"].count == 1
    other, _queries = _page(world.login(world.other_officer))
    assert other.context["section"].count == 0
    start = world.login(world.officer).get(reverse("start"))
    [section] = [s for s in start.context["sections"] if s.worklist.key == KEY]
    assert section.count == 1


def test_only_a_case_officer_has_the_list(low_delegation):
    world = low_delegation
    for user in (world.manager, world.coordinator, world.contact_person):
        assert world.login(user).get(reverse("worklist", args=[KEY])).status_code == 404


def test_the_list_costs_the_same_for_5_and_for_50_rows(low_delegation):
    world = low_delegation
    pending(world, 5)
    http = world.login(world.officer)
    _response, few = _page(http)
    pending(world, 45, days_ago=60)
    response, many = _page(http)
    assert response.context["section"].count == 50
    assert many == few
    with CaptureQueriesContext(connection) as start_few:
        http.get(reverse("start"))
    pending(world, 5, days_ago=200)
    with CaptureQueriesContext(connection) as start_many:
        http.get(reverse("start"))
    assert len(start_many) == len(start_few)
