"""The plan coverage report (issue 11, genomforandeplan.reports): the Östermalm inspection's
figures (002: "Av de 15 akter som granskades innehöll tio en genomförandeplan. Två av planerna
var upprättade inom 15 dagar och en av planerna motsvarade behoven som framkom av
beställningen.") reproduced on orders and plans built through the services; the same figures in
the page, the PDF, the CSV, the Excel file and the API; who reaches it; the access log; the
coverage check in SQL held equal to rules.coverage_gaps; and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import os
import random
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode
from pypdf import PdfReader
from rest_framework.test import APIClient

from bestallning import services as order_services
from bestallning.models import Order, OrderedIntervention
from genomforandeplan import reports, services
from genomforandeplan.models import ImplementationPlan, PlanItem
from genomforandeplan.views_reports import navigation
from ramtid.choices import AccessAction, Role
from ramtid.models import AccessLog, Municipality, User
from ramtid.permissions import navigation_for
from tests.bestallning.conftest import TODAY, catalogue, make_decision, make_order, row
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.factories import ClientFactory, ProviderFactory, UserFactory, member
from tests.genomforandeplan.conftest import plan_fields
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.spreadsheets import xlsx_sheets, xlsx_values

DAY = datetime.timedelta(days=1)
START = TODAY - 120 * DAY  # the period asked for: the last 120 days
PERIOD = {"fran": f"{START:%Y-%m-%d}", "till": f"{TODAY:%Y-%m-%d}"}
API_PERIOD = {"from": PERIOD["fran"], "to": PERIOD["till"]}

# ---------------------------------------------------------------------------------------------
# Building orders and plans through the services


def _as_ostermalm(world) -> None:
    # Stockholm's deadline (002: "inom 15 dagar"), as the inspection measured it.
    Municipality.objects.filter(pk=world.municipality.pk).update(plan_deadline_days=15)


def _rows(kinds) -> list:
    """The order: shower twice a week, hygiene and company at meals daily, two visits a day."""
    return [
        row(kinds["Duschhjälp"]),
        row(kinds["Personlig hygien"], period="per_day", occasions=1),
        row(kinds["Sällskap vid måltider"], period="per_day", occasions=1),
    ]


def executed(world, name: str, *, executed_on, provider=None, unit=None, rows=None):
    """An order for a new client named `name`, sent and executed on `executed_on`."""
    unit = unit or world.unit
    client = ClientFactory(
        ordering_unit=unit, responsible_officer=world.officer, last_name=name, first_name="Test"
    )
    kinds = catalogue(client.municipality)
    decision = make_decision(
        world, client=client, valid_from=executed_on - DAY, decided_on=executed_on - DAY
    )
    order = make_order(
        world,
        decision=decision,
        provider=provider or world.provider,
        valid_from=executed_on,
        rows=rows if rows is not None else _rows(kinds),
        daily_visits=2,
    )
    order = order_services.order_send(order=order, by=world.officer)
    coordinator = world.coordinator if order.provider_id == world.provider.pk else None
    coordinator = coordinator or world.other_coordinator
    return order_services.order_execute(order=order, by=coordinator, executed_on=executed_on)


def plan_for(world, order, *, ready_on=None, change=None, daily_visits=2, review=None):
    """The provider's plan for the order: started from it (its interventions and frequencies),
    changed by `change(items, kinds)`, every difference given a reason, completed with the
    client's approval on `ready_on` (None: left a draft), and reviewed by the officer
    ("approved", "returned") when asked."""
    coordinator = world.coordinator if order.provider_id == world.provider.pk else None
    coordinator = coordinator or world.other_coordinator
    plan = services.plan_start(order=order, by=coordinator)
    items = [
        services.PlanItemInput(
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions,
            every_n_weeks=item.every_n_weeks,
            need_help_with="Hjälp med det beställda.",
            my_goal="Klara mer själv.",
        )
        for item in plan.items.all()
    ]
    if change is not None:
        items = change(items, catalogue(order.client.municipality))
    fields = plan_fields(plan, planned_daily_visits=daily_visits)
    plan = services.plan_save(
        plan=plan, by=coordinator, version=plan.version, fields=fields, items=items
    )
    reasons = {gap.key: "Brukaren vill ha det så." for gap in services.coverage(plan, order)}
    if reasons:
        fields = plan_fields(plan, planned_daily_visits=daily_visits, coverage_reasons=reasons)
        plan = services.plan_save(
            plan=plan, by=coordinator, version=plan.version, fields=fields, items=items
        )
    if ready_on is None:
        return plan
    services.plan_complete(
        plan=plan, by=coordinator, client_approved_on=ready_on, client_approval_how="Muntligt"
    )
    if review is not None:
        services.plan_review(
            plan=plan,
            by=world.officer,
            approve=review == "approved",
            comment="" if review == "approved" else "Hygienen saknas.",
        )
    plan.refresh_from_db()
    return plan


def without(name: str):
    return lambda items, kinds: [i for i in items if i.intervention_type.name != name]


def with_extra(name: str):
    def change(items, kinds):
        return [*items, services.PlanItemInput(kinds[name], "per_week", 1, 1)]

    return change


def shower_once_a_week(items, kinds):
    return [
        services.PlanItemInput(i.intervention_type, i.period, 1, i.every_n_weeks)
        if i.intervention_type.name == "Duschhjälp"
        else i
        for i in items
    ]


# ---------------------------------------------------------------------------------------------
# The inspection's fifteen files


@pytest.fixture
def inspection(world):
    """Fifteen executed orders of the unit at the world's provider, as the inspection found
    them: ten with a plan, two of those ready within 15 days, one covering the order fully.

    The five without a plan started 100–96 days ago (one has a plan begun, never completed);
    the two on time started 90 days ago and were ready after 10 and after exactly 15 days; the
    eight late ones started 90 days ago and were ready after 16–30 days, each differing from its
    order in its own way: an intervention missing or not ordered, a frequency, the daily visits.
    Six plans are approved by the officer, one returned, three wait for her review."""
    _as_ostermalm(world)
    start = TODAY - 90 * DAY
    orders = {}
    for index in range(5):
        name = f"Saknas{index + 1}"
        orders[name] = executed(world, name, executed_on=TODAY - (100 - index) * DAY)
    plan_for(world, orders["Saknas3"])  # begun, never completed
    orders["Itid1"] = executed(world, "Itid1", executed_on=start)
    plan_for(world, orders["Itid1"], ready_on=start + 10 * DAY, review="approved")
    orders["Itid2"] = executed(world, "Itid2", executed_on=start)
    plan_for(
        world,
        orders["Itid2"],
        ready_on=start + 15 * DAY,
        change=without("Personlig hygien"),
        review="returned",
    )
    late = [
        ("Sen1", 16, with_extra("Tillsyn"), 2, "approved"),
        ("Sen2", 18, shower_once_a_week, 2, "approved"),
        ("Sen3", 20, None, 1, None),
        ("Sen4", 22, without("Sällskap vid måltider"), 2, "approved"),
        ("Sen5", 24, with_extra("Promenad"), 2, None),
        ("Sen6", 26, without("Duschhjälp"), 3, "approved"),
        ("Sen7", 28, with_extra("Tillsyn"), 2, "approved"),
        ("Sen8", 30, shower_once_a_week, 2, None),
    ]
    for name, days, change, daily_visits, review in late:
        orders[name] = executed(world, name, executed_on=start)
        plan_for(
            world,
            orders[name],
            ready_on=start + days * DAY,
            change=change,
            daily_visits=daily_visits,
            review=review,
        )
    return orders


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _page(http, **query):
    return http.get(reverse("plan_report") + "?" + urlencode({**PERIOD, **query}))


INSPECTION_TEXT = "10 av 15 har plan, 2 av 10 i tid, 1 av 10 täcker beställningen helt"


def test_the_report_reproduces_the_inspections_figures(world, inspection):
    # When the unit's officer asks for the period
    response = _page(world.login(world.officer))

    # Then the totals say what the inspection said, and every figure behind them
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals.text() == INSPECTION_TEXT
    assert INSPECTION_TEXT in _text(response.content.decode())
    assert totals == reports.Totals(
        orders=15,
        with_plan=10,
        on_time=2,
        late=8,
        missing=5,
        not_due=0,
        approved=6,
        returned=1,
        awaiting_review=3,
        assessed=10,
        covering=1,
    )


def test_each_row_says_what_the_inspection_read_in_its_file(world, inspection):
    response = _page(world.login(world.officer))

    rows = {row.client.last_name: row for row in response.context["rows"]}
    # Most urgent first: the missing plans, the longest overdue first (Saknas1 started 100 days
    # ago: 85 days past its 15), then the late ones, the latest first, then those on time.
    assert [row.client.last_name for row in response.context["rows"]] == [
        *(f"Saknas{n}" for n in range(1, 6)),
        *(f"Sen{n}" for n in range(8, 0, -1)),
        "Itid1",
        "Itid2",
    ]
    missing = rows["Saknas1"]
    assert (missing.has_plan, missing.deadline.status, missing.deadline.days_late) == (
        False,
        "missing",
        85,
    )
    assert (missing.days_to_ready, missing.covers, missing.plan_text) == (None, None, "Ingen plan")
    assert rows["Saknas3"].plan_text == "Ingen plan klar (påbörjad)"
    assert rows["Saknas3"].deadline.days_late == 83

    covering = rows["Itid1"]
    assert (covering.days_to_ready, covering.deadline.status, covering.plan_text) == (
        10,
        "on_time",
        "Godkänd",
    )
    assert (covering.covers, covering.gaps) == (True, [])

    # Exactly 15 days is on time; the hygiene it lacks is named.
    itid2 = rows["Itid2"]
    assert (itid2.days_to_ready, itid2.deadline.status, itid2.plan_text) == (
        15,
        "on_time",
        "Återsänd till utföraren",
    )
    assert [gap.message for gap in itid2.gaps] == ["Saknas i planen: Personlig hygien"]
    assert (itid2.covers, itid2.covers_text) == (False, "Nej")

    sen1 = rows["Sen1"]
    assert (sen1.days_to_ready, sen1.deadline.status, sen1.deadline.days_late) == (16, "late", 1)
    assert [gap.message for gap in sen1.not_ordered] == [
        "Finns i planen men är inte beställt: Tillsyn"
    ]
    assert [gap.message for gap in rows["Sen2"].frequency] == [
        "Duschhjälp: planen säger en gång per vecka, beställningen två gånger per vecka"
    ]
    assert [gap.message for gap in rows["Sen3"].daily_visits] == [
        "Dagliga besök: planen har 1 per dag, beställningen 2"
    ]
    assert rows["Sen3"].plan_text == "Klar, väntar på granskning"
    sen6 = rows["Sen6"]
    assert [gap.message for gap in sen6.gaps] == [
        "Dagliga besök: planen har 3 per dag, beställningen 2",
        "Saknas i planen: Duschhjälp",
    ]
    assert (sen6.days_to_ready, sen6.deadline.days_late) == (26, 11)

    # The page says it in words, with the gaps beside the row.
    html = _text(response.content.decode())
    assert "Saknas, 85 dagar försenad" in html
    assert "Klar 15 dagar för sent" in html  # Sen8: 30 days
    assert "Saknas i planen: Personlig hygien" in html
    assert "inom 15 dagar från starten" in html


def test_the_page_is_accessible_markup(world, inspection):
    html = _page(world.login(world.officer)).content.decode()

    table = html[html.index("<table") : html.index("</table>")]
    assert "<caption" in table
    assert table.count('<th scope="col"') == 5
    assert table.count('<th scope="row"') == 15
    assert '<label for="id_fran">' in html and '<label for="id_utforare">' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_passes_axe_in_a_browser(page, watched, live_server, world, inspection):
    log_in_with_a_cookie(page, live_server, world.officer)

    response = page.goto(reverse("plan_report") + "?" + urlencode(PERIOD))

    assert response.status == 200
    assert page.get_by_role("table").get_by_role("row").count() == 16
    assert_passes_axe(page)
    assert watched.errors == []
    if os.environ.get("RAMTID_SCREENSHOT"):
        page.screenshot(path=os.environ["RAMTID_SCREENSHOT"], full_page=True)


def test_a_plan_written_since_against_a_change_order_is_judged_against_that(world):
    # Given an order with a plan ready on time, then a change order executed and the plan
    # revised and completed against it
    _as_ostermalm(world)
    first = executed(world, "Andring", executed_on=TODAY - 60 * DAY)
    plan = plan_for(world, first, ready_on=TODAY - 50 * DAY, review="approved")
    kinds = catalogue(world.municipality)
    change = order_services.order_change_create(
        order=first, by=world.officer, valid_from=TODAY - 30 * DAY
    )
    change = order_services.order_save_draft(
        order=change,
        by=world.officer,
        version=change.version,
        fields={"daily_visits": 2},
        interventions=[*_rows(kinds), row(kinds["Tillsyn"], period="per_day", occasions=1)],
    )
    change = order_services.order_send(order=change, by=world.officer)
    change = order_services.order_execute(
        order=change, by=world.coordinator, executed_on=TODAY - 30 * DAY
    )
    items = [
        services.PlanItemInput(i.intervention_type, i.period, i.occasions, i.every_n_weeks)
        for i in plan.items.all()
    ]
    items.append(services.PlanItemInput(kinds["Tillsyn"], "per_day", 1, 1))
    plan = services.plan_save(
        plan=plan,
        by=world.coordinator,
        version=plan.version,
        fields=plan_fields(plan, planned_daily_visits=2),
        items=items,
    )
    services.plan_complete(
        plan=plan,
        by=world.coordinator,
        client_approved_on=TODAY - 25 * DAY,
        client_approval_how="Muntligt",
    )

    # When the report covers both
    response = _page(world.login(world.officer))

    # Then both have a plan on time; the change order's covers it, the first order's plan has
    # moved on and is not judged against the first order again
    totals = response.context["totals"]
    assert (totals.orders, totals.with_plan, totals.on_time) == (2, 2, 2)
    assert (totals.assessed, totals.covering, totals.following_later_order) == (1, 1, 1)
    assert totals.text() == "2 av 2 har plan, 2 av 2 i tid, 1 av 1 täcker beställningen helt"
    rows = {row.order.pk: row for row in response.context["rows"]}
    assert (rows[first.pk].covers, rows[first.pk].later_order) == (None, True)
    assert rows[first.pk].covers_text == "Bedöms mot den senare beställningen"
    assert rows[first.pk].plan_text == "Godkänd"
    assert (rows[change.pk].covers, rows[change.pk].days_to_ready) == (True, 5)
    assert rows[change.pk].plan_text == "Klar, väntar på granskning"
    assert "1 plan har sedan skrivits mot en senare beställning" in _text(response.content.decode())


def test_the_period_is_the_day_the_help_started(world, inspection):
    # Only the orders executed 90 days ago (the ten with plans) fall in 95–85 days ago.
    response = _page(
        world.login(world.officer),
        fran=f"{TODAY - 95 * DAY:%Y-%m-%d}",
        till=f"{TODAY - 85 * DAY:%Y-%m-%d}",
    )

    assert response.context["totals"].text() == (
        "10 av 10 har plan, 2 av 10 i tid, 1 av 10 täcker beställningen helt"
    )
    # Both days are included: from the day Saknas5 started to the day Saknas1 did.
    response = _page(
        world.login(world.officer),
        fran=f"{TODAY - 100 * DAY:%Y-%m-%d}",
        till=f"{TODAY - 96 * DAY:%Y-%m-%d}",
    )
    assert response.context["totals"].text() == (
        "0 av 5 har plan, 0 av 0 i tid, 0 av 0 täcker beställningen helt"
    )


def test_a_period_that_ends_before_it_starts_is_named(world, inspection):
    response = _page(
        world.login(world.officer), fran=f"{TODAY:%Y-%m-%d}", till=f"{TODAY - DAY:%Y-%m-%d}"
    )

    assert response.status_code == 200
    assert response.context["totals"] is None
    assert "Perioden måste sluta samma dag som den börjar eller senare." in _text(
        response.content.decode()
    )
    bad = _page(world.login(world.officer), fran="2026-02-31")
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in _text(bad.content.decode())


def test_without_a_period_it_is_the_last_twelve_months(world, inspection):
    response = world.login(world.officer).get(reverse("plan_report"))

    assert response.context["report"].end == TODAY
    assert response.context["totals"].orders == 15


# ---------------------------------------------------------------------------------------------
# The same figures everywhere


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def test_the_api_gives_the_pages_figures(world, inspection):
    page = _page(world.login(world.officer))
    response = _api(world.officer).get(reverse("plan_report_api"), API_PERIOD)

    assert response.status_code == 200
    data = response.json()
    totals = page.context["totals"]
    assert data["totals"]["text"] == INSPECTION_TEXT
    assert {key: value for key, value in data["totals"].items() if key != "text"} == {
        name: getattr(totals, name)
        for name in (
            "orders",
            "with_plan",
            "on_time",
            "late",
            "missing",
            "not_due",
            "approved",
            "returned",
            "awaiting_review",
            "assessed",
            "covering",
        )
    }
    assert data["count"] == 15
    assert data["period"] == {"from": API_PERIOD["from"], "to": API_PERIOD["to"]}
    assert [r["order"] for r in data["results"]] == [r.order.pk for r in page.context["rows"]]
    itid2 = next(r for r in data["results"] if r["client"]["name"] == "Test Itid2")
    assert itid2["days_to_ready"] == 15
    assert itid2["deadline"] == "on_time"
    assert itid2["plan"]["exists"] is True
    assert itid2["plan"]["review"] == "returned"
    assert itid2["coverage"] == {
        "assessed": True,
        "covers": False,
        "later_order": False,
        "missing": ["Saknas i planen: Personlig hygien"],
        "not_ordered": [],
        "frequency": [],
        "daily_visits": [],
    }
    saknas1 = data["results"][0]
    assert (saknas1["deadline"], saknas1["days_late"], saknas1["plan"]["exists"]) == (
        "missing",
        85,
        False,
    )

    # Paged like every list, the totals still the whole report's
    paged = _api(world.officer).get(reverse("plan_report_api"), {**API_PERIOD, "limit": 4})
    assert len(paged.json()["results"]) == 4
    assert paged.json()["totals"]["orders"] == 15
    assert "offset=4" in paged.json()["next"]


def test_the_api_names_bad_input_in_swedish(world, inspection):
    response = _api(world.officer).get(
        reverse("plan_report_api"), {"from": "2026-01-10", "to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "to" in response.json()
    bad = _api(world.officer).get(reverse("plan_report_api"), {"from": "igår"})
    assert bad.status_code == 400
    assert bad.json()["from"] == ["Ange datumet som ÅÅÅÅ-MM-DD."]


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def test_the_csv_has_every_row_streamed(world, inspection):
    response = world.login(world.officer).get(reverse("plan_report_csv") + "?" + urlencode(PERIOD))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert len(body) == 15
    lines = [dict(zip(header, line, strict=True)) for line in body]
    by_name = {line["Efternamn"]: line for line in lines}
    itid2 = by_name["Itid2"]
    assert itid2["Dagar från start till klar"] == "15"
    assert itid2["Tidsfrist"] == "Klar i tid"
    assert itid2["Plan"] == "Återsänd till utföraren"
    assert itid2["Täcker beställningen helt"] == "Nej"
    assert itid2["Saknas i planen"] == "Saknas i planen: Personlig hygien"
    assert by_name["Saknas1"]["Dagar efter tidsfristen"] == "85"
    assert by_name["Itid1"]["Täcker beställningen helt"] == "Ja"
    assert [line["Efternamn"] for line in lines][:2] == ["Saknas1", "Saknas2"]


def test_a_formula_in_a_name_stays_text_in_the_files(world):
    _as_ostermalm(world)
    executed(world, "=HYPERLINK(1)", executed_on=TODAY - 10 * DAY)

    rows = _csv_rows(
        world.login(world.officer).get(reverse("plan_report_csv") + "?" + urlencode(PERIOD))
    )

    assert rows[1][rows[0].index("Efternamn")] == "'=HYPERLINK(1)"
    xlsx = world.login(world.officer).get(reverse("plan_report_xlsx") + "?" + urlencode(PERIOD))
    assert "'=HYPERLINK(1)" in xlsx_values(xlsx.content)  # and no formula anywhere


def test_the_excel_file_has_every_row_and_the_totals(world, inspection):
    response = world.login(world.officer).get(reverse("plan_report_xlsx") + "?" + urlencode(PERIOD))

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheets = xlsx_sheets(response.content)
    assert len(sheets) == 2
    text = " ".join(str(value) for value in xlsx_values(response.content))
    assert INSPECTION_TEXT in text
    for index in range(1, 6):
        assert f"Saknas{index}" in text
    assert "Saknas i planen: Personlig hygien" in text


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_has_the_totals_and_the_most_urgent_rows(world, inspection, monkeypatch):
    monkeypatch.setattr(reports, "PDF_MAX_ROWS", 6)

    response = world.login(world.manager).get(reverse("plan_report_pdf") + "?" + urlencode(PERIOD))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response)
    assert INSPECTION_TEXT in text
    assert "de 6 mest brådskande av 15 beställningar" in text
    assert "Saknas1" in text and "Sen8" in text
    assert "Itid1" not in text
    entry = AccessLog.objects.latest("id")
    assert entry.action == AccessAction.EXPORT
    assert len(entry.client_ids) == 6


# ---------------------------------------------------------------------------------------------
# Who sees it


@pytest.fixture
def spread(world):
    """Orders the roles see differently: the unit's client at the world's provider and at the
    other provider of the municipality, and another municipality's client."""
    _as_ostermalm(world)
    far_provider = ProviderFactory(municipality=world.other_municipality, name="Fjärran AB")
    far_coordinator = member(
        UserFactory(username="fjarran"), Role.PROVIDER_COORDINATOR, provider=far_provider
    )
    ours = executed(world, "Var", executed_on=TODAY - 20 * DAY)
    theirs = executed(world, "Grann", executed_on=TODAY - 20 * DAY, provider=world.other_provider)
    far = executed(
        world,
        "Fjarr",
        executed_on=TODAY - 20 * DAY,
        unit=world.other_unit,
        provider=far_provider,
        rows=[row(catalogue(world.other_municipality)["Duschhjälp"])],
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "far": far,
        "far_provider": far_provider,
        "far_coordinator": far_coordinator,
    }


