"""Every list as a file (issue 11): each worklist's CSV and Excel hold the rows its page shows,
filtered and sorted as the page, formula-like text escaped; an export writes one access-log row
naming the clients in the file; its cost does not grow with the list; another organisation's
filter is ignored as the page ignores it. The page's filters and sorting through htmx.

The world is tests/ramtid/route_world.py's, built once for the module: every worklist has rows
for the first of the home side's people it is for."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from bestallning import services as order_services
from genomforandeplan import services as plan_services
from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Municipality
from ramtid.worklists import worklist, worklists
from tests.bestallning.conftest import catalogue, make_decision, make_order
from tests.conftest import FAST_PASSWORD_HASHERS
from tests.genomforandeplan.conftest import complete
from tests.ramtid.route_world import (
    LAST_MONTH,
    START,
    TODAY,
    World,
    _client,
    _executed,
    attribute_of,
    built_once,
)
from tests.spreadsheets import xlsx_sheets
from uppfoljning import monthly
from uppfoljning.choices import ExplanationCategory, TimeStatus
from uppfoljning.models import Complaint, MonthlyTimeResult

PEOPLE = ["home.officer", "home.manager", "home.coordinator", "home.contact_person", "fee_officer"]


# The returned plans' comments, as an officer might write them: formulas to a spreadsheet.
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"]


def _more_rows(world: World) -> None:
    """What the route world lacks for some lists, on the home side: plans the officer returned
    with formula-like comments, an order sent and not yet received, a month explained and
    waiting for the officer, a plan to follow up within the month, a complaint past its
    deadline."""
    side = world.home
    kinds = catalogue(side.municipality)
    for number, comment in enumerate(FORMULAS, start=4):
        order = _executed(side, _client(side, f"Hemsson{number}"), kinds)
        plan = plan_services.plan_start(order=order, by=side.coordinator)
        complete(side, plan)
        plan_services.plan_review(plan=plan, by=side.officer, approve=False, comment=comment)
    sent = _client(side, "Hemssonskickad")
    decision = make_decision(side, client=sent, valid_from=START, decided_on=START)
    order_services.order_send(
        order=make_order(side, decision=decision, valid_from=START), by=side.officer
    )
    explained = _client(side, "Hemssonforklarad")
    order = _executed(side, explained, kinds)
    result = MonthlyTimeResult.objects.create(
        order=order,
        month=LAST_MONTH,
        client=explained,
        provider=side.provider,
        ordering_unit=side.unit,
        days_in_force=28,
        ordered_minutes=600,
        performed_minutes=300,
        deviation_minutes=-300,
        deviation_percent=Decimal("-50.0"),
        status=TimeStatus.UNDER,
        billing_deadline=TODAY + datetime.timedelta(days=20),
        checked_at=timezone.now(),
    )
    monthly.explain_month(
        result=result, by=side.coordinator, category=ExplanationCategory.DECLINED, text="Avböjt."
    )
    followed = _client(side, "Hemssonuppfoljd")
    plan = plan_services.plan_start(order=_executed(side, followed, kinds), by=side.coordinator)
    # Followed up monthly in this world, so that a plan approved ten days ago is due within it.
    Municipality.objects.filter(pk=side.municipality.pk).update(plan_follow_up_months=1)
    complete(side, plan, approved_on=TODAY - datetime.timedelta(days=10))
    Complaint.objects.filter(pk=side.complaint.pk).update(
        answer_due=TODAY - datetime.timedelta(days=1)
    )


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker) as world:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            _more_rows(world)
        yield world


@pytest.fixture
def walk(built, db) -> World:
    return built


def _person_for(walk: World, item):
    """The first of the home side's people the list is for who has rows on it."""
    users = [attribute_of(walk, who) for who in PEOPLE]
    users = [user for user in users if item.applies_to(user)]
    return next((user for user in users if item.queryset(user).exists()), users[0])


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    [rows] = xlsx_sheets(_content(response)).values()
    return rows


def _last_entry_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


EXPORTED = [item.key for item in worklists() if item.columns]


def test_every_worklist_has_its_files():
    """A worklist without columns has no files: each must declare them (ramtid.worklists)."""
    assert [item.key for item in worklists() if not item.columns] == []


