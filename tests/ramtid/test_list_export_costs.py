"""What a list's file and a worklist's page cost, how a worklist sorts, and what htmx gets
(issue 11), on a world of one's own (tests/conftest.py): an export reads a fixed number of
queries per chunk of rows, whatever the list's length; sorting is SQL's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ramtid import exports
from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Client
from tests.factories import ClientFactory
from tests.genomforandeplan.test_worklists import clients as worklist_clients
from tests.ramtid.test_list_exports import csv_rows


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
        b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    return len(queries)


def _missing(world, count: int, *, days_ago: int = 40) -> list:
    return worklist_clients(world, count, days_ago=days_ago)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_a_fixed_number_of_queries_per_chunk(world, monkeypatch, fmt):
    """Five rows to a chunk: 3 and 5 rows cost the same (one chunk), and each further chunk
    the same again, whatever the list's length."""
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 5)
    http = world.login(world.officer)
    url = reverse(f"worklist_{fmt}", args=["saknade-planer"])
    _missing(world, 3)
    three = _queries(http, url)
    _missing(world, 2, days_ago=50)
    five = _queries(http, url)
    _missing(world, 5, days_ago=60)
    ten = _queries(http, url)
    _missing(world, 5, days_ago=70)
    fifteen = _queries(http, url)
    assert three == five
    assert ten - five == fifteen - ten > 0
    assert len(AccessLog.objects.filter(action=AccessAction.EXPORT).latest("id").client_ids) == 15


def test_a_worklist_is_sorted_in_sql_and_the_page_costs_the_same(world):
    orders = _missing(world, 3)
    names = ["Östen", "Adam", "Maja"]
    for order, last_name in zip(orders, names, strict=True):
        Client.objects.filter(pk=order.client_id).update(last_name=last_name)
    http = world.login(world.officer)
    url = reverse("worklist", args=["saknade-planer"])

    urgent = http.get(url)
    by_name = http.get(url + "?sortera=namn")
    nonsense = http.get(url + "?sortera=finns-inte")

    # Most urgent first: the longest past its deadline (the last created).
    assert [row.client.last_name for row in urgent.context["section"].rows] == names[::-1]
    assert [row.client.last_name for row in by_name.context["section"].rows] == [
        "Adam",
        "Maja",
        "Östen",
    ]
    assert nonsense.context["section"].rows == urgent.context["section"].rows
    assert "Sorterad efter brukarens namn." in by_name.content.decode()
    # The files are sorted as the page.
    _header, *data = csv_rows(
        http.get(reverse("worklist_csv", args=["saknade-planer"]) + "?sortera=namn")
    )
    assert [line[0] for line in data] == ["Adam", "Maja", "Östen"]
    assert _queries(http, url + "?sortera=namn") == _queries(http, url)


def test_htmx_gets_the_results_alone_with_the_count_for_screen_readers(world):
    _missing(world, 2)
    http = world.login(world.officer)
    url = reverse("worklist", args=["saknade-planer"]) + "?sortera=namn"

    full = http.get(url)
    partial = http.get(url, headers={"HX-Request": "true"})
    restored = http.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    page = full.content.decode()
    assert 'id="worklist-results"' in page and 'hx-push-url="true"' in page
    assert 'id="worklist-count" role="status"' in page
    assert 'method="get"' in page  # a plain form without JavaScript
    html = partial.content.decode()
    assert "<html" not in html and "<table" in html
    assert 'id="worklist-count" hx-swap-oob="innerHTML"' in html
    assert "2 totalt" in html
    # The files' links keep the order and the filters.
    assert reverse("worklist_csv", args=["saknade-planer"]) + "?sortera=namn" in html
    assert "<html" in restored.content.decode()  # a reload after back: the whole page
    assert "HX-Request" in full["Vary"]


def test_a_client_list_export_costs_the_same_for_few_and_many(world, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 5)
    http = world.login(world.officer)
    for _n in range(3):
        ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    few = _queries(http, reverse("client_list_xlsx"))  # with the world's own client: 4 rows
    for _n in range(1):
        ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    one_chunk = _queries(http, reverse("client_list_xlsx"))
    for _n in range(10):
        ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    three_chunks = _queries(http, reverse("client_list_xlsx"))
    assert few == one_chunk
    assert three_chunks == one_chunk + 2  # one query a chunk
