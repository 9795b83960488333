"""The managers' dashboard (översikt, issue 11: uppfoljning.dashboard): the figures on a small
seeded set (plans on time, late, missing, returned, covering and not; a month's time; an
overdue review; quality warnings; complaints), per provider, per officer and in total; the
lists of clients behind them; who sees it (the unit manager, the provider's coordinator, nobody
else, and no other organisation's provider or officer); the SVG chart and its text alternative;
the PDF; the access log; and a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from pypdf import PdfReader

from bestallning import statistics
from bestallning.models import Order
from genomforandeplan import reports
from ramtid.choices import AccessAction, Gender, Role
from ramtid.models import AccessLog, Client
from ramtid.permissions import navigation_for
from tests.bestallning.conftest import TODAY, catalogue, row
from tests.factories import ProviderFactory, UserFactory, member
from tests.genomforandeplan.test_coverage_report import executed, plan_for, without
from tests.uppfoljning.reviews_helpers import open_review
from uppfoljning import charts, complaints, dashboard
from uppfoljning.choices import (
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
    ExplanationCategory,
    TimeStatus,
)
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.views import dashboard as dashboard_views

DAY = datetime.timedelta(days=1)
START = TODAY - 60 * DAY  # every order's start: well inside the default twelve months
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = dashboard.add_months(THIS_MONTH, -1)
PERIOD = {"fran": f"{dashboard.add_months(THIS_MONTH, -11):%Y-%m}", "till": f"{THIS_MONTH:%Y-%m}"}


# ---------------------------------------------------------------------------------------------
# The seeded set


def time_result(order: Order, *, ordered: int, performed: int, status, explained=False, staff=None):
    """A month's result as the monthly check writes it (last month), explained if asked."""
    return MonthlyTimeResult.objects.create(
        order=order,
        month=LAST_MONTH,
        client=order.client,
        provider=order.provider,
        ordering_unit=order.client.ordering_unit,
        days_in_force=30,
        ordered_minutes=ordered,
        performed_minutes=performed,
        deviation_minutes=performed - ordered,
        status=status,
        billing_deadline=TODAY + 10 * DAY,
        checked_at=timezone.now(),
        explanation_category=ExplanationCategory.OTHER if explained else "",
        explanation_text="Extra besök efter fall." if explained else "",
        continuity_staff=staff,
        continuity_window_end=LAST_MONTH + 13 * DAY if staff is not None else None,
    )


def complaint(world, order: Order, *, received_on, by):
    return complaints.register_complaint(
        client=order.client,
        by=by,
        about=ComplaintAbout.PROVIDER,
        provider=order.provider,
        received_on=received_on,
        raised_by=ComplainantKind.RELATIVE,
        raised_by_name="",
        category=ComplaintCategory.TIMES,
        description="Morgonbesöket kommer för sent.",
    )


WARNING = {
    "field": "order_text",
    "field_label": "Beställningstext",
    "kind": "missing",
    "message": "Beställningstexten är tom.",
    "suggestion": "",
}