def _names(response) -> set[str]:
    return {row.client.last_name for row in response.context["rows"]}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("officer", {"Var", "Grann"}),
        ("manager", {"Var", "Grann"}),
        ("coordinator", {"Var"}),
        ("other_coordinator", {"Grann"}),
        ("other_officer", {"Fjarr"}),
    ],
)
def test_each_role_sees_its_own_orders(world, spread, role, sees):
    response = _page(world.login(getattr(world, role)))

    assert response.status_code == 200
    assert _names(response) == sees
    assert response.context["totals"].orders == len(sees)
    api = _api(getattr(world, role)).get(reverse("plan_report_api"), API_PERIOD).json()
    assert {r["client"]["name"].removeprefix("Test ") for r in api["results"]} == sees


def test_another_municipalitys_coordinator_sees_only_her_providers(world, spread):
    response = _page(world.login(spread["far_coordinator"]))

    assert _names(response) == {"Fjarr"}


@pytest.mark.parametrize("role", ["contact_person", "fee_officer", "administrator"])
@pytest.mark.parametrize(
    "route", ["plan_report", "plan_report_pdf", "plan_report_csv", "plan_report_xlsx"]
)
def test_the_other_roles_get_a_404(world, spread, role, route):
    response = world.login(getattr(world, role)).get(reverse(route) + "?" + urlencode(PERIOD))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["contact_person", "fee_officer", "administrator"])
