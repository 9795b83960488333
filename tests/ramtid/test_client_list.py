"""The client list's filters: "mina brukare" and the status of the client's orders.

The status comes from bestallning (settings.RAMTID_CLIENT_STATUS_FILTER) without the core
importing it. Filters are GET parameters (no personal data), posted along with the search form,
and they combine with the search and the pagination; the list's query count does not grow with
its rows.
"""

import datetime

import pytest
from django.urls import reverse

from bestallning import services as order_services
from ramtid.choices import Role
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import ClientFactory, UserFactory, member

TODAY = datetime.date.today()
URL = reverse("client_list")


def _sent(world, client, provider=None):
    order = make_order(world, decision=make_decision(world, client=client), provider=provider)
    return order_services.order_send(order=order, by=world.officer)


def _executed(world, client):
    order = _sent(world, client)
    return order_services.order_execute(order=order, by=world.coordinator, executed_on=TODAY)


@pytest.fixture
def clients(world):
    """One client in each state, in the officer's unit; only some are hers."""
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)

    def client(first_name, officer=world.officer):
        return ClientFactory(
            ordering_unit=world.unit,
            first_name=first_name,
            last_name="Filtersson",
            responsible_officer=officer,
        )

    started = world.client  # Lisa Andersson, the officer's
    _executed(world, started)
    waiting = client("Vera", officer=colleague)
    _sent(world, waiting)
    ended = client("Erik")
    ended_order = _executed(world, ended)
    order_services.order_end(
        order=ended_order, by=world.officer, ended_on=TODAY - datetime.timedelta(days=1),
        reason="Flyttat till särskilt boende.",
    )  # fmt: skip
    ending = client("Elin")  # ends today, so still in force
    order_services.order_end(
        order=_executed(world, ending), by=world.officer, ended_on=TODAY,
        reason="Flyttar.",
    )  # fmt: skip
    draft_only = client("Dora")
    make_order(world, decision=make_decision(world, client=draft_only))
    nothing = client("Nils", officer=colleague)
    # Started with one provider, a second provider's order waiting to start.
    both = client("Bo")
    _executed(world, both)
    _sent(world, both, provider=world.other_provider)
    return {
        "started": started,
        "waiting": waiting,
        "ended": ended,
        "ending": ending,
        "draft_only": draft_only,
        "nothing": nothing,
        "both": both,
    }


def _listed(response) -> set:
    assert response.status_code == 200
    return set(response.context["page"].object_list)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("gallande", {"started", "ending", "both"}),
        ("vantar", {"waiting", "both"}),
        ("utan", {"ended", "draft_only", "nothing"}),
        ("", {"started", "waiting", "ended", "ending", "draft_only", "nothing", "both"}),
    ],
)
def test_the_status_filter_follows_the_orders(world, clients, status, expected):
    http = world.login(world.officer)
    assert _listed(http.get(URL, {"status": status})) == {clients[name] for name in expected}


def test_mina_brukare_are_the_clients_the_officer_is_responsible_for(world, clients):
    http = world.login(world.officer)
    mine = {name for name in clients if name not in ("waiting", "nothing")}
    assert _listed(http.get(URL, {"mina": "1"})) == {clients[name] for name in mine}
    both = _listed(http.get(URL, {"mina": "1", "status": "utan"}))
    assert both == {clients["ended"], clients["draft_only"]}


def test_filters_combine_with_the_search_and_are_posted_with_it(world, clients):
    http = world.login(world.officer)
    # Filters in the address, the search in the body (htmx, the pagination's links).
    assert _listed(http.post(URL + "?status=vantar", {"q": "filtersson"})) == {
        clients["waiting"],
        clients["both"],
    }
    # The search form without JavaScript: everything in the body, which wins over the address.
    response = http.post(URL + "?status=vantar", {"q": "erik", "status": "utan", "mina": "1"})
    assert _listed(response) == {clients["ended"]}
    assert "1 brukare matchar sökningen." in response.content.decode()


