"""Every route that shows a client's data writes one access-log row per request (issue 10).

The walk enumerates every URL pattern of the project (pages, API and admin, all apps) and
classifies each: READS says, for a route that shows clients' data, who may open it, what it is
called with and whose data it shows; NOT_READS says why a route shows none. A route in neither
fails `test_every_route_is_classified`, so a new page cannot ship without saying whether it is a
logged read.

Each read is opened once as a user entitled to it, in a demo-like world (tests/ramtid/
route_world.py), and must write exactly one AccessLog row: the user, the action (view, list,
export, api), the channel (a browser session, or an API token for the integration accounts), the
roles the user read in, and exactly the clients the response names (read from the body where it
can be read: HTML, JSON, CSV, the XLSX's strings; a PDF is checked against the table).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode
from rest_framework.test import APIClient

from ramtid import permissions
from ramtid.audit import ACTED_AS_LENGTH, log_access
from ramtid.choices import AccessAction, AccessChannel, Role
from ramtid.models import AccessLog, ApiToken, Membership, User
from ramtid.worklists import worklists
from tests.factories import OrderingUnitFactory, UserFactory, api_token, member, token_api
from tests.ramtid.route_world import (
    OBJECT_ARGS,
    TODAY,
    World,
    all_routes,
    attribute_of,
    built_once,
)
from tests.spreadsheets import xlsx_values

# ---------------------------------------------------------------------------------------------
# The world, built once for the module


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker) as world:
        yield world


@pytest.fixture
def walk(built, db) -> World:
    return built


@pytest.fixture
def token_client() -> Callable[[User], tuple[APIClient, ApiToken]]:
    """An API client that signs in with a new key of `user`, an integration account, scoped to
    the organisation of its role; and the key's row."""

    def signed_in(user: User) -> tuple[APIClient, ApiToken]:
        role = user.memberships.get()
        token, key = api_token(user=user, provider=role.provider, unit=role.ordering_unit)
        return token_api(key), token

    return signed_in


# ---------------------------------------------------------------------------------------------
# The table


def _home(*attributes: str) -> Callable[[World], set[int]]:
    """The clients of the home side named by these attributes."""
    return lambda w: {getattr(w.home, attribute).pk for attribute in attributes}


@dataclass(frozen=True)
class Read:
    """Who opens the route (a path into World: "home.officer", "fee_officer"), with which
    arguments (the route's OBJECT_ARGS for the home side unless given), as what action, and
    whose data it shows: the clients `shows` names, or for a list (shows=None) the clients its
    body names, at least one."""

    who: str
    action: AccessAction = AccessAction.VIEW
    shows: Callable[[World], set[int]] | None = None
    kwargs: dict | None = None
    query: dict | None = None
    token: bool = False


VIEW, LIST, EXPORT, API = (
    AccessAction.VIEW,
    AccessAction.LIST,
    AccessAction.EXPORT,
    AccessAction.API,
)
CLIENT = _home("client")
LIAISON_PERIOD = {
    "fran": f"{TODAY - datetime.timedelta(days=120):%Y-%m-%d}",
    "till": f"{TODAY:%Y-%m-%d}",
}
OFFICER, MANAGER = "home.officer", "home.manager"
COORDINATOR, CONTACT = "home.coordinator", "home.contact_person"

