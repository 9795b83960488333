"""The accessibility audit (issue 11): axe-core in a real browser on every main page, as each role
sees it, with realistic content: lists with rows, forms with an error shown, objects in several
states. A "serious" or "critical" violation fails (the UI must meet WCAG 2.1 AA); every one found
on a role's pages is reported at once, with its targets.

The pages come from the URL conf: `test_every_page_is_audited_or_excluded` fails for a page route
(not the API, the admin or a download) that is neither in AUDIT nor in EXCLUDED with a reason.
Adding a page is one line in AUDIT: `Audit("url_name")`. A route that names an object takes the
home side's object from tests/ramtid/route_world.py OBJECT_ARGS (where the route matrix needs it
anyway); `kwargs`/`query` override that.

The world is route_world's (three sides, a case in every state) with a few more states; it is
built for each role's test, as the live server needs it committed and a live-server test ends by
emptying the database. One browser for the module; each role walks its pages in one test.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from bestallning import services as order_services
from genomforandeplan import services as plan_services
from ramtid.worklists import worklists
from tests.bestallning.conftest import catalogue, make_decision, make_order
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.factories import ClientFactory
from tests.genomforandeplan.conftest import complete
from tests.ramtid.route_world import (
    LAST_MONTH,
    OBJECT_ARGS,
    START,
    TODAY,
    World,
    _executed,
    all_routes,
    attribute_of,
    build_world,
)
from uppfoljning import monthly
from uppfoljning.choices import TimeStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAILING_IMPACTS = {"serious", "critical"}


# ---------------------------------------------------------------------------------------------
# What is audited


@dataclass(frozen=True)
class Audit:
    """A page to audit: its URL name, and how to show it.

    - `kwargs` (from the world) names the object; by default the home side's object of the
      route (route_world.OBJECT_ARGS), or nothing.
    - `query` (from the world) is the query string.
    - `submit`: the accessible name of a button to press, with the browser's own validation off,
      so that the page shows the server's errors (a form with an error shown).
    - `fill`: label → text to type before pressing it (optional).
    - `status`: the answer expected.
    - `idle`: wait until the network is idle (parts of the page loaded by htmx).
    """

    name: str
    kwargs: Callable[[World], dict] | None = None
    query: Callable[[World], dict] | None = None
    submit: str | None = None
    fill: tuple[tuple[str, str], ...] = ()
    status: int = 200
    note: str = ""
    # The page loads parts of itself by htmx after the load (the dashboard): wait for them.
    idle: bool = False

    def url(self, world: World) -> str:
        if self.kwargs is not None:
            kwargs = self.kwargs(world)
        elif self.name in OBJECT_ARGS:
            kwargs = OBJECT_ARGS[self.name].kwargs(world.home)
        else:
            kwargs = {}
        query = self.query(world) if self.query else None
        if query is None and self.name in OBJECT_ARGS and OBJECT_ARGS[self.name].query:
            query = OBJECT_ARGS[self.name].query(world.home)
        url = reverse(self.name, kwargs=kwargs or None)
        return url + ("?" + urlencode(query) if query else "")

    @property
    def label(self) -> str:
        extra = f" [{self.note}]" if self.note else ""
        return f"{self.name}{' (submitted)' if self.submit else ''}{extra}"


def _home(path: str) -> Callable[[World], dict]:
    """kwargs {"pk": <the home side's object at `path`>}."""
    return lambda world: {"pk": attribute_of(world.home, path).pk}


# Each role's pages (the key is the user in the world, "anonymous" for nobody signed in). Each
# role's worklist pages (/arbetslista/<key>/) are added to its walk from RAMTID_WORKLISTS.
AUDIT: dict[str, list[Audit]] = {
    "anonymous": [
        Audit("login"),
        Audit("login", submit="Logga in", fill=(("Användarnamn", "ingen"), ("Lösenord", "fel"))),
    ],
    "home.officer": [
        Audit("start"),
        Audit("client_list"),
        Audit("client_list", query=lambda w: {"q": "Hemsson"}, note="a search"),
        Audit("client_create", submit="Spara"),
        Audit("client_detail"),
        Audit("client_edit"),
        Audit("relative_add", submit="Spara"),
        Audit("client_visits"),
        Audit("client_access_log", status=403, note="the unit manager's: the 403 page"),
        Audit(
            "decision_create",
            kwargs=lambda w: {"client_pk": w.home.client3.pk},
            submit="Registrera beslutet",
        ),
        Audit("decision_detail"),
        Audit("decision_detail", kwargs=_home("pending_decision"), note="at the manager"),
        Audit("decision_edit"),
        Audit("decision_withdraw"),
        Audit("order_create", kwargs=lambda w: {"decision_pk": w.home.correctable_decision.pk}),
        Audit("order_edit"),
        Audit(
            "order_edit",
            submit="Spara utkast",
            fill=(("Antal besök per dag", "-1"),),
            note="an invalid number",
        ),
        Audit("order_detail"),
        Audit("order_detail", kwargs=_home("sent_order"), note="sent, not received"),
        Audit("order_change"),
        Audit("order_end"),
        Audit("order_delete"),
        Audit("need_change_detail"),
        Audit("plan_detail"),
        Audit("plan_review"),
        Audit("plan_review", submit="Spara beslut", note="a return without a comment"),
        Audit("plan_version"),
        Audit("plan_compare"),
        Audit("plan_report"),
        Audit("time_results"),
        Audit("time_result", kwargs=_home("explained_result"), note="the officer's decision"),
        Audit(
            "time_result",
            kwargs=_home("explained_result"),
            submit="Avslå förklaringen",
            note="a rejection without a reason",
        ),
        Audit("review_list"),
        Audit("review_detail"),
        Audit("continuity"),
        Audit("notice_list"),
        Audit("complaints"),
        Audit(
            "complaint_create",
            kwargs=lambda w: {"client_pk": w.home.client.pk},
            submit="Registrera klagomålet",
        ),
        Audit("complaint_detail"),
        Audit("password_change"),
        Audit("api_docs"),
    ],
    "home.manager": [
        Audit("start"),
        Audit("decision_review"),
        Audit("client_access_log"),
        Audit("dashboard", idle=True),
        Audit("dashboard_granted", note="its part of the dashboard, as a page"),
        Audit("dashboard_clients", kwargs=lambda w: {"figure": "verkstallda"}),
        Audit("liaison_list"),
        Audit("liaison_pack"),
        Audit("liaison_meeting_create", submit="Registrera mötet"),
        Audit("liaison_meeting"),
        Audit("plan_report"),
        Audit("review_list"),
    ],
    "home.coordinator": [
        Audit("start"),
        Audit("client_list"),
        Audit("order_detail", kwargs=_home("sent_order"), note="to receive"),
        Audit("order_detail"),
        Audit("contact_assign"),
        Audit("need_change_create", submit="Skicka till handläggaren"),
        Audit("plan_follow_up"),
        Audit("time_results"),
        Audit("time_result", note="to explain"),
        Audit("time_result", submit="Skicka förklaringen", note="an explanation left empty"),
        Audit("visit_imports"),
        Audit("visit_import_new", submit="Läs in filen"),
        Audit("visit_import_detail"),
        Audit("complaints"),
        Audit("complaint_detail", note="to answer"),
        Audit("complaint_detail", submit="Registrera svaret", note="an empty answer"),
        Audit("notice_list"),
        Audit("continuity"),
        Audit("dashboard", idle=True, note="the provider's own"),
        Audit("liaison_list"),
        Audit("liaison_pack"),
    ],
    "home.contact_person": [
        Audit("start"),
        Audit("plan_edit"),
        Audit("plan_edit", kwargs=_home("returned_plan"), note="returned by the officer"),
        Audit(
            "plan_edit",
            submit="Spara",
            fill=(("Planerade besök per dag", "-3"),),
            note="a number out of range",
        ),
        Audit("plan_complete"),
        Audit("plan_detail"),
        Audit("notice_list"),
    ],
    "fee_officer": [
        Audit("start"),
        Audit("over_time"),
    ],
    "administrator": [
        Audit("start"),
        Audit("visit_imports"),
    ],
    "security_officer": [
        Audit("start"),
        Audit("log_review"),
        Audit("log_review", query=lambda w: {}, note="the search form alone"),
        Audit("log_review_samples"),
        Audit("log_review_sample"),
    ],
}

# Errors: a page that does not exist, signed in and signed out.
ERROR_PAGES = {"home.officer": ["/finns-inte/"], "anonymous": ["/finns-inte/"]}

# Page routes not audited, and why.
EXCLUDED = {
    "logout": "POST only: signs out and redirects",
    "session_status": "JSON for the session timer (static/ramtid/session.js), not a page",
    "membership_decide": "POST only: the start page's approve/refuse buttons (audited there)",
    "relative_remove": "POST only: a button on the client's page (audited there)",
    "order_time_basis": "POST only: an htmx fragment of the order form (audited in order_edit)",
    "order_add_intervention": "POST only: an htmx fragment of the order form (order_edit)",
    "order_send": "POST only: the order form's send button (order_edit)",
    "order_receive": "POST only: a button on the order page (audited for the coordinator)",
    "order_execute": "POST only: a form on the order page (audited for the coordinator)",
    "need_change_answer": "POST only: the officer's form on the report's page (need_change_detail)",
    "plan_start": "POST only: a button on the order page",
    "plan_autosave": "POST only: the plan form's htmx autosave (audited in plan_edit)",
    "plan_add_item": "POST only: an htmx fragment of the plan form (plan_edit)",
    "time_result_explain": "POST only: the explanation form on time_result (audited, with errors)",
    "time_result_decide": "POST only: the decision form on time_result (audited, with errors)",
    "complaint_answer": "POST only: the answer form on complaint_detail (audited)",
    "complaint_close": "POST only: a button on complaint_detail (audited)",
    "visit_import_progress": "an htmx fragment polled by visit_import_detail (audited)",
    "liaison_meeting_amend": "POST only: the amend form on liaison_meeting (audited)",
    "healthz": "the health check's plain text",
    "favicon.ico": "an image",
}


def _is_download(name: str, pattern: str) -> bool:
    """Files, not pages: PDFs, CSV and XLSX exports, the client's register extract."""
    return bool(
        re.search(r"\.(pdf|csv|xlsx)$", pattern)
        or re.search(r"(_pdf|_csv|_xlsx|_export|_exports?_\w+)$", name)
        or name == "client_export"
    )


def page_routes() -> dict[str, str]:
    """Every route that could be a page: not the API (api_docs, its page, is), not the admin,
    not a download."""
    return {
        name: route.pattern
        for name, route in all_routes().items()
        if (not route.api or name == "api_docs")
        and not route.admin
        and not _is_download(name, route.pattern)
    }


def test_every_page_is_audited_or_excluded():
    routes = page_routes()
    audited = {audit.name for audits in AUDIT.values() for audit in audits} | {"worklist"}
    missing = sorted(set(routes) - audited - EXCLUDED.keys())
    assert missing == [], (
        "Pages neither audited nor excluded: add each to AUDIT (tests/browser/test_axe_audit.py, "
        f"one line: Audit('<url name>') under the role that sees it) or to EXCLUDED: {missing}"
    )
    gone = sorted((audited | EXCLUDED.keys()) - set(routes))
    assert gone == [], f"No such page routes any more: {gone}"
    both = sorted(audited & EXCLUDED.keys())
    assert both == [], f"Both audited and excluded: {both}"


# ---------------------------------------------------------------------------------------------
# The world: route_world's, with the states it lacks for the pages above


def audit_world() -> World:
    world = build_world()
    home = world.home
    # A fourth client: an order sent and not yet received (the provider's new orders, the
    # officer's orders waiting for the provider).
    client4 = ClientFactory(
        ordering_unit=home.unit,
        responsible_officer=home.officer,
        first_name="Greta",
        last_name="Hemsson4",
    )
    home.clients.append(client4)
    decision = make_decision(home, client=client4, valid_from=START, decided_on=START)
    home.sent_order = order_services.order_send(
        order=make_order(home, decision=decision, valid_from=START), by=home.officer
    )
    # A fifth client: a plan the officer has returned with a comment (the provider's returned
    # plans, the returned plan's page).
    client5 = ClientFactory(
        ordering_unit=home.unit,
        responsible_officer=home.officer,
        first_name="Greta",
        last_name="Hemsson5",
    )
    home.clients.append(client5)
    returned = plan_services.plan_start(
        order=_executed(home, client5, catalogue(home.municipality)), by=home.coordinator
    )
    complete(home, returned)
    plan_services.plan_review(
        plan=returned, by=home.officer, approve=False, comment="Skriv hur brukaren deltog."
    )
    home.returned_plan = returned
    # The third client's month over the ordered time, explained by the provider: the officer's
    # to decide.
    order3 = home.draft_plan.order
    result = monthly.MonthlyTimeResult.objects.create(
        order=order3,
        month=LAST_MONTH,
        client=home.client3,
        provider=home.provider,
        ordering_unit=home.unit,
        days_in_force=28,
        ordered_minutes=600,
        performed_minutes=900,
        deviation_minutes=300,
        deviation_percent=300 * 100 / 600,
        status=TimeStatus.OVER,
        billing_deadline=TODAY + datetime.timedelta(days=20),
        checked_at=home.time_result.checked_at,
    )
    category = monthly.MonthlyTimeResult._meta.get_field("explanation_category").choices[0][0]
    home.explained_result = monthly.explain_month(
        result=result,
        by=home.coordinator,
        category=category,
        text="Brukaren var sjuk och behövde mer hjälp.",
    )
    return world


# ---------------------------------------------------------------------------------------------
# The walk


def violations(page) -> list[str]:
    """axe's serious and critical violations on the page, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append(
                f"  {violation['impact']} {violation['id']} ({violation['help']}): "
                f"{node['target']} {node['html'][:160]}\n"
                f"      {node.get('failureSummary', '').replace(chr(10), ' ')[:300]}"
            )
    return found


def show(page, world: World, audit: Audit) -> str:
    """Open the page (and press its button): what did not go as expected, or ''."""
    url = audit.url(world)
    response = page.goto(url)
    if audit.idle:
        page.wait_for_load_state("networkidle")
    if audit.submit is None:
        return "" if response.status == audit.status else f"{url}: {response.status}"
    if response.status != 200:
        return f"{url}: {response.status}"
    for label, text in audit.fill:
        page.get_by_label(re.compile("^" + re.escape(label))).fill(text)  # "(frivilligt)" …
    page.evaluate("() => document.querySelectorAll('form').forEach(f => { f.noValidate = true })")
    button = page.get_by_role("button", name=audit.submit, exact=True)
    if button.count() != 1:
        return f"{url}: {button.count()} buttons {audit.submit!r}"
    with page.expect_navigation():
        button.click()
    if page.locator(".error-summary").count() == 0:
        return f"{url}: {audit.submit!r} showed no error summary"
    return ""


def walk(page, live_server, world: World, user, audits: list[Audit], errors=()) -> list[str]:
    """Every page in `audits` as `user` (None: signed out): what failed, as lines."""
    if user is not None:
        log_in_with_a_cookie(page, live_server, user)
    report = []
    for audit in audits:
        problem = show(page, world, audit)
        if problem:
            report.append(f"{audit.label}: {problem}")
            continue
        found = violations(page)
        if found:
            report.append(f"{audit.label} {page.url}:")
            report.extend(found)
    for url in errors:
        response = page.goto(url)
        if response.status != 404:
            report.append(f"{url}: {response.status}, not 404")
        found = violations(page)
        if found:
            report.append(f"404 {url}:")
            report.extend(found)
    return report


def worklist_audits(world: World, who: str) -> list[Audit]:
    if who == "anonymous":
        return []
    user = attribute_of(world, who)
    return [
        Audit("worklist", kwargs=lambda w, key=item.key: {"key": key}, note=item.key)
        for item in worklists()
        if item.applies_to(user)
    ]


@pytest.mark.parametrize("who", list(AUDIT))
def test_every_page_of_the_role_passes_axe(page, live_server, who):
    world = audit_world()
    user = None if who == "anonymous" else attribute_of(world, who)
    audits = [*AUDIT[who], *worklist_audits(world, who)]

    report = walk(page, live_server, world, user, audits, ERROR_PAGES.get(who, []))

    assert report == [], "axe found serious or critical violations:\n" + "\n".join(report)


# A phone, or a page zoomed to 400 % (WCAG 1.4.10, reflow: 320 CSS pixels wide): the pages with
# the widest tables and forms, where a table scrolls sideways in its own box.
NARROW = {"width": 320, "height": 640}
NARROW_AUDIT = {
    "home.officer": [
        Audit("start"),
        Audit("client_list"),
        Audit("client_detail"),
        Audit("order_edit"),
        Audit("plan_review"),
        Audit("review_detail"),
        Audit("time_results"),
        Audit("complaints"),
    ],
    "home.manager": [Audit("dashboard", idle=True), Audit("liaison_pack")],
    "home.contact_person": [Audit("plan_edit")],
}


def test_the_main_pages_pass_axe_on_a_narrow_screen(page, live_server):
    world = audit_world()
    page.set_viewport_size(NARROW)
    report = []
    for who, audits in NARROW_AUDIT.items():
        report += walk(page, live_server, world, attribute_of(world, who), audits)

    assert report == [], "axe found serious or critical violations:\n" + "\n".join(report)
