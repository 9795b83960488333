"""The staff continuity page's files (issue 11: uppfoljning.views.reviews.continuity_export):
CSV and Excel hold the month's clients over the goal as the page lists them (raw SQL, not a
queryset: read whole once, the clients a chunk at a time), formula-like text escaped; one
"export" access-log row names them; another provider gets its own (empty) file, and those who
follow no clients a 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ramtid import exports
from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Client
from tests.factories import ClientFactory, OrderingUnitFactory
from tests.spreadsheets import xlsx_sheets
from tests.uppfoljning.reviews_helpers import add_visits, day, executed_order
from tests.uppfoljning.test_continuity import _over_goal_clients, _staff
from uppfoljning.views import reviews as review_views

MONTH = {"manad": "2026-11"}


@pytest.fixture
def order(world):
    return executed_order(world, client=world.client, executed_on=day("2026-09-01"))


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response) -> list[list[str]]:
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx(response) -> list[list]:
    [rows] = xlsx_sheets(_content(response)).values()
    return rows


READERS = {"csv": _csv, "xlsx": _xlsx}
HEADER = [
    "Efternamn",
    "Förnamn",
    "Personnummer",
    "Olika personal",
    "Perioden börjar",
    "Perioden slutar",
    "Mål, högst",
]


def _last_entry_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_files_hold_the_clients_the_page_shows(world, order, fmt):
    mine = _over_goal_clients(world, order, 2)
    elsewhere = OrderingUnitFactory(municipality=world.municipality)
    theirs = ClientFactory(ordering_unit=elsewhere, first_name="Annanenhet")
    add_visits(order, _staff("q", 12, "2026-11-12"), client_id=theirs.pk)
    http = world.login(world.officer)
    page = http.get(reverse("continuity"), MONTH)
    url = reverse(f"continuity_{fmt}") + "?manad=2026-11"
    assert f'href="{url}"' in page.content.decode()

    last = _last_entry_id()
    response = http.get(url)

    assert response.status_code == 200
    assert "personalkontinuitet-2026-11" in response["Content-Disposition"]
    header, *data = READERS[fmt](response)
    assert header == HEADER
    shown = [client for _row, client in page.context["rows"]]
    assert [(line[0], line[1]) for line in data] == [(c.last_name, c.first_name) for c in shown]
    assert {c.pk for c in shown} == {c.pk for c in mine}
    assert all(str(line[3]) == "11" and str(line[6]) == "10" for line in data)
    assert all("2026-10-28" in str(line[4]) and "2026-11-10" in str(line[5]) for line in data)
    [entry] = AccessLog.objects.filter(id__gt=last)
    assert (entry.user_id, entry.action) == (world.officer.pk, AccessAction.EXPORT)
    assert set(entry.client_ids) == {c.pk for c in mine}
    assert entry.what.startswith("Personalkontinuitet 2026-11")
    assert not any(c.personal_number in entry.what for c in Client.objects.all())


def test_the_files_read_the_clients_a_chunk_at_a_time_in_the_pages_order(world, order, monkeypatch):
    """Five clients, read two at a time: all five, most staff first as on the page."""
    clients = _over_goal_clients(world, order, 4)
    add_visits(order, _staff("r", 13, "2026-11-20"), client_id=clients[2].pk)
    monkeypatch.setattr(review_views, "EXPORT_CHUNK", 2)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)
    http = world.login(world.officer)
    page = http.get(reverse("continuity"), MONTH)
    expected = [client.last_name for _row, client in page.context["rows"]]
    assert len(expected) == 4 and expected[0] == clients[2].last_name

    for fmt, read in READERS.items():
        last = _last_entry_id()
        _header, *data = read(http.get(reverse(f"continuity_{fmt}"), MONTH))
        assert [line[0] for line in data] == expected, fmt
        [entry] = AccessLog.objects.filter(id__gt=last)
        assert set(entry.client_ids) == {c.pk for c in clients}


def test_formula_like_text_is_escaped_in_both_files(world, order):
    [client] = _over_goal_clients(world, order, 1)
    Client.objects.filter(pk=client.pk).update(first_name="=1+1", last_name="@SUM(A1)")
    http = world.login(world.officer)
    for fmt, read in READERS.items():
        _header, *data = read(http.get(reverse(f"continuity_{fmt}"), MONTH))
        assert [line[:2] for line in data] == [["'@SUM(A1)", "'=1+1"]], fmt


def test_another_provider_gets_its_own_empty_file(world, order):
    add_visits(order, _staff("p", 11, "2026-11-10"))
    own = world.login(world.coordinator)
    _header, *data = _csv(own.get(reverse("continuity_csv"), MONTH))
    assert [line[0] for line in data] == [world.client.last_name]

    other = world.login(world.other_coordinator)
    last = _last_entry_id()
    for fmt, read in READERS.items():
        _header, *data = read(other.get(reverse(f"continuity_{fmt}"), MONTH))
        assert data == [], fmt
    assert not AccessLog.objects.filter(id__gt=last).exists()


@pytest.mark.parametrize("user", ["fee_officer", "administrator"])
def test_those_who_follow_no_clients_get_no_file(world, user):
    http = world.login(getattr(world, user))
    assert http.get(reverse("continuity_csv"), MONTH).status_code == 404
    assert http.get(reverse("continuity_xlsx"), MONTH).status_code == 404