READS: dict[str, tuple[Read, ...]] = {
    # The core
    "start": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    # One list here; every worklist is walked by test_every_worklist_logs_what_it_shows.
    "worklist": (Read(MANAGER, LIST, kwargs={"key": "beslut-att-godkanna"}),),
    # Its files, as one list's here; every worklist's by tests/ramtid/test_list_exports.py.
    "worklist_csv": (Read(MANAGER, EXPORT, kwargs={"key": "beslut-att-godkanna"}),),
    "worklist_xlsx": (Read(OFFICER, EXPORT, kwargs={"key": "saknade-planer"}),),
    "client_list": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "client_list_csv": (Read(OFFICER, EXPORT), Read(COORDINATOR, EXPORT)),
    "client_list_xlsx": (Read(OFFICER, EXPORT),),
    "client_detail": (Read(OFFICER, shows=CLIENT), Read(CONTACT, shows=CLIENT)),
    "client_edit": (Read(OFFICER, shows=CLIENT),),
    "relative_add": (Read(OFFICER, shows=CLIENT),),
    "client_export": (Read(OFFICER, EXPORT, shows=CLIENT),),
    "client_access_log": (Read(MANAGER, shows=CLIENT),),
    # Decisions, orders, change of need
    "decision_create": (Read(OFFICER, shows=CLIENT),),
    "decision_detail": (Read(OFFICER, shows=CLIENT), Read(MANAGER, shows=CLIENT)),
    "decision_review": (Read(MANAGER, shows=_home("client2")),),
    "decision_edit": (Read(OFFICER, shows=_home("client2")),),
    "decision_withdraw": (Read(OFFICER, shows=CLIENT),),
    "order_create": (Read(OFFICER, shows=CLIENT),),
    "order_detail": (Read(OFFICER, shows=CLIENT), Read(COORDINATOR, shows=CLIENT)),
    "order_edit": (Read(OFFICER, shows=_home("client2")),),
    "order_delete": (Read(OFFICER, shows=_home("client2")),),
    "order_change": (Read(OFFICER, shows=CLIENT),),
    "order_end": (Read(OFFICER, shows=CLIENT),),
    "order_pdf": (Read(COORDINATOR, EXPORT, shows=CLIENT),),
    "need_change_create": (Read(COORDINATOR, shows=CLIENT),),
    "need_change_detail": (Read(OFFICER, shows=CLIENT), Read(COORDINATOR, shows=CLIENT)),
    # Plans
    "contact_assign": (Read(COORDINATOR, shows=CLIENT),),
    "plan_detail": (Read(OFFICER, shows=CLIENT), Read(CONTACT, shows=CLIENT)),
    "plan_edit": (Read(CONTACT, shows=_home("client3")),),
    "plan_complete": (Read(CONTACT, shows=_home("client3")),),
    "plan_version": (Read(OFFICER, shows=CLIENT),),
    "plan_compare": (Read(OFFICER, shows=CLIENT),),
    "plan_review": (Read(OFFICER, shows=CLIENT),),
    "plan_follow_up": (Read(CONTACT, shows=CLIENT),),
    "plan_pdf": (Read(CONTACT, EXPORT, shows=CLIENT),),
    # The plan report: the executed orders of the last twelve months, the first and the third
    # client's.
    "plan_report": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "plan_report_pdf": (Read(OFFICER, EXPORT, shows=_home("client", "client3")),),
    "plan_report_csv": (Read(OFFICER, EXPORT, shows=_home("client", "client3")),),
    "plan_report_xlsx": (Read(COORDINATOR, EXPORT, shows=_home("client", "client3")),),
    "plan_report_api": (
        Read("provider_system", API, shows=_home("client", "client3"), token=True),
    ),
    # Follow-up
    "client_visits": (Read(OFFICER, shows=CLIENT),),
    "time_results": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "time_results_csv": (Read(OFFICER, EXPORT), Read(COORDINATOR, EXPORT)),
    "time_results_xlsx": (Read(COORDINATOR, EXPORT),),
    "time_result": (Read(COORDINATOR, shows=CLIENT), Read(OFFICER, shows=CLIENT)),
    "over_time": (Read("fee_officer", LIST),),
    # The fee officer's list is the municipality's: the other unit's month over is on it too.
    "over_time_csv": (
        Read("fee_officer", EXPORT, shows=lambda w: {w.home.client.pk, w.near.client.pk}),
    ),
    "over_time_xlsx": (
        Read("fee_officer", EXPORT, shows=lambda w: {w.home.client.pk, w.near.client.pk}),
    ),
    "notice_list": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "notice_list_csv": (Read(OFFICER, EXPORT),),
    "notice_list_xlsx": (Read(COORDINATOR, EXPORT),),
    "review_list": (Read(OFFICER, LIST),),
    "review_list_csv": (Read(OFFICER, EXPORT),),
    "review_list_xlsx": (Read(OFFICER, EXPORT),),
    "review_detail": (Read(OFFICER, shows=CLIENT), Read(MANAGER, shows=CLIENT)),
    "continuity": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "continuity_csv": (Read(OFFICER, EXPORT),),
    "continuity_xlsx": (Read(COORDINATOR, EXPORT),),
    "complaints": (Read(OFFICER, LIST), Read(COORDINATOR, LIST)),
    "complaints_csv": (Read(OFFICER, EXPORT),),
    "complaints_xlsx": (Read(COORDINATOR, EXPORT),),
    "complaint_detail": (Read(OFFICER, shows=CLIENT), Read(COORDINATOR, shows=CLIENT)),
    "complaint_create": (Read(OFFICER, shows=CLIENT), Read(CONTACT, shows=CLIENT)),
    # The liaison pack's examples: the first client's late plan, month over and open complaint,
    # the third client's missing plan.
    "liaison_pack": (
        Read(OFFICER, LIST, query=LIAISON_PERIOD),
        Read(COORDINATOR, LIST, query=LIAISON_PERIOD),
    ),
    "liaison_pack_pdf": (
        Read(MANAGER, EXPORT, shows=_home("client", "client3"), query=LIAISON_PERIOD),
    ),
    # The managers' dashboard: the clients behind a figure (the executed orders of the last
    # twelve months).
    "dashboard_clients": (
        Read(MANAGER, LIST, kwargs={"figure": "verkstallda"}),
        Read(COORDINATOR, LIST, kwargs={"figure": "verkstallda"}),
    ),
    "dashboard_clients_csv": (Read(MANAGER, EXPORT, kwargs={"figure": "verkstallda"}),),
    "dashboard_clients_xlsx": (Read(COORDINATOR, EXPORT, kwargs={"figure": "verkstallda"}),),
    # The log review names the clients of the entries it shows: reading the log is logged too.
    "log_review": (Read("security_officer", LIST), Read(MANAGER, LIST)),
    "log_review_export": (Read("security_officer", EXPORT),),
    "log_review_export_xlsx": (Read("security_officer", EXPORT),),
    "log_review_sample": (Read("security_officer", LIST, shows=CLIENT),),
    # The API: integration accounts sign in with a key; a person's browser session is logged
    # as such.
    "client-list": (Read("provider_system", API, token=True),),
    "client-detail": (
        Read("provider_system", API, shows=CLIENT, token=True),
        Read(OFFICER, API, shows=CLIENT),
    ),
    "decision-list": (Read("unit_system", API, token=True),),
    "decision-detail": (Read("unit_system", API, shows=CLIENT, token=True),),
    "order-list": (Read("provider_system", API, token=True),),
    "order-detail": (Read("provider_system", API, shows=CLIENT, token=True),),
    "plan-list": (Read("provider_system", API, token=True),),
    "plan-detail": (Read("provider_system", API, shows=CLIENT, token=True),),
    "time_result_api-list": (Read("provider_system", API, token=True),),
    "time_result_api-detail": (Read("provider_system", API, shows=CLIENT, token=True),),
    "complaint_api-list": (Read("provider_system", API, token=True),),
    "complaint_api-detail": (Read("unit_system", API, shows=CLIENT, token=True),),
}