@pytest.fixture
def seeded(world):
    """The unit's four orders started 60 days ago (Järfälla: plans due in 14 days):

    Itid    world.provider   plan ready after 10 days, approved, covering the order fully
    Sen     world.provider   ready after 30 days (late), hygiene left out, returned
    Saknas  world.provider   no plan (missing); its yearly review is 5 days overdue
    Grann   other_provider   ready after 5 days, approved, covering; ordered by a second officer

    Last month Itid was over (explained, waiting for the officer; 12 different staff in 14 days,
    over the goal of 10) and Grann within (4 staff). Itid and Sen are women, Saknas and Grann
    men. Sen's order
    was sent with two quality warnings, Grann's with one. A complaint about Itid's care is
    unanswered 20 days after it came in (late); one about Grann's was answered in 2 days.
    Another municipality has an order of its own (Fjarr)."""
    second = member(
        UserFactory(username="handlaggare2", first_name="Berit", last_name="Bok"),
        Role.CASE_OFFICER,
        unit=world.unit,
    )
    orders = {
        name: executed(world, name, executed_on=START, provider=provider)
        for name, provider in (
            ("Itid", world.provider),
            ("Sen", world.provider),
            ("Saknas", world.provider),
            ("Grann", world.other_provider),
        )
    }
    plan_for(world, orders["Itid"], ready_on=START + 10 * DAY, review="approved")
    plan_for(
        world,
        orders["Sen"],
        ready_on=START + 30 * DAY,
        change=without("Personlig hygien"),
        review="returned",
    )
    plan_for(world, orders["Grann"], ready_on=START + 5 * DAY, review="approved")
    Order.objects.filter(pk=orders["Grann"].pk).update(ordered_by=second)
    Order.objects.filter(pk=orders["Sen"].pk).update(quality_warnings=[WARNING, WARNING])
    Order.objects.filter(pk=orders["Grann"].pk).update(quality_warnings=[WARNING])

    time_result(
        orders["Itid"], ordered=600, performed=720, status=TimeStatus.OVER, explained=True, staff=12
    )
    time_result(orders["Grann"], ordered=300, performed=300, status=TimeStatus.WITHIN, staff=4)
    Client.objects.filter(pk__in=[orders["Saknas"].client_id, orders["Grann"].client_id]).update(
        gender=Gender.MALE
    )
    open_review(
        world, client=orders["Saknas"].client, order=orders["Saknas"], due_on=TODAY - 5 * DAY
    )
    open_review(world, client=orders["Itid"].client, due_on=TODAY + 10 * DAY, key="not-yet")

    complaint(world, orders["Itid"], received_on=TODAY - 20 * DAY, by=world.officer)
    answered = complaint(world, orders["Grann"], received_on=TODAY - 3 * DAY, by=world.officer)
    complaints.answer_complaint(
        complaint=answered,
        by=world.other_coordinator,
        answer_text="Vi har ändrat schemat.",
        answer_method="phone",
        answered_on=TODAY - DAY,
    )

    far_provider = ProviderFactory(municipality=world.other_municipality, name="Fjärran AB")
    far = executed(
        world,
        "Fjarr",
        executed_on=START,
        unit=world.other_unit,
        provider=far_provider,
        rows=[row(catalogue(world.other_municipality)["Duschhjälp"])],
    )
    return {**orders, "second": second, "far": far, "far_provider": far_provider}


def _page(http, **query):
    return http.get(reverse("dashboard") + "?" + urlencode({**PERIOD, **query}))


def _clients(http, *, figur, **query):
    url = reverse("dashboard_clients", kwargs={"figure": figur})
    return http.get(url + "?" + urlencode({**PERIOD, **query}))


def _names(response) -> list[str]:
    return [r.client.last_name for r in response.context["rows"]]


def _by(section, dimension) -> dict:
    return {r.name: r.figures for r in section.by[dimension]}


# ---------------------------------------------------------------------------------------------
# The figures


def test_the_unit_manager_sees_the_plans_per_provider_per_officer_and_in_total(world, seeded):
    response = _page(world.login(world.manager))

    assert response.status_code == 200
    plans = response.context["figures"].plans
    assert plans.total.totals == reports.Totals(
        orders=4,
        with_plan=3,
        on_time=2,
        late=1,
        missing=1,
        not_due=0,
        approved=2,
        returned=1,
        awaiting_review=0,
        assessed=3,
        covering=2,
    )
    assert plans.total.median_days == 10  # 5, 10 and 30 days
    assert round(plans.total.share_with_plan) == 75
    assert round(plans.total.share_on_time) == 67
    providers = _by(plans, "provider")
    assert set(providers) == {"Trygg Omsorg AB", "Hemtjänst Norr AB"}
    trygg = providers["Trygg Omsorg AB"]
    assert (trygg.totals.orders, trygg.totals.with_plan, trygg.totals.on_time) == (3, 2, 1)
    assert (trygg.totals.late, trygg.totals.missing, trygg.totals.returned) == (1, 1, 1)
    assert (trygg.totals.covering, trygg.not_covering, trygg.median_days) == (1, 1, 20)
    norr = providers["Hemtjänst Norr AB"]
    assert (norr.totals.orders, norr.totals.on_time, norr.totals.covering) == (1, 1, 1)
    assert norr.median_days == 5
    officers = _by(plans, "officer")
    assert officers["Berit Bok"].totals.orders == 1
    assert sum(f.totals.orders for f in officers.values()) == 4
    assert "Fjarr" not in response.content.decode()


