"""A provider's client list: the clients it has been sent an order for, found by a semi-join.

`ramtid.selectors.provider_sees` asks, for each client, whether an order has been sent to the
provider that has not ended before the municipality's grace (EXISTS), answered from the partial
index order_sent_provider_client. It used to be an IN over a join of the clients with all the
provider's orders: the clients' table was read twice and every order of the provider hashed, on
every page of the list.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bestallning.models import Decision, Order
from ramtid.choices import Role
from ramtid.models import Client
from ramtid.selectors import clients_visible_to
from tests.factories import ClientFactory, member

START = datetime.date(2026, 1, 1)
INDEX = "order_sent_provider_client"
URL = reverse("client_list")


def _orders(world, clients: list[Client], provider, *, sent: bool = True, changes: bool = False):
    """An order for each client (and, with `changes`, a change order from a later day), written
    with bulk_create as a load of history would be, not through the services."""
    decisions = Decision.objects.bulk_create(
        Decision(
            client=client,
            decided_by=world.officer,
            outcome="granted",
            kind="personal_care",
            decided_on=START,
            valid_from=START,
            hours_per_month=Decimal(20),
            reasoning="Behov av stöd.",
            purpose_and_goal="Att bo kvar hemma.",
        )
        for client in clients
    )
    sent_at = timezone.now() if sent else None
    orders = []
    for client, decision in zip(clients, decisions, strict=True):
        first = {"valid_to": START + datetime.timedelta(days=99)} if changes else {}
        orders.append(
            Order(
                client=client,
                decision=decision,
                provider=provider,
                ordered_by=world.officer,
                status="executed" if sent else "draft",
                valid_from=START,
                executed_on=START if sent else None,
                sent_at=sent_at,
                **first,
            )
        )
        if changes:
            orders.append(
                Order(
                    client=client,
                    decision=decision,
                    provider=provider,
                    ordered_by=world.officer,
                    status="sent",
                    valid_from=START + datetime.timedelta(days=100),
                    sent_at=sent_at,
                )
            )
    Order.objects.bulk_create(orders)


def _clients(world, count: int) -> list[Client]:
    built = ClientFactory.build_batch(
        count, ordering_unit=world.unit, responsible_officer=world.officer
    )
    return Client.objects.bulk_create(built)


def _plan_nodes(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()[0]
    nodes, todo = [], [plan["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


@pytest.mark.django_db(transaction=True)
def test_the_list_finds_the_providers_clients_by_an_index_probe_of_the_sent_orders(world):
    # Given a few thousand clients: a third with orders sent to the provider (a fifth of those
    # with a change order too), the rest with another provider's orders or an unsent draft.
    clients = _clients(world, 3000)
    ours, changed, others, drafts = (
        clients[:800],
        clients[800:1000],
        clients[1000:2800],
        clients[2800:],
    )
    _orders(world, ours, world.provider)
    _orders(world, changed, world.provider, changes=True)
    _orders(world, others, world.other_provider)
    _orders(world, drafts, world.provider, sent=False)
    # A real database has statistics and a visibility map (autovacuum makes both); a bulk insert
    # leaves neither, and without the map PostgreSQL costs an index-only scan as table reads.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ramtid_client")
        cursor.execute("VACUUM ANALYZE bestallning_order")

    # When the provider's coordinator opens the client list
    with CaptureQueriesContext(connection) as queries:
        response = world.login(world.coordinator).get(URL)

    # Then it lists and counts exactly the clients of the sent orders, each once
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 1000
    expected = sorted(ours + changed, key=lambda c: (c.last_name, c.first_name, c.pk))[:50]
    assert [c.pk for c in page.object_list] == [c.pk for c in expected]
    # and both of the list's queries (the count and the page) read the orders through the
    # index, and the clients' table once: a semi-join, not a join with a second copy of it.
    # (The menu's count of open reminders reads the orders too: not the list's query.)
    reads = [
        q
        for q in queries.captured_queries
        if "bestallning_order" in q["sql"] and 'FROM "ramtid_client"' in q["sql"]
    ]
    assert len(reads) == 2, [q["sql"] for q in reads]
    for query in reads:
        nodes = _plan_nodes(query["sql"], None)
        scans = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
        orders = [scan for scan in scans if scan[1] == "bestallning_order"]
        assert orders and all(index == INDEX for _type, _table, index in orders), scans
        assert [scan[1] for scan in scans].count("ramtid_client") == 1, scans


def test_a_client_with_several_sent_orders_is_listed_and_counted_once(world):
    clients = _clients(world, 3)
    _orders(world, clients[:2], world.provider, changes=True)
    _orders(world, clients[2:], world.provider, sent=False)

    visible = clients_visible_to(world.coordinator)

    assert sorted(visible.values_list("pk", flat=True)) == sorted(c.pk for c in clients[:2])
    assert visible.count() == 2
    assert clients_visible_to(world.other_coordinator).count() == 0


def test_an_officer_who_is_also_at_a_provider_sees_both(world):
    # A municipal home-care unit's officer may also coordinate its provider.
    member(world.officer, Role.PROVIDER_COORDINATOR, provider=world.other_provider)
    elsewhere = ClientFactory(ordering_unit=world.other_unit)
    _orders(world, [elsewhere], world.other_provider)

    visible = set(clients_visible_to(world.officer))

    assert visible == {world.client, elsewhere}


@pytest.mark.parametrize(
    "request_list",
    [
        pytest.param(lambda http: http.get(URL), id="list"),
        pytest.param(lambda http: http.get(URL + "?status=gallande"), id="status filter"),
        pytest.param(lambda http: http.post(URL, {"q": "testsson"}), id="search"),
    ],
)
def test_the_providers_list_reads_the_same_queries_for_5_and_for_50_clients(
    world, django_assert_num_queries, request_list
):
    _orders(world, _clients(world, 5), world.provider)
    http = world.login(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        response = request_list(http)
    assert len(response.context["page"].object_list) == 5

    _orders(world, _clients(world, 45), world.provider)

    with django_assert_num_queries(len(few)):
        response = request_list(http)
    assert len(response.context["page"].object_list) == 50