# Routes that show no client's data, and why.
_WRITE = "a write (POST only) that answers with a redirect"
_WRITE_RERENDER = (
    "a write (POST only); a refused one shows the page again through the same function as the "
    "page's read, which logs it"
)
_API_WRITE = (
    "an API write; what it answers with is logged by the viewset's log_read, like its reads"
)
_ECHO = "an htmx fragment (POST only) computed from what the officer is typing; saves nothing"
_IMPORTS = (
    "a visit import's counts and error reasons, which never repeat a cell or a personal number "
    "(uppfoljning.imports)"
)
NOT_READS: dict[str, str] = {
    "login": "the sign-in page",
    "logout": "signs out",
    "password_change": "the user's own password",
    "session_status": "the session's remaining time",
    "membership_decide": "approves a role (POST only): users and roles, no client",
    "client_create": "an empty form for a new client",
    "relative_remove": _WRITE,
    "order_time_basis": _ECHO,
    "order_add_intervention": "an empty intervention row (htmx, POST only)",
    "order_send": _WRITE_RERENDER,
    "order_receive": _WRITE,
    "order_execute": _WRITE,
    "need_change_answer": _WRITE_RERENDER,
    "plan_start": _WRITE,
    "plan_autosave": (
        "a write (htmx, POST only): saves what the contact person typed and answers with a "
        "status line and the check against the order, no name"
    ),
    "plan_add_item": "an empty intervention card (htmx, POST only)",
    "visit_imports": _IMPORTS,
    "visit_imports_csv": _IMPORTS,
    "visit_imports_xlsx": _IMPORTS,
    "visit_import_new": "the upload form",
    "visit_import_detail": _IMPORTS,
    "visit_import_progress": _IMPORTS,
    "visit_import_errors_csv": _IMPORTS,
    "visit_import_errors_xlsx": _IMPORTS,
    "time_result_explain": _WRITE_RERENDER,
    "time_result_decide": _WRITE_RERENDER,
    "complaint_answer": _WRITE_RERENDER,
    "complaint_close": _WRITE_RERENDER,
    "healthz": "the database's and the broker's status",
    "favicon.ico": "a redirect to the icon",
    "api-root": "the API's index of links",
    "intervention-type-list": "the municipality's intervention catalogue",
    "intervention-type-detail": "the municipality's intervention catalogue",
    "order-assign-contact": _API_WRITE,
    "order-execute": _API_WRITE,
    "order-receive": _API_WRITE,
    "order-report-need-change": "an API write that answers with the report, which names no client",
    "plan-complete": _API_WRITE,
    "plan-follow-up": "an API write that answers with the follow-up, which names no client",
    "plan-review": _API_WRITE,
    "time_result_api-decide": _API_WRITE,
    "time_result_api-explain": _API_WRITE,
    "complaint_api-answer": _API_WRITE,
    "complaint_api-close": _API_WRITE,
    "api_visits": "an API write of visits; answers with counts or row errors",
    "api_visit_imports": _IMPORTS,
    "api_schema": "the OpenAPI schema",
    "api_docs": "the API's documentation page",
    "log_review_samples": "the log review's samples: periods, sizes, who drew them, conclusions",
    "liaison_list": "the user's units and providers: client counts and meeting dates, no client",
    "dashboard": "the managers' dashboard: figures per provider and officer, no client",
    "dashboard_pdf": "the dashboard as a PDF: the same figures, no client",
    "dashboard_granted": "the dashboard's granted hours of women and men: figures, no client",
    "liaison_meeting_create": "the form to record a liaison meeting: dates and texts, no client",
    "liaison_meeting": "a recorded liaison meeting: its day, participants and notes, no client",
    "liaison_meeting_amend": (
        "a write (POST only) to a meeting's notes; a refused one shows the meeting's page again, "
        "which names no client"
    ),
}