def test_the_grouped_totals_are_the_coverage_reports_totals(world, seeded):
    # The same rule: the dashboard's total is report_totals over the same orders.
    scope = dashboard.scope_of(world.manager)
    period = dashboard.default_period()
    orders = scope.orders(world.manager).filter(
        executed_on__gte=period.start, executed_on__lte=period.end
    )

    section = dashboard.plan_section(world.manager, scope, period, TODAY)

    assert section.total.totals == reports.report_totals(orders, TODAY)
    for provider_row in section.by["provider"]:
        by_provider = orders.filter(provider_id=provider_row.key)
        assert provider_row.figures.totals == reports.report_totals(by_provider, TODAY)


def test_time_reviews_quality_and_complaints(world, seeded):
    figures = _page(world.login(world.manager)).context["figures"]

    time = figures.time.total
    assert (time.ordered_hours, time.performed_hours) == (15, 17)
    assert (time.results, time.over, time.under, time.to_decide) == (2, 1, 0, 1)
    assert _by(figures.time, "provider")["Trygg Omsorg AB"].to_decide == 1
    months = {r.key: r.figures for r in figures.time.by["month"]}
    assert len(months) == 12 and months[LAST_MONTH].performed_hours == 17
    assert months[THIS_MONTH].results == 0

    assert figures.reviews.total == 1  # the one due in ten days is not late
    assert _by(figures.reviews, "provider") == {"Trygg Omsorg AB": 1}

    quality = figures.quality.total
    assert (quality.sent, quality.with_warnings, quality.warnings) == (4, 2, 3)
    assert quality.per_order == 1.5
    assert _by(figures.quality, "officer")["Berit Bok"].warnings == 1

    complaint_figures = figures.complaints.total
    assert (complaint_figures.received, complaint_figures.late) == (2, 1)
    assert (complaint_figures.answered_on_time, complaint_figures.open) == (1, 1)
    per_provider = _by(figures.complaints, "provider")
    assert per_provider["Trygg Omsorg AB"].overdue == 1
    assert per_provider["Hemtjänst Norr AB"].median_answer_days == 2


def test_staff_continuity_against_the_goal(world, seeded):
    figures = _page(world.login(world.manager)).context["figures"]

    total = figures.continuity.total
    assert (total.clients_measured, total.clients_over_goal, total.max_staff) == (2, 1, 12)
    per_provider = _by(figures.continuity, "provider")
    assert per_provider["Trygg Omsorg AB"].clients_over_goal == 1
    assert per_provider["Hemtjänst Norr AB"].clients_over_goal == 0
    assert _by(figures.continuity, "officer")["Berit Bok"].clients_measured == 1
    berit = {r.name: r for r in figures.continuity.by["officer"]}["Berit Bok"]
    assert _names(world.login(world.manager).get(berit.links["over_goal"])) == []


def _granted(http, **headers):
    return http.get(reverse("dashboard_granted") + "?" + urlencode(PERIOD), **headers)


