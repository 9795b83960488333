"""A small demo-like world for the tests that walk every route (test_access_log_walk.py,
test_route_matrix.py): the URL patterns of the whole project, and for each route that names an
object in its URL how to name that object of one organisation.

The world has three sides built alike, each a unit, a provider, their staff and a client with a
case in every state the pages need (a decision, one above the delegation, orders sent and drafted,
a change-of-need report, plans ready and drafted, a month's time result, an individual review, a
notice, a visit import):

- `home`, in Järfälla: whose pages the walk opens and whose users the matrix signs in as, with the
  municipality's fee officer, administrator and log reviewer and two integration accounts;
- `near`, another unit and another provider of the same municipality;
- `far`, a unit and a provider of another municipality.

Names say whose they are ("Hemsson", "Grannsson", everything of `far` starts with "Fjarr"), so a
page that shows another organisation's client is caught by its body. It is built once per test
module (`built_once`): the tests run in savepoints inside that module's transaction.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from bestallning import services as order_services
from bestallning.choices import NeedChangeDirection, NeedChangeDuration, NeedChangeReason
from bestallning.models import Decision, NeedChangeReport, Order
from genomforandeplan import services as plan_services
from genomforandeplan.models import ImplementationPlan
from ramtid.audit import log_access
from ramtid.choices import AccessAction, Role
from ramtid.models import (
    AccessLog,
    AccessLogReview,
    ApiToken,
    Client,
    ClientRelative,
    InterventionType,
    Membership,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)
from ramtid.personal_number import display
from tests.bestallning.conftest import catalogue, make_decision, make_order, row
from tests.conftest import FAST_PASSWORD_HASHERS
from tests.factories import (
    ClientFactory,
    ClientRelativeFactory,
    MunicipalityFactory,
    OrderingUnitFactory,
    ProviderFactory,
    UserFactory,
    api_token,
    member,
)
from tests.genomforandeplan.conftest import complete
from uppfoljning.choices import (
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
    ImportChannel,
    ImportStatus,
    LiaisonMeetingKind,
    NoticeKind,
    ReviewReason,
    TimeStatus,
    VisitStatus,
)
from uppfoljning.complaints import register_complaint
from uppfoljning.liaison import record_liaison_meeting
from uppfoljning.models import (
    Complaint,
    IndividualReview,
    LiaisonMeeting,
    MonthlyTimeResult,
    Notice,
    PerformedVisit,
    VisitImport,
    VisitImportError,
)
from uppfoljning.partitions import ensure_month_partitions, first_of_month

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")

# ---------------------------------------------------------------------------------------------
# The routes


@dataclass(frozen=True)
class Route:
    """One URL pattern: `name` (admin routes as "admin:<name>", an unnamed one by its pattern),
    the pattern as written, and its view."""

    name: str
    pattern: str
    callback: Callable

    @property
    def api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def admin(self) -> bool:
        return self.name.startswith("admin:") or self.pattern.startswith("admin/")

    @property
    def drf_methods(self) -> list[str] | None:
        """The methods a DRF view answers (a router's action map, or an APIView's handlers);
        None for a Django view, whose methods only a request tells."""
        methods = ("get", "post", "put", "patch", "delete")  # DRF adds head to a get
        actions = getattr(self.callback, "actions", None)
        if actions:
            return [method for method in methods if method in actions]
        view_class = getattr(self.callback, "cls", None)
        if view_class is None:
            return None
        return [method for method in methods if hasattr(view_class, method)]


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                pattern.namespace or namespace,
            )
        elif isinstance(pattern, URLPattern):
            text = prefix + str(pattern.pattern)
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                name = text
            yield Route(name, text, pattern.callback)


def all_routes() -> dict[str, Route]:
    """Every route of the project by name (DRF's format-suffix twins share their route's name
    and view: the first pattern stands for them)."""
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.name, route)
    return routes


# ---------------------------------------------------------------------------------------------
# The world


@dataclass
class Side:
    """One unit and one provider with their staff and a client's case in every state."""

    tag: str
    municipality: Municipality
    unit: OrderingUnit
    provider: Provider
    officer: User
    manager: User
    coordinator: User
    contact_person: User
    # Filled in by _build_case. `client` (with `relative`) has the executed order with everything
    # around it; `client2` a decision to correct with a draft order and one above the delegation;
    # `client3` an executed order whose plan is a draft.
    client: Client = None
    relative: ClientRelative = None
    decision: Decision = None
    order: Order = None
    report: NeedChangeReport = None
    plan: ImplementationPlan = None
    client2: Client = None
    correctable_decision: Decision = None
    pending_decision: Decision = None
    draft: Order = None
    client3: Client = None
    draft_plan: ImplementationPlan = None
    time_result: MonthlyTimeResult = None
    review: IndividualReview = None
    notice: Notice = None
    visit_import: VisitImport = None
    pending_membership: Membership = None
    # A read in the access log and the log review's sample drawn of it.
    log_sample: AccessLogReview = None
    # The provider's system's API key.
    api_token: ApiToken = None
    # A relative's complaint about the provider's visits to the first client.
    complaint: Complaint = None
    # A liaison meeting of the unit with the provider (uppfoljning.liaison).
    liaison_meeting: LiaisonMeeting = None
    intervention_type: InterventionType = None
    clients: list[Client] = field(default_factory=list)

    def forbidden(self) -> list[str]:
        """What no page may show to someone this side is foreign to: its clients' names and
        personal numbers."""
        words = []
        for client in self.clients:
            words += [client.last_name, client.personal_number, display(client.personal_number)]
        return words