# The Django admin holds configuration only (ramtid/admin.py): these models and its own pages.
# A model registered in the admin that is not here fails the walk until it is judged.
ADMIN_MODELS_WITHOUT_CLIENT_DATA = {
    "auth_group": "Django's groups (unused: roles are memberships)",
    "ramtid_apitoken": "API keys: a name, a prefix, scope and dates",
    "axes_accessattempt": "failed sign-ins: username and address",
    "axes_accessfailurelog": "failed sign-ins: username and address",
    "axes_accesslog": "sign-ins: username and address",
    "ramtid_interventiontype": "the intervention catalogue",
    "ramtid_lifearea": "the ICF life areas",
    "ramtid_municipality": "the municipality's rules",
    "ramtid_orderingunit": "ordering units",
    "ramtid_provider": "providers",
    "ramtid_user": "users and their roles",
}
ADMIN_MODEL_VIEWS = ("add", "change", "changelist", "delete", "history")
ADMIN_SITE_PAGES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:app_list",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:auth_user_password_change",
    "admin/(?P<url>.*)$",
}


def admin_route_without_client_data(name: str) -> bool:
    if name in ADMIN_SITE_PAGES:
        return True
    if name.startswith("admin:"):
        model, _sep, view = name.removeprefix("admin:").rpartition("_")
        return model in ADMIN_MODELS_WITHOUT_CLIENT_DATA and view in ADMIN_MODEL_VIEWS
    # A model's unnamed "admin/<app>/<model>/<id>/", which redirects to its change page.
    match = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", name)
    return match is not None and "_".join(match.groups()) in ADMIN_MODELS_WITHOUT_CLIENT_DATA