def test_a_provider_learns_nothing_of_another_providers_orders(world, clients):
    # Bo's order to Hemtjänst Norr waits to start; Trygg Omsorg's coordinator sees his started one.
    http = world.login(world.coordinator)
    assert _listed(http.get(URL, {"status": "vantar"})) == {clients["waiting"]}  # not Bo
    assert clients["both"] in _listed(http.get(URL, {"status": "gallande"}))
    assert _listed(world.login(world.other_coordinator).get(URL, {"status": "vantar"})) == {
        clients["both"]
    }


def test_only_case_officers_are_offered_mina_brukare(world, clients):
    officer_page = world.login(world.officer).get(URL)
    assert "mina" in officer_page.context["form"].fields
    for user in (world.manager, world.coordinator):
        response = world.login(user).get(URL, {"mina": "1"})
        assert "mina" not in response.context["form"].fields
        assert 'name="mina"' not in response.content.decode()
        assert 'name="status"' in response.content.decode()
    # The manager's list is the whole unit's, whatever the address says.
    assert len(_listed(world.login(world.manager).get(URL, {"mina": "1"}))) == len(clients)


def test_an_unknown_filter_value_is_reported_and_the_list_still_shows(world, clients):
    response = world.login(world.officer).get(URL, {"status": "bortglömd"})
    assert len(_listed(response)) == len(clients)
    assert "giltigt" in " ".join(response.context["form"].errors["status"])


def test_the_page_shows_the_filters_as_a_labelled_form_that_works_without_javascript(world):
    html = world.login(world.officer).get(URL, {"status": "vantar"}).content.decode()
    assert '<form class="search" id="client-search" method="post" action="/brukare/"' in html
    assert '<label for="id_mina">Visa</label>' in html
    assert '<label for="id_status">Beställningar</label>' in html
    assert '<option value="vantar" selected>Väntar på start</option>' in html
    assert 'aria-describedby="id_status_helptext"' in html
    assert "Väntar på start: skickad eller mottagen men inte verkställd." in html
    assert "0 brukare" not in html and "Inga brukare matchar urvalet." in html


def test_page_links_keep_the_filters_and_htmx_keeps_them_in_the_address(world):
    ClientFactory.create_batch(50, ordering_unit=world.unit, responsible_officer=world.officer)
    http = world.login(world.officer)
    html = http.get(URL, {"mina": "1", "status": "utan"}).content.decode()
    assert "Visar 1–50 av 51 brukare som matchar urvalet." in html
    assert 'href="?mina=1&amp;status=utan&amp;sida=2"' in html
    assert 'hx-include="#client-search"' in html
    number = world.client.personal_number
    response = http.post(
        URL + "?sida=2", {"q": number, "mina": "1", "status": "utan"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Replace-Url"] == "/brukare/?mina=1&status=utan"
    assert list(response.context["page"].object_list) == [world.client]
    response = http.post(URL, {"q": "Lisa", "mina": "", "status": ""}, HTTP_HX_REQUEST="true")
    assert response["HX-Replace-Url"] == "/brukare/"


@pytest.mark.parametrize(
    "request_list",
    [
        pytest.param(lambda http: http.get(URL), id="all"),
        pytest.param(lambda http: http.get(URL, {"mina": "1", "status": "utan"}), id="filters"),
        pytest.param(
            lambda http: http.post(URL + "?status=utan", {"q": "testsson", "mina": "1"}),
            id="filters and search",
        ),
        pytest.param(
            lambda http: http.post(URL, {"q": "tesson"}, HTTP_HX_REQUEST="true"), id="near miss"
        ),
    ],
)
def test_the_list_query_count_does_not_grow_with_its_rows(
    world, django_assert_num_queries, django_assert_max_num_queries, request_list
):
    _sent(world, world.client)
    ClientFactory.create_batch(5, ordering_unit=world.unit, responsible_officer=world.officer)
    http = world.login(world.officer)
    # session, user, memberships, count, page, access-log insert (and its savepoint)
    with django_assert_max_num_queries(10) as few:
        response = request_list(http)
    assert len(response.context["page"].object_list) >= 5
    ClientFactory.create_batch(45, ordering_unit=world.unit, responsible_officer=world.officer)
    with django_assert_num_queries(len(few)):
        response = request_list(http)
    assert len(response.context["page"].object_list) == 50