def test_the_other_roles_get_a_404_from_the_api(world, spread, role):
    response = _api(getattr(world, role)).get(reverse("plan_report_api"), API_PERIOD)

    assert response.status_code == 404


def test_signed_out_it_leads_to_the_sign_in(world):
    response = HttpClient().get(reverse("plan_report"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("officer", {"enhet": "other_unit"}),  # another municipality's unit
        ("officer", {"utforare": "far_provider"}),  # another municipality's provider
        ("coordinator", {"utforare": "other_provider"}),  # another provider of the municipality
        ("coordinator", {"enhet": "other_unit"}),
        ("other_coordinator", {"utforare": "provider"}),
    ],
)
def test_another_organisations_unit_or_provider_is_a_404(world, spread, role, query):
    objects = {
        "other_unit": world.other_unit,
        "far_provider": spread["far_provider"],
        "other_provider": world.other_provider,
        "provider": world.provider,
    }
    ids = {name: objects[value].pk for name, value in query.items()}
    http = world.login(getattr(world, role))

    for route in ("plan_report", "plan_report_csv", "plan_report_xlsx", "plan_report_pdf"):
        assert http.get(reverse(route) + "?" + urlencode({**PERIOD, **ids})).status_code == 404
    api_ids = {{"enhet": "ordering_unit", "utforare": "provider"}[k]: v for k, v in ids.items()}
    response = _api(getattr(world, role)).get(reverse("plan_report_api"), {**API_PERIOD, **api_ids})
    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=getattr(world, role)).exists()