# ---------------------------------------------------------------------------------------------
# The tests


def test_every_route_is_classified():
    routes = set(all_routes())
    unclassified = sorted(
        name
        for name in routes - READS.keys() - NOT_READS.keys()
        if not admin_route_without_client_data(name)
    )
    assert unclassified == [], (
        "Routes neither in READS (it shows client data: how to open it, whose data) nor in "
        f"NOT_READS (why it shows none): {unclassified}"
    )
    stale = sorted((READS.keys() | NOT_READS.keys()) - routes)
    assert stale == [], f"No such routes any more: {stale}"


def _named_in(world: World, body: str) -> set[int]:
    return {client.pk for client in world.clients() if client.last_name in body}


def _text_of(response) -> str | None:
    """The response as text to look for names in; None for a PDF."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return None
    if "spreadsheetml" in kind:
        # Every cell, wherever openpyxl keeps its text (inline or shared strings).
        return "\n".join(str(value) for value in xlsx_values(content) if value is not None)
    return content.decode()


EXPECTED_ROLES = {
    OFFICER: "Biståndshandläggare, Hemenheten",
    MANAGER: "Enhetschef, Hemenheten",
    COORDINATOR: "Samordnare hos utförare, Hemomsorg AB",
    CONTACT: "Kontaktman, Hemomsorg AB",
    "fee_officer": "Avgiftshandläggare, Järfälla",
    "security_officer": "Loggkontrollant, Järfälla",
    "provider_system": "Samordnare hos utförare, Hemomsorg AB",
    "unit_system": "Biståndshandläggare, Hemenheten",
}

CASES = [
    pytest.param(name, read, id=f"{name}-{read.who}-{index}")
    for name, reads in READS.items()
    for index, read in enumerate(reads)
]


@pytest.mark.parametrize(("name", "read"), CASES)
def test_a_read_writes_one_access_entry(walk, token_client, name, read):
    user = attribute_of(walk, read.who)
    kwargs = read.kwargs
    if kwargs is None:
        kwargs = OBJECT_ARGS[name].kwargs(walk.home) if name in OBJECT_ARGS else {}
    url = reverse(name, kwargs=kwargs or None)
    if read.query:
        url += "?" + urlencode(read.query)
    roles = EXPECTED_ROLES[read.who]
    if read.token:
        http, token = token_client(user)
        roles += f"; API-nyckel {token.name} ({token.prefix}…)"
    else:
        http = walk.login(user)
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = http.get(url)

    assert response.status_code == 200, (url, response.status_code)
    text = _text_of(response)
    entries = list(AccessLog.objects.filter(id__gt=last))
    assert len(entries) == 1, f"{url} wrote {len(entries)} access-log rows"
    entry = entries[0]
    shown = set(entry.client_ids)
    if read.shows is not None:
        assert shown == read.shows(walk)
    else:
        assert shown, f"{url} listed nobody: the world should give it rows"
    if text is not None:
        assert _named_in(walk, text) == shown, "the clients named and those logged differ"
    assert (entry.user, entry.action) == (user, read.action)
    assert entry.channel == (AccessChannel.TOKEN if read.token else AccessChannel.SESSION)
    assert entry.acted_as == roles


# ---------------------------------------------------------------------------------------------
# The roles read in (AccessLog.acted_as)


def test_the_entry_names_every_approved_role_and_its_organisation(walk):
    officer = walk.home.officer
    member(officer, Role.UNIT_MANAGER, unit=walk.home.unit)
    Membership.objects.create(  # granted in the admin, not yet approved: it counts for nothing
        user=officer,
        role=Role.CASE_OFFICER,
        municipality=walk.near.municipality,
        ordering_unit=walk.near.unit,
        approved_at=None,
    )

    walk.login(officer).get(reverse("client_detail", args=[walk.home.client.pk]))

    entry = AccessLog.objects.latest("id")
    assert entry.acted_as == "Biståndshandläggare, Hemenheten; Enhetschef, Hemenheten"


def test_a_superuser_is_named_as_such(walk):
    superuser = UserFactory(is_superuser=True, is_staff=True)

    log_access(user=superuser, clients=[walk.home.client], action=VIEW, what="Brukarsidan")

    assert AccessLog.objects.latest("id").acted_as == "Superanvändare"


def test_many_roles_are_cut_to_the_column(walk):
    # A fresh object: the world's users keep the roles they have read.
    officer = User.objects.get(pk=walk.home.officer.pk)
    for number in range(30):
        member(
            officer,
            Role.CASE_OFFICER,
            unit=OrderingUnitFactory(municipality=walk.home.municipality, name=f"Enhet {number}"),
        )

    log_access(user=officer, clients=[walk.home.client], action=VIEW, what="Brukarsidan")

    acted_as = AccessLog.objects.latest("id").acted_as
    assert len(acted_as) == ACTED_AS_LENGTH
    assert acted_as.startswith("Biståndshandläggare, Enhet 0; ")
    assert acted_as.endswith("…")


def test_the_roles_cost_no_query_of_their_own(walk):
    officer = User.objects.get(pk=walk.home.officer.pk)
    permissions.memberships(officer)  # as every page's selector has, before it logs

    with CaptureQueriesContext(connection) as queries:
        log_access(user=officer, clients=[walk.home.client], action=VIEW, what="Brukarsidan")

    assert [query["sql"].split()[0] for query in queries] == ["INSERT"]
    assert AccessLog.objects.latest("id").acted_as == "Biståndshandläggare, Hemenheten"


def test_the_access_log_page_shows_the_role_read_in(walk):
    walk.login(walk.home.coordinator).get(reverse("client_detail", args=[walk.home.client.pk]))

    response = walk.login(walk.home.manager).get(
        reverse("client_access_log", args=[walk.home.client.pk])
    )

    html = response.content.decode()
    assert '<th scope="col">I roll</th>' in html
    assert "<td>Samordnare hos utförare, Hemomsorg AB</td>" in html
    assert "<td>Enhetschef, Hemenheten</td>" in html  # her own reading of the log, the newest


def test_every_worklist_logs_what_it_shows(walk):
    """Each worklist's page, as the first of the home side's people it is for: one row naming
    the clients it names, or none when it names nobody (a role to approve names no client)."""
    people = [OFFICER, MANAGER, COORDINATOR, CONTACT, "fee_officer", "security_officer"]
    shown_somewhere = set()
    for item in worklists():
        who = next(who for who in people if item.applies_to(attribute_of(walk, who)))
        last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

        response = walk.login(attribute_of(walk, who)).get(reverse("worklist", args=[item.key]))

        assert response.status_code == 200, item.key
        named = _named_in(walk, response.content.decode())
        entries = list(AccessLog.objects.filter(id__gt=last))
        assert [set(entry.client_ids) for entry in entries] == ([named] if named else []), item.key
        assert all(entry.action == LIST for entry in entries)
        shown_somewhere |= named
    assert shown_somewhere  # the world gives the lists rows


# A write refused shows the page again with its errors: that page is a read like any other.
REFUSED_WRITES = [
    pytest.param("order_edit", OFFICER, "draft", "client2", id="order_edit"),
    pytest.param("order_send", OFFICER, "draft", "client2", id="order_send"),
    pytest.param("decision_edit", OFFICER, "correctable_decision", "client2", id="decision_edit"),
    pytest.param("need_change_answer", OFFICER, "report", "client", id="need_change_answer"),
    pytest.param("plan_edit", CONTACT, "draft_plan", "client3", id="plan_edit"),
    pytest.param("time_result_explain", COORDINATOR, "time_result", "client", id="explain"),
    pytest.param("complaint_answer", COORDINATOR, "complaint", "client", id="complaint_answer"),
]


@pytest.mark.parametrize(("name", "who", "target", "shown"), REFUSED_WRITES)
def test_a_refused_write_shown_again_writes_one_access_entry(walk, name, who, target, shown):
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    url = reverse(name, args=[getattr(walk.home, target).pk])

    response = walk.login(attribute_of(walk, who)).post(url, {})

    assert response.status_code == 200
    entries = list(AccessLog.objects.filter(id__gt=last))
    assert [entry.client_ids for entry in entries] == [[getattr(walk.home, shown).pk]]
    assert entries[0].action == VIEW