@pytest.mark.parametrize("key", EXPORTED)
def test_a_worklists_files_hold_the_rows_its_page_shows(walk, key):
    item = worklist(key)
    user = _person_for(walk, item)
    http = walk.login(user)
    page = http.get(reverse("worklist", args=[key]))
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["section"].rows
    assert rows, f"{key}: the world gives the list no rows"
    assert reverse("worklist_csv", args=[key]) in html
    assert reverse("worklist_xlsx", args=[key]) in html

    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        last = _last_entry_id()
        response = http.get(reverse(f"worklist_{fmt}", args=[key]))
        assert response.status_code == 200
        assert f"{key}-" in response["Content-Disposition"]
        header, *data = read(response)
        assert header == [str(column.heading) for column in item.columns]
        assert len(data) == len(rows), f"{key} {fmt}"
        if item.client_field:
            clients = [item.client_of(row) for row in rows]
            surnames = [str(cell) for line in data for cell in line]
            assert all(client.last_name in surnames for client in clients), f"{key} {fmt}"
            [entry] = AccessLog.objects.filter(id__gt=last)
            assert entry.action == AccessAction.EXPORT
            assert set(entry.client_ids) == {client.pk for client in clients}
            assert entry.user_id == user.pk
            # No personal number in what was logged of the request.
            assert not any(c.personal_number in str(entry.__dict__) for c in clients)
        else:
            assert not AccessLog.objects.filter(id__gt=last).exists()


def test_the_fee_officers_start_page_links_to_the_over_time_files(walk):
    html = walk.login(walk.fee_officer).get(reverse("start")).content.decode()
    assert reverse("worklist_csv", args=["overtid"]) in html
    assert reverse("worklist_xlsx", args=["overtid"]) in html
    # Other sections link to their whole list, where the files are.
    officer = walk.login(walk.home.officer).get(reverse("start")).content.decode()
    assert reverse("worklist_csv", args=["saknade-planer"]) not in officer


def test_a_list_without_columns_has_no_files(walk, monkeypatch):
    item = worklist("overtid")
    monkeypatch.setattr(type(item), "columns", ())
    http = walk.login(walk.fee_officer)
    assert http.get(reverse("worklist_csv", args=["overtid"])).status_code == 404
    assert (
        reverse("worklist_csv", args=["overtid"]) not in http.get(reverse("start")).content.decode()
    )


def test_files_are_only_for_those_the_list_is_for(walk):
    http = walk.login(walk.home.coordinator)
    assert http.get(reverse("worklist_csv", args=["saknade-planer"])).status_code == 404
    assert http.get(reverse("worklist_xlsx", args=["finns-inte"])).status_code == 404
    # Another organisation's officer gets her own (empty) list, never the home side's rows.
    other = walk.login(walk.far.officer)
    _header, *data = csv_rows(other.get(reverse("worklist_csv", args=["saknade-planer"])))
    assert all(walk.home.client.last_name not in line for line in data)


def test_the_files_follow_the_filter_and_ignore_another_organisations(walk):
    http = walk.login(walk.home.officer)
    url = reverse("worklist_csv", args=["saknade-planer"])
    _header, *everything = csv_rows(http.get(url))
    assert everything
    _header, *none = csv_rows(http.get(f"{url}?provider={walk.near.provider.pk}"))
    assert none == []  # the near provider has none of the home unit's missing plans
    _header, *mine = csv_rows(http.get(f"{url}?provider={walk.home.provider.pk}"))
    assert mine == everything
    # Another municipality's provider is not a choice: the filter is ignored, as on the page.
    foreign = f"?provider={walk.far.provider.pk}"
    _header, *ignored = csv_rows(http.get(url + foreign))
    assert ignored == everything
    page = http.get(reverse("worklist", args=["saknade-planer"]) + foreign)
    assert page.context["section"].count == len(everything)


def test_formula_like_text_is_escaped_in_both_files(walk):
    """The returned plans' comments written as formulas are text in the files, never formulas
    (tests.spreadsheets fails on any formula cell)."""
    http = walk.login(walk.home.officer)
    expected = sorted("'" + formula for formula in FORMULAS)
    header, *data = csv_rows(http.get(reverse("worklist_csv", args=["atersanda-planer"])))
    column = header.index("Kommentar")
    assert sorted(line[column] for line in data) == expected
    header, *data = xlsx_rows(http.get(reverse("worklist_xlsx", args=["atersanda-planer"])))
    assert sorted(line[column] for line in data) == expected


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
        _content(response)  # a streamed file reads its rows as it is sent
    assert response.status_code == 200
    return len(queries)


# ---------------------------------------------------------------------------------------------
# The other lists: the client list, the month's time results, the reviews, the notices and the
# complaints, each with a filter its page has.

OTHER_LISTS = [
    pytest.param("client_list", "home.officer", {}, id="clients-officer"),
    pytest.param("client_list", "home.coordinator", {"status": "gallande"}, id="clients-provider"),
    pytest.param("time_results", "home.officer", {}, id="time-officer"),
    pytest.param("time_results", "home.coordinator", {"status": "over"}, id="time-provider"),
    pytest.param("review_list", "home.officer", {"visa": "oppna"}, id="reviews"),
    pytest.param("notice_list", "home.officer", {}, id="notices-officer"),
    pytest.param("notice_list", "home.coordinator", {"visa": "alla"}, id="notices-provider"),
    pytest.param("complaints", "home.officer", {}, id="complaints-officer"),
    pytest.param("complaints", "home.coordinator", {"status": "oppna"}, id="complaints-provider"),
]