@dataclass
class World:
    home: Side
    near: Side
    far: Side
    fee_officer: User
    administrator: User
    security_officer: User
    # Integration accounts (is_integration_account): a provider's system and a unit's.
    provider_system: User
    unit_system: User
    # Everything of `far` starts with this: its municipality, unit, provider, staff, clients.
    far_word: str = "Fjarr"

    def login(self, user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http

    def clients(self) -> list[Client]:
        return [*self.home.clients, *self.near.clients, *self.far.clients]


TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=75)  # the orders are in force all of last month
LAST_MONTH = first_of_month(first_of_month(TODAY) - datetime.timedelta(days=1))


def _person(username: str, first: str, last: str, **fields) -> User:
    return UserFactory(username=username, first_name=first, last_name=last, **fields)


def _side(tag: str, word: str, municipality: Municipality, *, staff_word: str) -> Side:
    unit = OrderingUnitFactory(municipality=municipality, name=f"{word}enheten")
    provider = ProviderFactory(municipality=municipality, name=f"{word}omsorg AB")
    return Side(
        tag=tag,
        municipality=municipality,
        unit=unit,
        provider=provider,
        officer=member(
            _person(f"handlaggare-{tag}", staff_word, "Handläggare"), Role.CASE_OFFICER, unit=unit
        ),
        manager=member(_person(f"chef-{tag}", staff_word, "Chef"), Role.UNIT_MANAGER, unit=unit),
        coordinator=member(
            _person(f"samordnare-{tag}", staff_word, "Samordnare"),
            Role.PROVIDER_COORDINATOR,
            provider=provider,
        ),
        contact_person=member(
            _person(f"kontaktman-{tag}", staff_word, "Kontaktman"),
            Role.CONTACT_PERSON,
            provider=provider,
        ),
    )


def _client(side: Side, last_name: str) -> Client:
    client = ClientFactory(
        ordering_unit=side.unit,
        responsible_officer=side.officer,
        first_name="Greta",
        last_name=last_name,
    )
    side.clients.append(client)
    return client


def _executed(side: Side, client: Client, kinds) -> Order:
    decision = make_decision(
        side,
        client=client,
        valid_from=START,
        decided_on=START,
        granted_interventions=[kinds["Duschhjälp"]],
    )
    order = order_services.order_send(
        order=make_order(side, decision=decision, valid_from=START), by=side.officer
    )
    order = order_services.order_receive(order=order, by=side.coordinator)
    order = order_services.order_execute(order=order, by=side.coordinator, executed_on=START)
    plan_services.contact_assign(
        order=order, by=side.coordinator, contact_person=side.contact_person
    )
    return order


