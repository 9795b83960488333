"""The files of the dashboard's client lists (issue 11: uppfoljning.views.dashboard, through
ramtid.exports): CSV and Excel hold every client the list behind a figure holds, with its
period, provider and officer, formula-like text escaped; one "export" access-log row names them
all; another organisation's provider or officer is a 404, as on the page, and logs nothing.

The seeded set is tests/uppfoljning/test_dashboard.py's."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Client, Provider
from tests.spreadsheets import xlsx_sheets
from tests.uppfoljning import test_dashboard
from uppfoljning.dashboard import FIGURES

PERIOD = test_dashboard.PERIOD
seeded = test_dashboard.seeded  # the fixture, for this module's tests


def _url(name: str, figure: str, **query) -> str:
    return reverse(name, kwargs={"figure": figure}) + "?" + urlencode({**PERIOD, **query})


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


def _last_entry_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_each_figures_files_hold_the_clients_its_list_shows(world, seeded, figure, fmt):
    http = world.login(world.manager)
    page = http.get(_url("dashboard_clients", figure))
    assert page.status_code == 200
    shown = [row.client for row in page.context["rows"]]
    html = page.content.decode()
    if shown:
        assert reverse(f"dashboard_clients_{fmt}", kwargs={"figure": figure}) in html

    last = _last_entry_id()
    response = http.get(_url(f"dashboard_clients_{fmt}", figure))

    assert response.status_code == 200
    assert f"oversikt-{figure}-" in response["Content-Disposition"]
    header, *data = READERS[fmt](response)
    assert header == ["Efternamn", "Förnamn", "Utförare", "Uppgift"]
    assert [(line[0], line[1]) for line in data] == [(c.last_name, c.first_name) for c in shown]
    assert all(line[3] for line in data)  # every row says what it is
    if not shown:  # a figure of nothing: an empty file, no client to log
        assert data == [] and not AccessLog.objects.filter(id__gt=last).exists()
        return
    [entry] = AccessLog.objects.filter(id__gt=last)
    assert (entry.user_id, entry.action) == (world.manager.pk, AccessAction.EXPORT)
    assert sorted(entry.client_ids) == sorted(c.pk for c in shown)
    assert entry.what.startswith(f"Översikt: {FIGURES[figure].label}, ")
    assert not any(str(c.personal_number) in entry.what for c in Client.objects.all())


def test_the_files_follow_the_provider_and_officer_filters(world, seeded):
    http = world.login(world.manager)
    for query, names in (
        ({"utforare": world.other_provider.pk}, ["Grann"]),
        ({"utforare": world.provider.pk}, ["Itid", "Saknas", "Sen"]),
        ({"handlaggare": seeded["second"].pk}, ["Grann"]),
    ):
        page = http.get(_url("dashboard_clients", "verkstallda", **query))
        assert [row.client.last_name for row in page.context["rows"]] == names
        for fmt, read in READERS.items():
            url = _url(f"dashboard_clients_{fmt}", "verkstallda", **query)
            # The page's links carry its period and filters to the files.
            assert f'href="{url.replace("&", "&amp;")}"' in page.content.decode()
            _header, *data = read(http.get(url))
            assert [line[0] for line in data] == names, (query, fmt)


def test_the_coordinators_files_hold_her_providers_clients_only(world, seeded):
    http = world.login(world.coordinator)
    _header, *data = _csv(http.get(_url("dashboard_clients_csv", "verkstallda")))
    assert [line[0] for line in data] == ["Itid", "Saknas", "Sen"]
    assert http.get(_url("dashboard_clients_xlsx", "uppfoljning-forsenad")).status_code == 404


def test_formula_like_text_is_escaped_in_both_files(world, seeded):
    """A name or a provider written as a formula is text in the files, never a formula
    (tests.spreadsheets fails on a formula cell)."""
    Client.objects.filter(pk=seeded["Itid"].client_id).update(first_name='=HYPERLINK("http://x")')
    Provider.objects.filter(pk=world.provider.pk).update(name="@SUM(A1)")
    http = world.login(world.manager)
    for fmt, read in READERS.items():
        _header, *data = read(http.get(_url(f"dashboard_clients_{fmt}", "verkstallda")))
        itid = next(line for line in data if line[0] == "Itid")
        assert itid[1:3] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"], fmt


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("manager", {"utforare": "far_provider"}),  # another municipality's provider
        ("manager", {"handlaggare": "other_officer"}),  # another unit's officer
        ("coordinator", {"utforare": "other_provider"}),  # another provider
        ("other_coordinator", {"utforare": "provider"}),
        ("manager", {"utforare": "nonsense"}),
        ("officer", {}),  # no dashboard at all
    ],
)
def test_another_organisations_filter_is_a_404_and_logs_nothing(world, seeded, role, query, fmt):
    objects = {
        "far_provider": seeded["far_provider"].pk,
        "other_officer": world.other_officer.pk,
        "provider": world.provider.pk,
        "other_provider": world.other_provider.pk,
        "nonsense": "x1",
    }
    user = getattr(world, role)
    ids = {name: objects[value] for name, value in query.items()}

    response = world.login(user).get(_url(f"dashboard_clients_{fmt}", "verkstallda", **ids))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=user).exists()
    unknown = world.login(world.manager).get(_url(f"dashboard_clients_{fmt}", "okand"))
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("figure", "link"),
    [("kontinuitet-over-malet", "time_result"), ("beviljat-kvinnor", "order_detail")],
)
def test_the_continuity_and_granted_lists_link_their_own_rows(world, seeded, figure, link):
    """Their rows are months and orders: never a link to a complaint with the row's id."""
    page = world.login(world.manager).get(_url("dashboard_clients", figure))
    html = page.content.decode()
    rows = page.context["rows"]
    assert rows
    assert all(f'href="{reverse(link, args=[row.pk])}"' in html for row in rows)
    complaint = reverse("complaint_detail", args=[0]).replace("/0/", "/")
    assert not re.search(rf'href="{re.escape(complaint)}\d+/"', html)