def test_the_officer_filters_by_a_provider_that_serves_her_clients(world, spread):
    http = world.login(world.officer)

    by_provider = _page(http, utforare=world.other_provider.pk)
    by_unit = _page(http, enhet=world.unit.pk, utforare=world.provider.pk)

    assert _names(by_provider) == {"Grann"}
    assert _names(by_unit) == {"Var"}
    choices = dict(by_provider.context["form"].fields["utforare"].widget.choices)
    assert set(choices) == {"", world.provider.pk, world.other_provider.pk}
    api = _api(world.officer).get(
        reverse("plan_report_api"), {**API_PERIOD, "provider": world.other_provider.pk}
    )
    assert api.json()["provider"] == {"id": world.other_provider.pk, "name": "Hemtjänst Norr AB"}
    assert [r["order"] for r in api.json()["results"]] == [spread["theirs"].pk]


@pytest.mark.parametrize(
    ("role", "in_menu"),
    [
        ("officer", True),
        ("manager", True),
        ("coordinator", True),
        ("contact_person", False),
        ("fee_officer", False),
        ("administrator", False),
    ],
)
def test_the_menu_names_it_for_those_who_read_it(world, role, in_menu):
    user = getattr(world, role)

    assert ("plan_report" in [item.name for item in navigation_for(user)]) is in_menu
    assert bool(navigation(user)) is in_menu
    page = world.login(user).get(reverse("start")).content.decode()
    assert (f'href="{reverse("plan_report")}"' in page) is in_menu