def _build_case(side: Side, surname: str) -> None:
    kinds = catalogue(side.municipality)
    side.intervention_type = kinds["Duschhjälp"]
    now = timezone.now()

    # The first client: an executed order, its report of changed needs, its ready plan, a month
    # over the ordered time, an individual review, a notice, and eleven staff in two weeks.
    side.client = _client(side, f"{surname}1")
    side.relative = ClientRelativeFactory(client=side.client, name=f"{surname[:-4]} Anhörig")
    side.order = _executed(side, side.client, kinds)
    side.decision = side.order.decision
    side.report = order_services.need_change_report(
        order=side.order,
        by=side.coordinator,
        direction=NeedChangeDirection.INCREASED,
        duration=NeedChangeDuration.LASTING,
        reason=NeedChangeReason.ILLNESS,
        description="Behöver mer hjälp på morgonen.",
    )
    plan = plan_services.plan_start(order=side.order, by=side.coordinator)
    complete(side, plan)
    side.plan = ImplementationPlan.objects.get(pk=plan.pk)
    side.time_result = MonthlyTimeResult.objects.create(
        order=side.order,
        month=LAST_MONTH,
        client=side.client,
        provider=side.provider,
        ordering_unit=side.unit,
        days_in_force=28,
        ordered_minutes=600,
        performed_minutes=900,
        deviation_minutes=300,
        deviation_percent=Decimal("50.0"),
        status=TimeStatus.OVER,
        billing_deadline=TODAY + datetime.timedelta(days=20),
        checked_at=now,
        # The eleven staff below as the check stores them: the provider's continuity flag.
        continuity_staff=side.municipality.continuity_goal + 1,
        continuity_window_end=LAST_MONTH
        + datetime.timedelta(days=side.municipality.continuity_goal),
    )
    side.review = IndividualReview.objects.create(
        key=f"walk:{side.tag}",
        client=side.client,
        order=side.order,
        ordering_unit=side.unit,
        reason=ReviewReason.YEARLY,
        due_on=TODAY + datetime.timedelta(days=30),
    )
    side.notice = Notice.objects.create(
        key=f"walk:{side.tag}",
        kind=NoticeKind.PLAN_FOLLOW_UP_DUE,
        order=side.order,
        plan=side.plan,
        client=side.client,
        provider=side.provider,
        ordering_unit=side.unit,
        due_on=TODAY - datetime.timedelta(days=1),
    )
    side.visit_import = VisitImport.objects.create(
        provider=side.provider,
        created_by=side.coordinator,
        channel=ImportChannel.FILE,
        file_name="besok.csv",
        status=ImportStatus.REJECTED,
        rows_total=1,
        rows_done=1,
        error_count=1,
        finished_at=now,
    )
    VisitImportError.objects.create(
        visit_import=side.visit_import, row=2, column="status", message="Status saknas."
    )
    ensure_month_partitions([first_of_month(START), LAST_MONTH])
    goal = side.municipality.continuity_goal
    PerformedVisit.objects.bulk_create(
        PerformedVisit(
            provider=side.provider,
            month=LAST_MONTH,
            external_id=f"{side.tag}-{n}",
            client=side.client,
            order=side.order,
            start=datetime.datetime.combine(
                LAST_MONTH + datetime.timedelta(days=n), datetime.time(8), tzinfo=STOCKHOLM
            ),
            end=datetime.datetime.combine(
                LAST_MONTH + datetime.timedelta(days=n), datetime.time(8, 30), tzinfo=STOCKHOLM
            ),
            minutes=30,
            staff=f"P{n}",
            status=VisitStatus.PERFORMED,
            visit_import=side.visit_import,
        )
        for n in range(goal + 1)
    )

    # The second client: a decision that can still be corrected, with a draft order, and a
    # decision above the delegation waiting for the unit manager.
    side.client2 = _client(side, f"{surname}2")
    side.correctable_decision = make_decision(
        side, client=side.client2, valid_from=START, decided_on=START
    )
    side.draft = make_order(
        side,
        decision=side.correctable_decision,
        valid_from=START,
        rows=[row(kinds["Städning 1 rok"])],
    )
    side.pending_decision = make_decision(
        side,
        client=side.client2,
        hours=side.municipality.delegation_hours + 20,
        valid_from=START,
        decided_on=START,
    )

    # The third client: an executed order whose plan has just been started.
    side.client3 = _client(side, f"{surname}3")
    order3 = _executed(side, side.client3, kinds)
    side.draft_plan = plan_services.plan_start(order=order3, by=side.coordinator)

    # The officer has read the client's page; the month's sample of the log is drawn.
    log_access(
        user=side.officer, clients=[side.client], action=AccessAction.VIEW, what="Brukarsidan"
    )
    side.log_sample = AccessLogReview.objects.create(
        municipality=side.municipality,
        period_start=TODAY - datetime.timedelta(days=7),
        period_end=TODAY,
        sample=list(
            AccessLog.objects.filter(client_ids__contains=[side.client.pk]).values_list(
                "pk", flat=True
            )
        ),
        drawn_by=side.manager,
    )

    side.complaint = register_complaint(
        client=side.client,
        by=side.officer,
        about=ComplaintAbout.PROVIDER,
        provider=side.provider,
        received_on=TODAY - datetime.timedelta(days=3),
        raised_by=ComplainantKind.RELATIVE,
        category=ComplaintCategory.TIMES,
        description="Besöken på morgonen kommer sent.",
    )
    side.liaison_meeting = record_liaison_meeting(
        unit=side.unit,
        provider=side.provider,
        by=side.officer,
        held_on=TODAY - datetime.timedelta(days=10),
        kind=LiaisonMeetingKind.PHONE,
        participants="Handläggaren och samordnaren",
        notes="Planerna och tiden gicks igenom.",
        period_start=TODAY - datetime.timedelta(days=130),
        period_end=TODAY - datetime.timedelta(days=10),
    )
    side.api_token, _key = api_token(provider=side.provider, name=f"{side.tag}-system")

    # A role granted in the admin, waiting for a unit manager's approval.
    side.pending_membership = Membership.objects.create(
        user=_person(f"ny-{side.tag}", "Ny", "Medarbetare"),
        role=Role.CASE_OFFICER,
        municipality=side.municipality,
        ordering_unit=side.unit,
        approved_at=None,
    )