def _named(walk: World, text: str) -> set[int]:
    return {client.pk for client in walk.clients() if client.last_name in text}


def _cells(rows: list[list]) -> str:
    return "\n".join(str(cell) for row in rows for cell in row if cell is not None)


@pytest.mark.parametrize(("name", "who", "query"), OTHER_LISTS)
def test_a_lists_files_name_the_clients_its_pages_name(walk, name, who, query):
    user = attribute_of(walk, who)
    http = walk.login(user)
    page = http.get(reverse(name), query)
    assert page.status_code == 200
    html = page.content.decode()
    shown = _named(walk, html)
    assert shown, f"{name}: the world gives the list no rows"
    assert reverse(f"{name}_csv") in html and reverse(f"{name}_xlsx") in html
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        last = _last_entry_id()
        response = http.get(reverse(f"{name}_{fmt}"), query)
        assert response.status_code == 200, (name, fmt)
        rows = read(response)
        assert len(rows) - 1 == page.context["page"].paginator.count
        assert _named(walk, _cells(rows)) == shown, (name, fmt)
        [entry] = AccessLog.objects.filter(id__gt=last)
        assert (entry.action, entry.user_id) == (AccessAction.EXPORT, user.pk)
        assert set(entry.client_ids) == shown
        assert all(str(c.personal_number) not in entry.what for c in walk.clients())


def test_the_files_are_for_those_the_list_is_for(walk):
    """A fee officer reads the over-time list only; a contact person has no time results."""
    fee = walk.login(walk.fee_officer)
    for name in ("time_results", "review_list", "complaints"):
        assert fee.get(reverse(f"{name}_csv")).status_code == 404, name
    contact = walk.login(walk.home.contact_person)
    assert contact.get(reverse("review_list_xlsx")).status_code == 404


def test_the_client_lists_file_never_holds_a_search(walk):
    """A search is posted, never put in a URL: the file holds the filtered list, and the page
    offers no file while it shows a search's results."""
    http = walk.login(walk.home.officer)
    searched = http.post(reverse("client_list"), {"q": "Hemsson1"})
    assert reverse("client_list_csv") not in searched.content.decode()
    _header, *data = csv_rows(http.get(reverse("client_list_csv") + "?q=Hemsson1"))
    assert len(data) > 1  # the q in a URL is not read


def test_the_log_reviews_excel_file_holds_what_its_csv_holds(walk):
    http = walk.login(walk.security_officer)
    header, *lines = csv_rows(http.get(reverse("log_review_export")))
    last = _last_entry_id()
    response = http.get(reverse("log_review_export_xlsx"))
    assert response.status_code == 200
    sheet = xlsx_rows(response)
    assert sheet[0] == header
    # The CSV's export is itself in the log now: the Excel file has it too, on top of the rest.
    assert lines and len(sheet) == len(lines) + 2
    assert [row[:3] for row in sheet[2:]] == [line[:3] for line in lines]
    assert _named(walk, _cells(sheet)) == _named(walk, _cells(lines))
    [entry] = AccessLog.objects.filter(id__gt=last)
    assert entry.action == AccessAction.EXPORT and entry.what == "Loggkontroll, export, Excel"
    assert reverse("log_review_export_xlsx") in http.get(reverse("log_review")).content.decode()


def test_the_import_historys_files_list_the_imports_and_log_no_read(walk):
    """The import history names no client (its page is not logged either)."""
    http = walk.login(walk.home.coordinator)
    page = http.get(reverse("visit_imports"))
    assert reverse("visit_imports_csv") in page.content.decode()
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        last = _last_entry_id()
        header, *rows = read(http.get(reverse(f"visit_imports_{fmt}")))
        assert header[0] == "Inläst" and len(rows) == page.context["page"].paginator.count
        assert all(row[1] == walk.home.provider.name for row in rows)
        assert not AccessLog.objects.filter(id__gt=last).exists()


SORTED = [(item.key, sort) for item in worklists() for sort in item.sorts]


@pytest.mark.parametrize(("key", "sort"), SORTED)
def test_every_sort_of_every_worklist_is_sql_and_keeps_the_rows(walk, key, sort):
    item = worklist(key)
    http = walk.login(_person_for(walk, item))
    url = reverse("worklist", args=[key])
    urgent = http.get(url).context["section"]
    page = http.get(url, {"sortera": sort})
    assert page.status_code == 200
    section = page.context["section"]
    assert section.count == urgent.count
    assert {row.pk for row in section.rows} == {row.pk for row in urgent.rows}
    assert f"Sorterad efter {str(item.sorts[sort].label).lower()}." in page.content.decode()
    _header, *data = csv_rows(http.get(reverse("worklist_csv", args=[key]), {"sortera": sort}))
    assert len(data) == section.count