# ---------------------------------------------------------------------------------------------
# The access log: one row per request, naming the clients shown


def test_every_read_is_logged_once_naming_the_clients_shown(world, spread):
    http = world.login(world.officer)
    shown = {spread["ours"].client_id, spread["theirs"].client_id}
    reads = [
        (lambda: _page(http), AccessAction.LIST),
        (lambda: http.get(reverse("plan_report_pdf") + "?" + urlencode(PERIOD)), "export"),
        (lambda: http.get(reverse("plan_report_xlsx") + "?" + urlencode(PERIOD)), "export"),
        (lambda: _api(world.officer).get(reverse("plan_report_api"), API_PERIOD), "api"),
    ]
    for read, action in reads:
        before = AccessLog.objects.count()
        assert read().status_code == 200
        assert AccessLog.objects.count() == before + 1
        entry = AccessLog.objects.latest("id")
        assert (entry.user, entry.action, set(entry.client_ids)) == (world.officer, action, shown)
        assert entry.what.startswith(("Planrapport", "API /api/rapporter/planer/"))

    # The CSV's row is written before its lines are read
    before = AccessLog.objects.count()
    response = http.get(reverse("plan_report_csv") + "?" + urlencode(PERIOD))
    assert AccessLog.objects.count() == before + 1
    assert set(AccessLog.objects.latest("id").client_ids) == shown
    assert len(_csv_rows(response)) == 3