def build_world() -> World:
    home_municipality = MunicipalityFactory(name="Järfälla", code="0123", delegation_hours=100)
    far_municipality = MunicipalityFactory(name="Fjarrkoping", code="0999", delegation_hours=100)
    home = _side("hem", "Hem", home_municipality, staff_word="Hem")
    near = _side("granne", "Granne", home_municipality, staff_word="Granne")
    far = _side("fjarr", "Fjarr", far_municipality, staff_word="Fjarr")
    for side, surname in ((home, "Hemsson"), (near, "Grannsson"), (far, "Fjarrsson")):
        _build_case(side, surname)
    municipality = home_municipality
    return World(
        home=home,
        near=near,
        far=far,
        fee_officer=member(
            _person("avgift", "Hem", "Avgiftshandläggare"),
            Role.FEE_OFFICER,
            municipality=municipality,
        ),
        administrator=member(
            _person("kommunadmin", "Hem", "Administratör", is_staff=True),
            Role.ADMINISTRATOR,
            municipality=municipality,
        ),
        security_officer=member(
            _person("loggkontroll", "Hem", "Loggkontrollant"),
            Role.SECURITY_OFFICER,
            municipality=municipality,
        ),
        provider_system=member(
            _person("system-utforare", "Hem", "Journalsystem", is_integration_account=True),
            Role.PROVIDER_COORDINATOR,
            provider=home.provider,
        ),
        unit_system=member(
            _person("system-enhet", "Hem", "Verksamhetssystem", is_integration_account=True),
            Role.CASE_OFFICER,
            unit=home.unit,
        ),
    )