def test_granted_hours_of_women_and_men(world, seeded):
    http = world.login(world.manager)
    # The dashboard loads them in a second request (htmx), the rest shows at once.
    page = _page(http)
    assert page.context["figures"].granted is None
    assert f'hx-get="{reverse("dashboard_granted")}?' in page.content.decode()

    response = _granted(http, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the fragment
    granted = response.context["granted"]
    assert (granted.total.female.clients, granted.total.male.clients) == (2, 2)
    scope = dashboard.scope_of(world.manager)
    period = dashboard.default_period()
    expected = statistics.granted_hours(
        scope.orders(world.manager), start=period.start, end=period.end, group_by=("gender",)
    )
    assert {f.key["gender"]: f.mean_per_client for f in expected} == {
        "female": granted.total.female.mean_per_client,
        "male": granted.total.male.mean_per_client,
    }
    assert granted.total.female.mean_per_client > 0
    categories = {row.name for row in granted.by["category"]}
    assert categories <= {"Serviceinsats", "Omvårdnadsinsats"} and categories
    berit = {row.name: row for row in granted.by["officer"]}["Berit Bok"]
    assert (berit.female, berit.male.clients) == (None, 1)
    assert _names(world.login(world.manager).get(berit.links["male"])) == ["Grann"]
    # Without script, a page of its own.
    whole = _granted(http).content.decode()
    assert "<html" in whole and "Beviljad tid för kvinnor och män per insatskategori" in whole


def test_the_providers_coordinator_sees_her_providers_figures_only(world, seeded):
    response = _page(world.login(world.coordinator))

    figures = response.context["figures"]
    assert figures.plans.total.totals.orders == 3
    assert set(_by(figures.plans, "provider")) == {"Trygg Omsorg AB"}
    assert figures.time.total.ordered_hours == 10
    assert figures.reviews is None  # reviews are the municipality's case work
    assert figures.complaints.total.received == 1
    assert figures.quality.total.sent == 3
    html = response.content.decode()
    assert "Hemtjänst Norr AB" not in html
    assert 'id="oversikt-uppfoljningar"' not in html


def test_the_granted_hours_are_the_ordering_units_not_the_providers(world, seeded):
    # 003's gender-equal decisions are the unit's: a provider decides nothing, and its manager
    # gets no figures of the municipality's officers' decisions, on the page, in the PDF or
    # behind a link.
    http = world.login(world.coordinator)

    page = _page(http)

    assert page.context["figures"].granted is None
    assert reverse("dashboard_granted") not in page.content.decode()
    assert 'id="oversikt-jamstalldhet"' not in page.content.decode()
    assert _granted(http).status_code == 404
    assert _granted(http, HTTP_HX_REQUEST="true").status_code == 404
    assert _clients(http, figur="beviljat-kvinnor").status_code == 404
    pdf = http.get(reverse("dashboard_pdf") + "?" + urlencode(PERIOD))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Trygg Omsorg AB" in text and "kvinnor och män" not in text
    # The unit manager has them.
    assert _granted(world.login(world.manager)).status_code == 200


def test_a_period_is_whole_months_and_a_wrong_one_is_named(world, seeded):
    http = world.login(world.manager)

    # Only next month: nothing of the seeded set.
    next_month = f"{dashboard.add_months(THIS_MONTH, 1):%Y-%m}"
    empty = _page(http, fran=next_month, till=next_month).context["figures"]
    assert empty.plans.total.totals.orders == 0
    assert empty.time.total.results == 0

    wrong = _page(http, fran="2026-13", till="2026-01")
    assert "figures" not in wrong.context
    assert "Ange månaden som ÅÅÅÅ-MM" in wrong.content.decode()
    backwards = _page(http, fran=PERIOD["till"], till=PERIOD["fran"])
    assert "Perioden måste sluta samma månad" in backwards.content.decode()


def test_the_default_period_is_the_twelve_months_up_to_this_one():
    period = dashboard.default_period(datetime.date(2026, 3, 17))

    assert (period.start, period.end) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    assert len(period.months) == 12


# ---------------------------------------------------------------------------------------------
# Every figure leads to the clients behind it


@pytest.mark.parametrize(
    ("figure", "extra", "names"),
    [
        ("verkstallda", {}, ["Grann", "Itid", "Saknas", "Sen"]),
        ("med-plan", {}, ["Grann", "Itid", "Sen"]),
        ("plan-i-tid", {}, ["Grann", "Itid"]),
        ("plan-sen", {}, ["Sen"]),
        ("plan-saknas", {}, ["Saknas"]),
        ("plan-aterskickad", {}, ["Sen"]),
        ("plan-tacker-helt", {}, ["Grann", "Itid"]),
        ("plan-tacker-inte", {}, ["Sen"]),
        ("tid-over", {}, ["Itid"]),
        ("tid-att-besluta", {}, ["Itid"]),
        ("uppfoljning-forsenad", {}, ["Saknas"]),
        ("kvalitetsvarningar", {}, ["Grann", "Sen"]),
        ("klagomal", {}, ["Grann", "Itid"]),
        ("klagomal-sena", {}, ["Itid"]),
        ("klagomal-obesvarade", {}, ["Itid"]),
        ("kontinuitet-over-malet", {}, ["Itid"]),
        ("beviljat-kvinnor", {}, ["Itid", "Sen"]),
        ("beviljat-man", {}, ["Grann", "Saknas"]),
    ],
)
def test_each_figure_lists_its_clients(world, seeded, figure, extra, names):
    response = _clients(world.login(world.manager), figur=figure, **extra)

    assert response.status_code == 200
    assert _names(response) == names


def test_the_pages_links_lead_to_the_clients_behind_each_row(world, seeded):
    http = world.login(world.manager)
    figures = _page(http).context["figures"]
    by_provider = {r.name: r for r in figures.plans.by["provider"]}
    by_officer = {r.name: r for r in figures.plans.by["officer"]}

    norr_with_plan = by_provider["Hemtjänst Norr AB"].links["with_plan"]
    trygg_missing = by_provider["Trygg Omsorg AB"].links["missing"]
    berit_orders = by_officer["Berit Bok"].links["orders"]
    warnings = figures.quality.links["with_warnings"]

    assert parse_qs(urlparse(norr_with_plan).query)["utforare"] == [str(world.other_provider.pk)]
    assert _names(http.get(norr_with_plan)) == ["Grann"]
    assert _names(http.get(trygg_missing)) == ["Saknas"]
    assert _names(http.get(berit_orders)) == ["Grann"]
    assert _names(http.get(warnings)) == ["Grann", "Sen"]
    # Each figure on the page is such a link.
    html = _page(http).content.decode()
    assert html.count("/brukare/?") >= 30
    assert f'href="{norr_with_plan.replace("&", "&amp;")}"' in html


def test_the_list_is_paginated_50_a_page(world, seeded, monkeypatch):
    monkeypatch.setattr(dashboard, "PER_PAGE", 2)
    http = world.login(world.manager)

    first = _clients(http, figur="verkstallda")
    second = _clients(http, figur="verkstallda", sida=2)

    assert _names(first) == ["Grann", "Itid"]
    assert _names(second) == ["Saknas", "Sen"]
    assert first.context["page"].paginator.count == 4


def test_the_client_list_is_logged_naming_the_clients_shown(world, seeded):
    http = world.login(world.manager)
    before = AccessLog.objects.count()

    _page(http)
    assert AccessLog.objects.count() == before  # figures only: no client shown

    _clients(http, figur="plan-saknas")
    entry = AccessLog.objects.latest("id")
    assert AccessLog.objects.count() == before + 1
    assert (entry.user, entry.action) == (world.manager, AccessAction.LIST)
    assert entry.client_ids == [seeded["Saknas"].client_id]
    assert entry.what.startswith("Översikt: Planer som saknas")


# ---------------------------------------------------------------------------------------------
# Who sees it


@pytest.mark.parametrize(
    "role", ["contact_person", "officer", "fee_officer", "administrator", "other_officer"]
)
@pytest.mark.parametrize(
    "route", ["dashboard", "dashboard_pdf", "dashboard_clients", "dashboard_granted"]
)
def test_the_other_roles_get_a_404(world, seeded, role, route):
    # A contact person sees no dashboard of the unit (nor of her provider).
    kwargs = {"figure": "verkstallda"} if route == "dashboard_clients" else None

    response = world.login(getattr(world, role)).get(
        reverse(route, kwargs=kwargs) + "?" + urlencode(PERIOD)
    )

    assert response.status_code == 404


def test_signed_out_it_leads_to_the_sign_in(world):
    response = HttpClient().get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("manager", {"utforare": "far_provider"}),  # another municipality's provider
        ("manager", {"handlaggare": "other_officer"}),  # another unit's officer
        ("other_manager", {"utforare": "provider"}),  # not a provider of her unit's clients
        ("other_manager", {"handlaggare": "second"}),
        ("coordinator", {"utforare": "other_provider"}),  # another provider
        ("coordinator", {"handlaggare": "second"}),  # ordered only from another provider
        ("other_coordinator", {"utforare": "provider"}),
        ("manager", {"utforare": "nonsense"}),
        ("manager", {"figur": "okand"}),
    ],
)
def test_another_organisations_provider_or_officer_is_a_404(world, seeded, role, query):
    objects = {
        "far_provider": seeded["far_provider"].pk,
        "other_officer": world.other_officer.pk,
        "provider": world.provider.pk,
        "other_provider": world.other_provider.pk,
        "officer": world.officer.pk,
        "second": seeded["second"].pk,
        "nonsense": "x1",
        "okand": "okand",
    }
    ids = {name: objects[value] for name, value in query.items()}

    response = _clients(world.login(getattr(world, role)), **{"figur": "verkstallda", **ids})

    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=getattr(world, role)).exists()