def test_an_empty_report_logs_nothing(world):
    response = _page(world.login(world.officer))

    assert response.context["totals"].orders == 0
    assert "Inga beställningar verkställdes under perioden." in response.content.decode()
    assert not AccessLog.objects.exists()


# ---------------------------------------------------------------------------------------------
# A fixed number of queries


FEW, MANY = 5, 50


def _orders_with_plans(world, count: int, *, first: int) -> None:
    for index in range(first, first + count):
        order = executed(world, f"Antal{index:03d}", executed_on=TODAY - 40 * DAY)
        if index % 3:
            plan_for(
                world,
                order,
                ready_on=TODAY - (40 - 10 - index % 20) * DAY,
                change=with_extra("Tillsyn") if index % 2 else None,
                review="approved",
            )


def _count(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = read()
    assert response.status_code == 200
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return len(queries)


def test_the_report_reads_the_same_queries_for_5_and_for_50_orders(world):
    _as_ostermalm(world)
    _orders_with_plans(world, FEW, first=0)
    reads = {
        "page": lambda: _page(world.login(world.officer)),
        "api": lambda: _api(world.officer).get(reverse("plan_report_api"), API_PERIOD),
        "csv": lambda: world.login(world.officer).get(
            reverse("plan_report_csv") + "?" + urlencode(PERIOD)
        ),
        "pdf": lambda: world.login(world.officer).get(
            reverse("plan_report_pdf") + "?" + urlencode(PERIOD)
        ),
        "coordinator": lambda: _page(world.login(world.coordinator)),
    }
    few = {name: _count(read) for name, read in reads.items()}

    _orders_with_plans(world, MANY - FEW, first=FEW)

    many = {name: _count(read) for name, read in reads.items()}
    assert many == few
    response = _page(world.login(world.officer))
    assert response.context["totals"].orders == MANY
    assert len(response.context["rows"]) == reports.PER_PAGE


# ---------------------------------------------------------------------------------------------
# The coverage check in SQL is the coverage check


def _random_pairs(world, count: int, seed: int) -> list[Order]:
    """`count` orders, each with its client's plan following it, of random shapes: packages
    written out or named, parts shared between packages, frequencies equal, summed, in
    conflict or off by one, repeated interventions, missing and extra ones, daily visits.
    Written as rows (as the load-data generators do), since the services would refuse some of
    these shapes, which the two checks must still agree on."""
    rng = random.Random(seed)
    kinds = catalogue(world.municipality)
    packages = [kinds[n] for n in ("Omvårdnadspaket morgon", "Omvårdnadspaket kväll")]
    parts = [kinds[n] for n in ("Personlig hygien", "På- och avklädning", "Toalettbesök")]
    others = [kinds[n] for n in ("Duschhjälp", "Tillsyn", "Städning 1 rok", "Promenad")]
    decision = make_decision(world)
    clients = ClientFactory.create_batch(count, ordering_unit=world.unit)
    frequencies = [
        ("per_day", 1, 1),
        ("per_day", 2, 1),
        ("per_week", 2, 1),
        ("per_week", 2, 3),  # every_n_weeks stored but not read: a week is a week
        ("every_n_weeks", 1, 2),
        ("every_n_weeks", 1, 3),
        ("per_week", None, 1),
    ]
    orders = Order.objects.bulk_create(
        Order(
            client=client,
            decision=decision,
            provider=world.provider,
            ordered_by=world.officer,
            valid_from=TODAY,
            daily_visits=rng.choice([None, 0, 1, 2]),
        )
        for client in clients
    )
    ordered, contents, plans, planned = [], [], [], []
    for order in orders:
        rows = []
        for kind in rng.sample(packages + others, rng.randint(0, 4)):
            for _repeat in range(2 if rng.random() < 0.1 else 1):
                period, occasions, every = rng.choice(frequencies)
                rows.append((kind, period, occasions, every))
        ordered.append(
            [
                OrderedIntervention(
                    order=order,
                    intervention_type=kind,
                    period=period,
                    occasions=occasions,
                    every_n_weeks=every,
                    minutes=10,
                    position=position,
                )
                for position, (kind, period, occasions, every) in enumerate(rows)
            ]
        )
        plan_rows = []
        for kind, period, occasions, every in rows:
            if kind in packages and rng.random() < 0.6:  # written out, part by part
                for part in parts:
                    if rng.random() < 0.9:
                        plan_rows.append((part, period, occasions or 1, every))
                continue
            if rng.random() < 0.15:
                continue  # missing
            if rng.random() < 0.15:
                period, occasions, every = rng.choice(frequencies)
            plan_rows.append((kind, period, occasions or rng.choice([1, 2]), every))
        if rng.random() < 0.2:
            plan_rows.append((rng.choice(parts + others), "per_week", 1, 1))
        if plan_rows and rng.random() < 0.3:  # the parts of two packages summed, or not
            kind, period, occasions, every = rng.choice(plan_rows)
            plan_rows.append((kind, period, occasions + 1, every))
        planned.append(plan_rows)
        plans.append(
            ImplementationPlan(
                client=order.client,
                provider=world.provider,
                order=order,
                created_by=world.coordinator,
                planned_daily_visits=order.daily_visits
                if rng.random() < 0.8
                else rng.choice([None, 0, 1, 3]),
            )
        )
    items = OrderedIntervention.objects.bulk_create(row for rows in ordered for row in rows)
    through = OrderedIntervention.care_package_contents.through
    for item in items:
        if item.intervention_type in packages:
            chosen = rng.sample(parts, rng.randint(0, 3)) if rng.random() < 0.9 else []
            contents.extend(
                through(orderedintervention_id=item.pk, interventiontype_id=part.pk)
                for part in chosen
            )
    through.objects.bulk_create(contents)
    plans = ImplementationPlan.objects.bulk_create(plans)
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            intervention_type=kind,
            period=period,
            occasions=occasions,
            every_n_weeks=every,
            position=position,
        )
        for plan, rows in zip(plans, planned, strict=True)
        for position, (kind, period, occasions, every) in enumerate(rows)
    )
    return orders


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_check_agrees_with_the_coverage_check(world, seed):
    orders = _random_pairs(world, 150, seed)
    ids = [o.pk for o in orders]

    in_sql = dict(
        Order.objects.filter(pk__in=ids)
        .annotate(covers=reports.PlanCoversOrder())
        .values_list("pk", "covers")
    )

    plans = {p.order_id: p for p in ImplementationPlan.objects.filter(order__in=orders)}
    gaps = {
        order.pk: services.coverage(plans[order.pk], order)
        for order in Order.objects.filter(pk__in=ids)
    }
    assert in_sql == {pk: not found for pk, found in gaps.items()}
    # Both outcomes are well represented, so the agreement says something.
    assert 15 <= sum(in_sql.values()) <= 135, sum(in_sql.values())
    # And the report's rows read the same gaps, word for word, as the plan page.
    pairs = [(order, plans[order.pk].pk) for order in Order.objects.filter(pk__in=ids)]
    assert reports.coverage_by_order(pairs) == gaps