@contextmanager
def built_once(django_db_blocker) -> Iterator[World]:
    """The world, built in a transaction that is rolled back after the module's last test (as
    tests/conftest.py's demo_loaded does): each test's `db` savepoint sits inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            world = build_world()
        with django_db_blocker.block():
            yield world
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------
# How each route names an object of a side


@dataclass(frozen=True)
class Args:
    """The URL arguments naming a side's object, and for a route that names it elsewhere the
    query string or the body."""

    kwargs: Callable[[Side], dict] = lambda side: {}
    query: Callable[[Side], dict] | None = None
    data: Callable[[Side], dict] | None = None
    # The object is the municipality's (its catalogue, its rules): another unit or provider of
    # the same municipality shares it, so only another municipality's is foreign.
    municipal: bool = False
    # The method that names the object, where the route's others do not (a list's GET).
    method: str | None = None


def _pk(attribute: str, key: str = "pk") -> Args:
    return Args(kwargs=lambda side: {key: getattr(side, attribute).pk})


def _admin(attribute: str) -> Args:
    return Args(kwargs=lambda side: {"object_id": str(attribute_of(side, attribute).pk)})


def attribute_of(side: Side, path: str):
    value = side
    for part in path.split("."):
        value = getattr(value, part)
    return value


OBJECT_ARGS: dict[str, Args] = {
    # The core's pages
    "membership_decide": _pk("pending_membership"),
    "client_detail": _pk("client"),
    "client_edit": _pk("client"),
    "relative_add": _pk("client"),
    "relative_remove": Args(lambda s: {"pk": s.client.pk, "relative_pk": s.relative.pk}),
    "client_export": _pk("client"),
    "client_access_log": _pk("client"),
    # Decisions, orders, change of need
    "decision_create": _pk("client", "client_pk"),
    "decision_detail": _pk("decision"),
    "decision_review": _pk("pending_decision"),
    "decision_edit": _pk("correctable_decision"),
    "decision_withdraw": _pk("decision"),
    "order_create": _pk("decision", "decision_pk"),
    "order_detail": _pk("order"),
    "order_edit": _pk("draft"),
    "order_time_basis": _pk("draft"),
    "order_add_intervention": _pk("draft"),
    "order_send": _pk("draft"),
    "order_delete": _pk("draft"),
    "order_change": _pk("order"),
    "order_end": _pk("order"),
    "order_receive": _pk("order"),
    "order_execute": _pk("order"),
    "order_pdf": _pk("order"),
    "need_change_create": _pk("order", "order_pk"),
    "need_change_detail": _pk("report"),
    "need_change_answer": _pk("report"),
    # Plans
    "contact_assign": _pk("order"),
    "plan_start": _pk("order"),
    "plan_detail": _pk("plan"),
    "plan_edit": _pk("draft_plan"),
    "plan_autosave": _pk("draft_plan"),
    "plan_add_item": _pk("draft_plan"),
    "plan_complete": _pk("draft_plan"),
    "plan_version": Args(lambda s: {"pk": s.plan.pk, "number": 1}),
    "plan_compare": _pk("plan"),
    "plan_review": _pk("plan"),
    "plan_follow_up": _pk("plan"),
    "plan_pdf": _pk("plan"),
    # Follow-up
    "visit_import_detail": _pk("visit_import"),
    "visit_import_progress": _pk("visit_import"),
    "visit_import_errors_csv": _pk("visit_import"),
    "visit_import_errors_xlsx": _pk("visit_import"),
    "client_visits": _pk("client"),
    "time_result": _pk("time_result"),
    "time_result_explain": _pk("time_result"),
    "time_result_decide": _pk("time_result"),
    "review_detail": _pk("review"),
    "complaint_create": _pk("client", "client_pk"),
    "complaint_detail": _pk("complaint"),
    "complaint_answer": _pk("complaint"),
    "complaint_close": _pk("complaint"),
    # Liaison meetings: a pair of the side's unit and provider, and a recorded meeting.
    **{
        name: Args(lambda s: {"unit_pk": s.unit.pk, "provider_pk": s.provider.pk})
        for name in ("liaison_pack", "liaison_pack_pdf", "liaison_meeting_create")
    },
    "liaison_meeting": _pk("liaison_meeting"),
    "liaison_meeting_amend": _pk("liaison_meeting"),
    # The log review: a sample, and a search by client (by id, in the query).
    "log_review_sample": _pk("log_sample"),
    "log_review": Args(query=lambda s: {"brukare": s.client.pk}, method="get"),
    "log_review_export": Args(query=lambda s: {"brukare": s.client.pk}, method="get"),
    # The plan report, filtered by a unit and a provider (by id, in the query).
    **{
        name: Args(query=lambda s: {"enhet": s.unit.pk, "utforare": s.provider.pk}, method="get")
        for name in ("plan_report", "plan_report_pdf", "plan_report_csv", "plan_report_xlsx")
    },
    "plan_report_api": Args(
        query=lambda s: {"ordering_unit": s.unit.pk, "provider": s.provider.pk}, method="get"
    ),
    # The API
    "client-detail": _pk("client"),
    "intervention-type-detail": Args(lambda s: {"pk": s.intervention_type.pk}, municipal=True),
    "decision-detail": _pk("decision"),
    "order-detail": _pk("order"),
    "order-assign-contact": Args(
        lambda s: {"pk": s.order.pk}, data=lambda s: {"contact_person": s.contact_person.pk}
    ),
    "order-execute": Args(
        lambda s: {"pk": s.order.pk}, data=lambda s: {"executed_on": f"{START:%Y-%m-%d}"}
    ),
    "order-receive": _pk("order"),
    "order-report-need-change": Args(
        lambda s: {"pk": s.order.pk},
        data=lambda s: {
            "direction": NeedChangeDirection.DECREASED,
            "duration": NeedChangeDuration.TEMPORARY,
            "reason": NeedChangeReason.OTHER,
            "description": "Mindre hjälp en tid.",
        },
    ),
    "plan-detail": _pk("plan"),
    "plan-complete": _pk("plan"),
    "plan-follow-up": _pk("plan"),
    "plan-review": _pk("plan"),
    "time_result_api-detail": _pk("time_result"),
    "time_result_api-decide": _pk("time_result"),
    "time_result_api-explain": _pk("time_result"),
    "complaint_api-detail": _pk("complaint"),
    "complaint_api-answer": Args(
        lambda s: {"pk": s.complaint.pk},
        data=lambda s: {"answer_text": "Vi ändrar schemat.", "answer_method": "phone"},
    ),
    "complaint_api-close": _pk("complaint"),
    # A list route that names a provider in its query, and one that names an order in its body.
    "api_visits": Args(query=lambda s: {"provider": s.provider.pk}),
    "plan-list": Args(data=lambda s: {"order": s.order.pk}, method="post"),
    "complaint_api-list": Args(
        data=lambda s: {
            "client": s.client.pk,
            "about": ComplaintAbout.PROVIDER,
            "provider": s.provider.pk,
            "raised_by": ComplainantKind.CLIENT,
            "category": ComplaintCategory.TREATMENT,
            "description": "Otrevligt bemötande.",
        },
        method="post",
    ),
    # The admin: configuration only, scoped to the administrator's municipalities.
    "admin:ramtid_municipality_change": _admin("municipality"),
    "admin:ramtid_municipality_delete": _admin("municipality"),
    "admin:ramtid_municipality_history": _admin("municipality"),
    "admin:ramtid_orderingunit_change": _admin("unit"),
    "admin:ramtid_orderingunit_delete": _admin("unit"),
    "admin:ramtid_orderingunit_history": _admin("unit"),
    "admin:ramtid_provider_change": _admin("provider"),
    "admin:ramtid_provider_delete": _admin("provider"),
    "admin:ramtid_provider_history": _admin("provider"),
    "admin:ramtid_user_change": _admin("officer"),
    "admin:ramtid_user_delete": _admin("officer"),
    "admin:ramtid_user_history": _admin("officer"),
    "admin:auth_user_password_change": Args(lambda s: {"id": str(s.officer.pk)}),
    "admin:ramtid_interventiontype_change": _admin("intervention_type"),
    "admin:ramtid_interventiontype_delete": _admin("intervention_type"),
    "admin:ramtid_interventiontype_history": _admin("intervention_type"),
    "admin:ramtid_apitoken_change": _admin("api_token"),
    "admin:ramtid_apitoken_delete": _admin("api_token"),
    "admin:ramtid_apitoken_history": _admin("api_token"),
    "admin:view_on_site": Args(
        lambda s: {
            "content_type_id": ContentType.objects.get_for_model(Client).pk,
            "object_id": str(s.client.pk),
        }
    ),
}