def test_the_providers_coordinator_has_no_review_list(world, seeded):
    response = _clients(world.login(world.coordinator), figur="uppfoljning-forsenad")

    assert response.status_code == 404


def test_the_coordinators_lists_hold_her_providers_clients_only(world, seeded):
    http = world.login(world.coordinator)

    assert _names(_clients(http, figur="verkstallda")) == ["Itid", "Saknas", "Sen"]
    assert _names(_clients(http, figur="klagomal")) == ["Itid"]
    # The officer of her orders is a valid filter.
    assert _names(_clients(http, figur="verkstallda", handlaggare=world.officer.pk)) == [
        "Itid",
        "Saknas",
        "Sen",
    ]


@pytest.mark.parametrize(
    ("role", "in_menu", "on_start"),
    [
        ("manager", True, True),
        ("coordinator", True, False),
        ("officer", False, False),
        ("contact_person", False, False),
        ("fee_officer", False, False),
        ("administrator", False, False),
    ],
)
def test_the_menu_and_the_start_page_lead_to_it(world, role, in_menu, on_start):
    user = getattr(world, role)

    assert ("dashboard" in [item.name for item in navigation_for(user)]) is in_menu
    page = world.login(user).get(reverse("start")).content.decode()
    assert (f'href="{reverse("dashboard")}"' in page) is in_menu
    assert ("Gå till översikten" in page) is on_start


