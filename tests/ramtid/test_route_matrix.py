"""The route matrix (issue 10): every URL pattern and API route, as every role, with another
organisation's object, is a 404, and no page lists another organisation's client.

- Routes that name an object (tests/ramtid/route_world.py OBJECT_ARGS: in the URL, or in the
  query or body where a route takes it there) are requested with an object of another
  organisation: a unit's and a provider's staff get the other unit's and provider's of their own
  municipality (`near`) and another municipality's (`far`), the municipality's roles and the
  integration accounts' keys another municipality's. The answer is a 404: never a 200, a 403
  (which would confirm the object exists) or a 500; a Django view that takes only POST answers a
  GET with 405 and is asked again with POST. The admin answers an object it does not have with a
  redirect to its index (Django's way), or a 404.
- Routes without an object (LIST_ROUTES) are requested as every role and must not name another
  organisation's client (name or personal number) or anything of another municipality.
- Signed out, every route leads to the sign-in (or is a 401/403 in the API), except the few
  public ones.

A route in neither table fails `test_every_route_has_an_access_rule`: a new route must say how it
is reached before it ships. The world is built once for the module; each role is one test that
walks every route and reports every failure at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.http import urlencode

from ramtid.models import User
from ramtid.worklists import worklists
from tests.factories import api_token, token_api
from tests.ramtid.route_world import (
    OBJECT_ARGS,
    Args,
    Route,
    Side,
    World,
    all_routes,
    attribute_of,
    built_once,
)
from tests.spreadsheets import xlsx_values
from uppfoljning.dashboard import FIGURES as dashboard_figures


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker) as world:
        yield world


@pytest.fixture
def matrix(built, db) -> World:
    return built


@pytest.fixture
def token_client() -> Callable[[User], HttpClient]:
    """An API client that signs in with a new key of `user`, an integration account, scoped to
    the organisation of its role. It may write, so that what answers a write to another
    organisation's object is the object's access rule, not the key's scope."""

    def signed_in(user: User) -> HttpClient:
        role = user.memberships.get()
        _token, key = api_token(
            user=user, provider=role.provider, unit=role.ordering_unit, can_write=True
        )
        return token_api(key)

    return signed_in


# ---------------------------------------------------------------------------------------------
# Routes without an object, with the arguments that are not an object (a worklist's key …)

_NO_ARGS: dict = {}
LIST_ROUTES: dict[str, Callable[[], list[dict]]] = {
    name: (lambda: [_NO_ARGS])
    for name in (
        "start",
        "login",
        "logout",
        "password_change",
        "session_status",
        "client_list",
        "client_list_csv",
        "client_list_xlsx",
        "client_create",
        "visit_imports",
        "visit_imports_csv",
        "visit_imports_xlsx",
        "visit_import_new",
        "time_results",
        "time_results_csv",
        "time_results_xlsx",
        "over_time",
        "over_time_csv",
        "over_time_xlsx",
        "notice_list",
        "notice_list_csv",
        "notice_list_xlsx",
        "review_list",
        "review_list_csv",
        "review_list_xlsx",
        "continuity",
        "continuity_csv",
        "continuity_xlsx",
        "complaints",
        "complaints_csv",
        "complaints_xlsx",
        "complaint_api-list",
        "liaison_list",
        "log_review",
        "log_review_export",
        "log_review_export_xlsx",
        "log_review_samples",
        "plan_report",
        "plan_report_pdf",
        "plan_report_csv",
        "plan_report_xlsx",
        "plan_report_api",
        "dashboard",
        "dashboard_pdf",
        "dashboard_granted",
        "healthz",
        "favicon.ico",
        "api-root",
        "client-list",
        "intervention-type-list",
        "decision-list",
        "order-list",
        "plan-list",
        "time_result_api-list",
        "api_visits",
        "api_visit_imports",
        "api_docs",
        "admin:index",
        "admin:login",
        "admin:logout",
        "admin:password_change",
        "admin:password_change_done",
        "admin:jsi18n",
        "admin:autocomplete",
    )
}
LIST_ROUTES["worklist"] = lambda: [{"key": item.key} for item in worklists()]
# Every worklist's files (issue 11; a list without columns has none: 404).
LIST_ROUTES["worklist_csv"] = LIST_ROUTES["worklist_xlsx"] = LIST_ROUTES["worklist"]
# The managers' dashboard: the clients behind each of its figures (issue 11).
LIST_ROUTES["dashboard_clients"] = lambda: [{"figure": key} for key in dashboard_figures]
LIST_ROUTES["dashboard_clients_csv"] = LIST_ROUTES["dashboard_clients"]
LIST_ROUTES["dashboard_clients_xlsx"] = LIST_ROUTES["dashboard_clients"]
LIST_ROUTES["admin:app_list"] = lambda: [{"app_label": label} for label in ("ramtid", "axes")]
LIST_ROUTES["admin/(?P<url>.*)$"] = lambda: [_NO_ARGS]
for _model in (
    "ramtid_municipality",
    "ramtid_orderingunit",
    "ramtid_provider",
    "ramtid_user",
    "ramtid_interventiontype",
    "ramtid_lifearea",
    "ramtid_apitoken",
    "auth_group",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
):
    for _view in ("add", "changelist"):
        LIST_ROUTES[f"admin:{_model}_{_view}"] = lambda: [_NO_ARGS]

