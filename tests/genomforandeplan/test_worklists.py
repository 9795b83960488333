"""Worklists at any scale (issue 8): the start page shows each list's count, computed in SQL,
and its most urgent rows; the whole list has a page of its own, paginated and filterable; the
cost does not grow with the user's scope, and only the clients shown are logged as read."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestallning import services as order_services
from genomforandeplan import services
from ramtid.models import AccessLog
from ramtid.worklists import ROWS_ON_START
from tests.bestallning.conftest import TODAY, make_decision, make_order
from tests.factories import ClientFactory
from tests.genomforandeplan.conftest import assign_contact, complete


def executed_for(world, client, *, days_ago: int):
    start = TODAY - datetime.timedelta(days=days_ago)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = order_services.order_send(
        order=make_order(world, decision=decision, valid_from=start), by=world.officer
    )
    return order_services.order_execute(order=order, by=world.coordinator, executed_on=start)


def clients(world, count: int, *, days_ago: int = 30) -> list:
    """Executed orders with no plan: missing plans for the officer, plans to write for the
    provider, each a day later than the one before."""
    return [
        executed_for(
            world,
            ClientFactory(
                ordering_unit=world.unit,
                responsible_officer=world.officer,
                first_name=f"Brukare{index:02d}",
            ),
            days_ago=days_ago + index,
        )
        for index in range(count)
    ]


def _get(http, url):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_a_section_shows_its_count_and_its_most_urgent_rows(world):
    orders = clients(world, ROWS_ON_START + 3)
    http = world.login(world.officer)
    response, _queries = _get(http, reverse("start"))
    [missing] = [s for s in response.context["sections"] if s.worklist.key == "saknade-planer"]
    assert missing.count == ROWS_ON_START + 3
    assert len(missing.rows) == ROWS_ON_START
    # Most urgent first: the one most days past its deadline.
    assert missing.rows[0].pk == orders[-1].pk
    html = response.content.decode()
    assert f"Visa alla {ROWS_ON_START + 3}" in html
    assert reverse("worklist", args=["saknade-planer"]) in html
    # Only the clients shown are logged as read.
    shown = {row.client_id for s in response.context["sections"] for row in s.rows}
    [entry] = AccessLog.objects.filter(user=world.officer)  # one entry for the page
    assert set(entry.client_ids) == shown and len(shown) < ROWS_ON_START + 3


@pytest.mark.parametrize("user", ["officer", "coordinator", "contact_person"])
def test_the_start_page_costs_the_same_for_few_and_many(world, user):
    clients(world, 2)
    http = world.login(getattr(world, user))
    _response, few = _get(http, reverse("start"))
    clients(world, ROWS_ON_START + 5, days_ago=60)
    _response, many = _get(http, reverse("start"))
    assert many == few


def test_the_whole_list_is_paginated_and_filterable(world):
    clients(world, 3)
    other = world.other_provider
    client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    start = TODAY - datetime.timedelta(days=40)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = order_services.order_send(
        order=make_order(world, decision=decision, provider=other, valid_from=start),
        by=world.officer,
    )
    from tests.factories import UserFactory, member

    other_coordinator = member(UserFactory(), "provider_coordinator", provider=other)
    order_services.order_execute(order=order, by=other_coordinator, executed_on=start)

    http = world.login(world.officer)
    url = reverse("worklist", args=["saknade-planer"])
    page, _queries = _get(http, url)
    assert page.context["section"].count == 4
    filtered, _queries = _get(http, f"{url}?provider={other.pk}")
    assert [row.client_id for row in filtered.context["section"].rows] == [client.pk]
    assert "Filtrera" in filtered.content.decode()


def test_a_worklist_page_is_only_for_those_it_is_for(world):
    assert world.login(world.coordinator).get(reverse("worklist", args=["saknade-planer"])
                                              ).status_code == 404  # fmt: skip
    assert world.login(world.officer).get(reverse("worklist", args=["utan-kontaktman"])
                                          ).status_code == 404  # fmt: skip
    assert world.login(world.officer).get(reverse("worklist", args=["finns-inte"])
                                          ).status_code == 404  # fmt: skip


def test_another_organisations_rows_are_never_listed(world):
    clients(world, 2)
    other = world.login(world.other_officer)
    response, _queries = _get(other, reverse("worklist", args=["saknade-planer"]))
    assert response.context["section"].count == 0
    coordinator = world.login(world.other_coordinator)
    response, _queries = _get(coordinator, reverse("worklist", args=["planer-att-skriva"]))
    assert response.context["section"].count == 0


def test_plans_to_write_returned_first_then_by_deadline(world):
    orders = [assign_contact(world, order) for order in clients(world, 3)]
    returned = services.plan_start(order=orders[0], by=world.contact_person)
    complete(world, returned)
    services.plan_review(plan=returned, by=world.officer, approve=False, comment="Saknar dusch.")
    http = world.login(world.contact_person)
    page, _queries = _get(http, reverse("worklist", args=["planer-att-skriva"]))
    rows = page.context["section"].rows
    assert rows[0].pk == orders[0].pk and rows[0].returned
    assert [row.pk for row in rows[1:]] == [orders[2].pk, orders[1].pk]
    only_returned, _queries = _get(
        http, reverse("worklist", args=["planer-att-skriva"]) + "?what=atersand"
    )
    assert [row.pk for row in only_returned.context["section"].rows] == [orders[0].pk]
    assert "Saknar dusch." in only_returned.content.decode()