# ---------------------------------------------------------------------------------------------
# The chart and the PDF


def test_the_chart_is_svg_with_a_text_alternative_and_no_inline_style(world, seeded):
    response = _page(world.login(world.manager))
    html = response.content.decode()

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-label="Beställd och utförd tid per månad' in svg
    assert "<title>" in svg
    assert "style=" not in svg and "<script" not in svg.lower()
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    # The same figures as a table.
    assert "<caption>Beställd och utförd tid per månad</caption>" in html
    month_label = dashboard_views._month_label(LAST_MONTH)
    assert month_label in svg and f'<th scope="row">{month_label}</th>' in html
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp


def test_the_chart_function_draws_ordered_and_performed():
    svg = charts.hours_by_month_svg(
        [charts.HoursRow("jan 2026", 10, 12), charts.HoursRow("feb 2026", 20, 18)],
        title="Timmar",
    )

    assert svg.startswith("<svg") and 'aria-label="Timmar"' in svg
    assert svg.count("<path") == 2  # one line each
    assert 'stroke-dasharray="8 4"' in svg  # performed differs in more than colour
    assert charts.hours_by_month_svg([]) == ""
    assert "<circle" in charts.hours_by_month_svg([charts.HoursRow("jan 2026", 1, 2)])


def test_the_pdf_has_the_figures_and_the_same_chart(world, seeded, monkeypatch):
    rendered = {}
    real = dashboard_views.render_pdf

    def keep(template, context):
        rendered["html"] = render_to_string(template, context)
        return real(template, context)

    monkeypatch.setattr(dashboard_views, "render_pdf", keep)

    response = world.login(world.manager).get(reverse("dashboard_pdf") + "?" + urlencode(PERIOD))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = rendered["html"]
    assert "<svg" in html and 'role="img"' in html
    assert "Beviljad tid för kvinnor och män per insatskategori" in html  # in the PDF at once
    # WeasyPrint drew the chart: the performed line's dash pattern is in a page's drawing.
    drawn = [
        page.get_contents().get_data().decode("latin-1")
        for page in PdfReader(io.BytesIO(response.content)).pages
    ]
    assert any(re.search(r"\[\s*8\s+4\s*\]", content) for content in drawn)
    assert "3 av 4 har plan, 2 av 3 i tid, 2 av 3 täcker beställningen helt" in html