# Routes not walked, and why.
NOT_WALKED = {
    "api_schema": (
        "the OpenAPI schema describes the API, not its data (and takes seconds to build); "
        "signed out it is refused, test_signed_out_every_route_leads_to_the_sign_in"
    ),
    # Objects of no organisation: shared by every municipality, or the operator's alone.
    "admin:ramtid_lifearea_change": "the ICF life areas are everyone's reference data",
    "admin:ramtid_lifearea_delete": "the ICF life areas are everyone's reference data",
    "admin:ramtid_lifearea_history": "the ICF life areas are everyone's reference data",
}
for _model in ("auth_group", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"):
    for _view in ("change", "delete", "history"):
        NOT_WALKED[f"admin:{_model}_{_view}"] = (
            "the operator's own (superuser only): groups are unused, sign-in attempts global"
        )


def _admin_redirect(name: str) -> bool:
    """A model's unnamed "admin/<app>/<model>/<id>/": a redirect to its change page (walked)."""
    return name.startswith("admin/") and name.endswith("/<path:object_id>/")


def test_every_route_has_an_access_rule():
    routes = set(all_routes())
    known = OBJECT_ARGS.keys() | LIST_ROUTES.keys() | NOT_WALKED.keys()
    missing = sorted(name for name in routes - known if not _admin_redirect(name))
    assert missing == [], (
        "Routes with no access rule in the matrix: add each to OBJECT_ARGS (route_world.py: how "
        f"to name another organisation's object) or LIST_ROUTES: {missing}"
    )
    assert sorted(known - routes) == [], "No such routes any more"


# ---------------------------------------------------------------------------------------------
# Requests


# Routes without a name, by their pattern.
UNNAMED = {"favicon.ico": "/favicon.ico", "admin/(?P<url>.*)$": "/admin/finns-inte/"}


def _url(name: str, kwargs: dict, query: dict | None = None) -> str:
    url = UNNAMED[name] if name in UNNAMED else reverse(name, kwargs=kwargs or None)
    return url + ("?" + urlencode(query) if query else "")


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):  # a zip: its cells, not its bytes
        return "\n".join(str(value) for value in xlsx_values(content) if value is not None)
    return content.decode(errors="replace")


def _leaks(body: str, words: list[str]) -> list[str]:
    return [word for word in words if word in body]


def _send(http: HttpClient, method: str, url: str, data: dict | None, api: bool):
    if method == "get":
        return http.get(url)
    if api:
        return getattr(http, method)(
            url, data=json.dumps(data or {}), content_type="application/json"
        )
    return getattr(http, method)(url, data or {})


def _methods(route: Route, args: Args) -> list[str]:
    if args.method:
        return [args.method]
    if route.admin:
        return ["get"]
    return route.drf_methods or ["get"]


def _words_foreign_to(world: World, sides: list[Side]) -> list[str]:
    words = [word for side in sides for word in side.forbidden()]
    if world.far in sides:
        words.append(world.far_word)
    return words


def _walk_objects(http: HttpClient, world: World, side: Side, *, api_only: bool) -> list[str]:
    """Every route that names an object, with `side`'s: what did not answer 404."""
    routes = all_routes()
    words = _words_foreign_to(world, [side])
    failures = []
    for name, args in OBJECT_ARGS.items():
        route = routes[name]
        if (api_only and not route.api) or (args.municipal and side is not world.far):
            continue
        url = _url(name, args.kwargs(side), args.query(side) if args.query else None)
        data = args.data(side) if args.data else None
        answered_404 = False
        for method in _methods(route, args):
            response = _send(http, method, url, data, route.api)
            if response.status_code == 405 and method == "get" and route.drf_methods is None:
                method = "post"  # a Django view that takes only POST
                response = _send(http, method, url, data, route.api)
            status = response.status_code
            if route.admin and status == 403:
                # The admin refuses some views whatever the object (a municipality is never
                # deleted): the same answer as for an object that does not exist says nothing.
                missing = _url(name, {**args.kwargs(side), "object_id": "0"})
                if http.get(missing).status_code == 403:
                    status = 404
            allowed = {302, 404} if route.admin else {404}
            if status not in allowed:
                failures.append(f"{method.upper()} {url} ({name}): {status}")
            answered_404 |= status == 404 or route.admin
            leaked = _leaks(_body(response), words)
            if leaked:
                failures.append(f"{method.upper()} {url} ({name}) shows {leaked}")
        if not answered_404:
            failures.append(f"{url} ({name}): no 404")
    return failures