# ---------------------------------------------------------------------------------------------
# A fixed number of queries


def _more(world, seeded) -> None:
    """Four more orders across both providers and both officers, with plans, months and a
    complaint: more of every kind of row."""
    for index, provider in enumerate([world.provider, world.other_provider] * 2):
        order = executed(world, f"Fler{index}", executed_on=START, provider=provider)
        if index % 2:
            plan_for(world, order, ready_on=START + 20 * DAY, review="approved")
            Order.objects.filter(pk=order.pk).update(ordered_by=seeded["second"])
        time_result(order, ordered=60, performed=30, status=TimeStatus.UNDER, explained=True)
        open_review(world, client=order.client, order=order, due_on=TODAY - DAY)
        complaint(world, order, received_on=TODAY - 2 * DAY, by=world.officer)


# The manager's page: the session, the user and her roles (3), then the dashboard: plans, time,
# reviews, quality (one grouping-sets query each), complaints (total and per provider), staff
# continuity (total, per provider, per officer). The granted hours come in a request of their own.
MANAGER_PAGE_QUERIES = 3 + 6 + 3
# The coordinator's: no reviews, and her menu counts the plan check's notices.
COORDINATOR_PAGE_QUERIES = 3 + 5 + 3 + 1
# The granted hours, loaded by htmx: the session, the user, her roles, and three queries
# (total, per category, per officer).
GRANTED_QUERIES = 3 + 3
# The list behind a figure: the session, the user, her roles, the provider's check, the count,
# the page and the access log's row.
CLIENT_LIST_QUERIES = 7


def test_the_dashboard_reads_the_same_queries_for_few_and_for_more_orders(
    world, seeded, django_assert_num_queries
):
    http = world.login(world.manager)
    provider = {"figur": "verkstallda", "utforare": world.provider.pk}
    _page(http)  # warm the caches the first request fills (the content types, the site)

    with django_assert_num_queries(MANAGER_PAGE_QUERIES):
        _page(http)
    with django_assert_num_queries(CLIENT_LIST_QUERIES):
        _clients(http, **provider)
    with django_assert_num_queries(GRANTED_QUERIES):
        _granted(http, HTTP_HX_REQUEST="true")

    _more(world, seeded)

    with django_assert_num_queries(MANAGER_PAGE_QUERIES):
        response = _page(http)
    assert response.context["figures"].plans.total.totals.orders == 8
    assert response.context["figures"].reviews.total == 5
    with django_assert_num_queries(CLIENT_LIST_QUERIES):
        assert len(_names(_clients(http, **provider))) == 5
    with django_assert_num_queries(GRANTED_QUERIES):
        granted = _granted(http, HTTP_HX_REQUEST="true").context["granted"]
    assert granted.total.female.clients + granted.total.male.clients == 8


def test_the_coordinators_page_reads_the_same_queries_too(world, seeded, django_assert_num_queries):
    http = world.login(world.coordinator)
    _page(http)

    with django_assert_num_queries(COORDINATOR_PAGE_QUERIES):
        _page(http)

    _more(world, seeded)

    with django_assert_num_queries(COORDINATOR_PAGE_QUERIES):
        response = _page(http)
    assert response.context["figures"].plans.total.totals.orders == 5


def test_the_text_of_the_page_names_the_figures(world, seeded):
    html = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", _page(world.login(world.manager)).content.decode())
    )

    assert "3 av 4 har plan, 2 av 3 i tid, 2 av 3 täcker beställningen helt" in html
    assert "Median från start till klar plan: 10 dagar" in html
    assert "1 individuppföljning är försenad i dag" in html