def _walk_lists(http: HttpClient, world: World, sides: list[Side], *, api_only: bool) -> list[str]:
    """Every route without an object: what failed, or named another organisation's client."""
    routes = all_routes()
    words = _words_foreign_to(world, sides)
    failures = []
    for name, variants in LIST_ROUTES.items():
        route = routes[name]
        if api_only and not route.api:
            continue
        for kwargs in variants():
            url = _url(name, kwargs)
            response = http.get(url)
            if response.status_code >= 500:
                failures.append(f"GET {url} ({name}): {response.status_code}")
            leaked = _leaks(_body(response), words)
            if leaked:
                failures.append(f"GET {url} ({name}) shows {leaked}")
    return failures


# ---------------------------------------------------------------------------------------------
# The matrix

# A unit's and a provider's staff: another unit and provider of their municipality, and another
# municipality. The municipality's roles see across its units and providers (the fee officer's
# over-time list, the administrator's imports, the log reviewer's log), so theirs is another
# municipality's. The keys belong to the home provider's and the home unit's systems.
UNIT_AND_PROVIDER_STAFF = [
    "home.officer",
    "home.manager",
    "home.coordinator",
    "home.contact_person",
]
MUNICIPALITY_ROLES = ["fee_officer", "administrator", "security_officer"]
SYSTEMS = ["provider_system", "unit_system"]

OBJECT_CASES = [
    *(pytest.param(who, side, id=f"{who}-{side}") for who in UNIT_AND_PROVIDER_STAFF
      for side in ("near", "far")),
    *(pytest.param(who, "far", id=f"{who}-far") for who in MUNICIPALITY_ROLES),
    *(pytest.param(who, side, id=f"{who}-key-{side}") for who in SYSTEMS
      for side in ("near", "far")),
]  # fmt: skip


def _signed_in(world: World, token_client, who: str) -> HttpClient:
    user = attribute_of(world, who)
    return token_client(user) if who in SYSTEMS else world.login(user)


@pytest.mark.parametrize(("who", "side"), OBJECT_CASES)
def test_another_organisations_object_is_a_404(matrix, token_client, who, side):
    http = _signed_in(matrix, token_client, who)

    failures = _walk_objects(http, matrix, getattr(matrix, side), api_only=who in SYSTEMS)

    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("who", [*UNIT_AND_PROVIDER_STAFF, *MUNICIPALITY_ROLES, *SYSTEMS])
def test_no_list_names_another_organisations_client(matrix, token_client, who):
    http = _signed_in(matrix, token_client, who)
    sides = [matrix.far] if who in MUNICIPALITY_ROLES else [matrix.near, matrix.far]

    failures = _walk_lists(http, matrix, sides, api_only=who in SYSTEMS)

    assert failures == [], "\n".join(failures)


# Signed out, only these answer with a page of their own: the sign-in, signing out, the health
# check, the icon, and the session's seconds left (0).
PUBLIC = {
    "login",
    "admin:login",
    "logout",
    "admin:logout",
    "healthz",
    "favicon.ico",
    "session_status",
}


def test_signed_out_every_route_leads_to_the_sign_in(matrix):
    http = HttpClient()
    routes = all_routes()
    words = matrix.home.forbidden()
    failures = []
    cases = [(name, args.kwargs(matrix.home)) for name, args in OBJECT_ARGS.items()]
    cases += [(name, kwargs) for name, variants in LIST_ROUTES.items() for kwargs in variants()]
    cases += [("api_schema", {})]
    for name, kwargs in cases:
        route = routes[name]
        url = _url(name, kwargs)
        response = http.get(url)
        if response.status_code == 405:
            response = http.post(url)
        status = response.status_code
        if route.api:
            ok = status in (401, 403) or (name in PUBLIC and status == 200)
        elif name in PUBLIC:
            ok = status < 500
        else:
            login = reverse("admin:login") if route.admin else reverse("login")
            ok = status in (301, 302) and response["Location"].startswith((login, "/static/"))
        if not ok:
            failures.append(f"{url} ({name}): {status} {response.get('Location', '')}")
        leaked = _leaks(_body(response), words)
        if leaked:
            failures.append(f"{url} ({name}) shows {leaked}")
    assert failures == [], "\n".join(failures)
