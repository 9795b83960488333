"""Log review (loggkontroll, issue 10): who reviews which log, the flags, the monthly sample and
its conclusion, the export, and that nobody can alter the trail from the admin or the database."""

import csv
import datetime
import io

import pghistory
import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bestallning import services as order_services
from genomforandeplan import services as plan_services
from ramtid import database_roles, log_review, services
from ramtid.choices import AccessAction, Role
from ramtid.models import AccessLog, AccessLogReview, AccessLogReviewEvent
from tests.bestallning.conftest import make_order
from tests.factories import ClientFactory, OrderingUnitFactory, UserFactory, member
from tests.ramtid.test_database_roles import _as_app, app_role  # noqa: F401 (a fixture)

TODAY = timezone.localdate()


@pytest.fixture
def security(world):
    """The municipality's security officer (loggkontrollant), and another municipality's."""
    officer = member(
        UserFactory(username="loggkontroll", first_name="Sofia", last_name="Lind"),
        Role.SECURITY_OFFICER,
        municipality=world.municipality,
    )
    other = member(
        UserFactory(username="loggkontroll.sthlm"),
        Role.SECURITY_OFFICER,
        municipality=world.other_municipality,
    )
    return officer, other


def read(user, *clients, action=AccessAction.VIEW, what="Brukarsidan", at=None) -> AccessLog:
    entry = AccessLog.objects.create(
        user=user, client_ids=[c.pk for c in clients], action=action, what=what
    )
    if at is not None:
        # The log refuses UPDATE for everyone but a migration: tests set the time as the owner,
        # skipping the append-only trigger like a data migration would.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [_protect_trigger()])
            cursor.execute("UPDATE ramtid_accesslog SET at = %s WHERE id = %s", [at, entry.pk])
            cursor.execute("SELECT set_config('pgtrigger.ignore', '', true)")
        entry.at = at
    return entry


def _protect_trigger() -> str:
    trigger = next(t for t in AccessLog._meta.triggers if t.name == "append_only")
    return "{" + trigger.get_pgid(AccessLog) + "}"


def _search(http, **params):
    return http.get(reverse("log_review"), params)


def _rows(response):
    return response.context["rows"]


def _row_of(response, entry):
    return next(row for row in _rows(response) if row.entry.pk == entry.pk)


def _flags(reviewer, entry):
    """(outside, protected) of an entry, as the reviewer's search shows it."""
    rows = log_review.log_rows(entry_ids=[entry.pk], scope=log_review.review_scope(reviewer))
    return rows[0].outside, rows[0].protected


def _sample(world, security):
    """A review of the municipality's log of the last days, drawn through the service."""
    entry = read(world.officer, world.client)
    return log_review.review_draw(
        municipality=world.municipality,
        period_start=TODAY - datetime.timedelta(days=7),
        period_end=TODAY,
        size=5,
        by=security[0],
    ), entry


# ---------------------------------------------------------------------------------------------
# Who reviews which log


@pytest.mark.parametrize(
    "role", ["officer", "coordinator", "contact_person", "fee_officer", "administrator"]
)
def test_the_pages_do_not_exist_for_other_roles(world, security, role):
    review, _entry = _sample(world, security)
    http = world.login(getattr(world, role))
    for url in (
        reverse("log_review"),
        reverse("log_review_export"),
        reverse("log_review_samples"),
        reverse("log_review_sample", args=[review.pk]),
    ):
        assert http.get(url).status_code == 404, url
    assert http.post(reverse("log_review"), {"sok": "Lisa"}).status_code == 404
    assert "Loggkontroll" not in http.get(reverse("start")).content.decode()


def test_a_unit_manager_reviews_her_units_log_but_draws_no_samples(world, security):
    review, _entry = _sample(world, security)
    http = world.login(world.manager)
    response = http.get(reverse("log_review"))
    assert response.status_code == 200
    assert "Loggkontroll" in http.get(reverse("start")).content.decode()
    assert "Stickprov för den månatliga" not in response.content.decode()
    assert http.get(reverse("log_review_samples")).status_code == 404
    assert http.get(reverse("log_review_sample", args=[review.pk])).status_code == 404


def test_a_unit_manager_sees_only_her_units_clients(world):
    neighbour = OrderingUnitFactory(municipality=world.municipality, name="Norr")
    norr_client = ClientFactory(ordering_unit=neighbour, first_name="Nils", last_name="Norr")
    own = read(world.officer, world.client)
    theirs = read(world.officer, norr_client)
    both = read(world.coordinator, world.client, norr_client, action=AccessAction.LIST)
    foreign = read(world.other_officer, world.other_client)

    response = _search(world.login(world.manager))

    ids = {row.entry.pk for row in _rows(response)}
    assert own.pk in ids and both.pk in ids
    assert theirs.pk not in ids and foreign.pk not in ids
    row = _row_of(response, both)
    assert [c.name for c in row.clients] == ["Lisa Andersson"]
    assert (row.shown, row.in_scope) == (2, 1)
    html = response.content.decode()
    assert "Nils Norr" not in html and "Östlund" not in html


def test_the_security_officer_sees_the_whole_municipality_and_nothing_else(world, security):
    officer, other = security
    neighbour = OrderingUnitFactory(municipality=world.municipality, name="Norr")
    norr_client = ClientFactory(ordering_unit=neighbour, first_name="Nils", last_name="Norr")
    own = read(world.officer, world.client)
    theirs = read(world.officer, norr_client)
    foreign = read(world.other_officer, world.other_client)

    ids = {row.entry.pk for row in _rows(_search(world.login(officer)))}
    assert {own.pk, theirs.pk} <= ids and foreign.pk not in ids
    other_ids = {row.entry.pk for row in _rows(_search(world.login(other)))}
    assert foreign.pk in other_ids and not {own.pk, theirs.pk} & other_ids


def test_another_organisations_client_user_or_review_is_a_404(world, security):
    officer, other = security
    review, _entry = _sample(world, security)
    read(world.other_officer, world.other_client)
    stranger = UserFactory(username="okand")
    manager = world.login(world.manager)
    neighbour_client = ClientFactory(
        ordering_unit=OrderingUnitFactory(municipality=world.municipality)
    )
    assert _search(manager, brukare=world.other_client.pk).status_code == 404
    assert _search(manager, brukare=neighbour_client.pk).status_code == 404
    assert _search(manager, brukare=world.client.pk).status_code == 200
    assert _search(manager, anvandare=stranger.pk).status_code == 404
    assert _search(manager, anvandare=world.other_officer.pk).status_code == 404
    assert _search(manager, anvandare=world.officer.pk).status_code == 200
    assert _search(world.login(officer), brukare=neighbour_client.pk).status_code == 200
    http = world.login(other)
    assert http.get(reverse("log_review_sample", args=[review.pk])).status_code == 404
    assert review.pk not in {r.pk for r in http.get(reverse("log_review_samples")).context["page"]}
    assert (
        http.post(reverse("log_review_sample", args=[review.pk]), {"conclusion": "x"}).status_code
        == 404
    )
    assert AccessLogReview.objects.get(pk=review.pk).concluded_at is None


def test_a_former_employee_who_read_the_units_client_can_be_searched_by(world):
    former = UserFactory(username="slutat")
    entry = read(former, world.client)
    response = _search(world.login(world.manager), anvandare=former.pk)
    assert [row.entry.pk for row in _rows(response)] == [entry.pk]
    # With no role today nothing she read is explained by her work.
    assert _rows(response)[0].outside == 1


def test_the_security_officer_reads_no_case_data(world, security):
    officer, _other = security
    http = world.login(officer)
    for url in (
        reverse("client_detail", args=[world.client.pk]),
        reverse("client_edit", args=[world.client.pk]),
        reverse("client_export", args=[world.client.pk]),
        reverse("client_access_log", args=[world.client.pk]),
    ):
        assert http.get(url).status_code == 404, url
    assert http.get(reverse("client_list")).context["page"].paginator.count == 0
    assert "Brukare</a>" not in http.get(reverse("start")).content.decode()


# ---------------------------------------------------------------------------------------------
# Search


def test_search_by_period_user_and_kind(world, security):
    officer, _other = security
    now = timezone.now()
    old = read(world.officer, world.client, at=now - datetime.timedelta(days=40))
    recent = read(world.officer, world.client, action=AccessAction.LIST, what="Brukarlistan")
    by_other = read(world.manager, world.client)
    http = world.login(officer)

    default = {row.entry.pk for row in _rows(_search(http))}
    assert {recent.pk, by_other.pk} <= default and old.pk not in default

    since = (TODAY - datetime.timedelta(days=60)).isoformat()
    wide = {row.entry.pk for row in _rows(_search(http, fran=since))}
    assert {old.pk, recent.pk, by_other.pk} <= wide

    by_user = _rows(_search(http, fran=since, anvandare=world.officer.pk))
    assert [row.entry.pk for row in by_user] == [recent.pk, old.pk]
    lists = _rows(_search(http, fran=since, atgard="list"))
    assert {row.entry.pk for row in lists} >= {recent.pk}
    assert all(row.entry.action == "list" for row in lists)


def test_a_bad_period_is_named_and_nothing_is_searched(world, security):
    response = _search(world.login(security[0]), fran="2026-02-01", till="2026-01-01")
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Perioden måste sluta" in response.content.decode()


def test_finding_a_client_by_personal_number_keeps_the_number_out_of_the_url(world, security):
    http = world.login(security[0])
    read(world.officer, world.client)
    number = world.client.personal_number

    response = http.post(reverse("log_review"), {"sok": f"{number[:8]}-{number[8:]}"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"brukare={world.client.pk}")
    assert number[2:8] not in response["Location"]
    found = http.get(response["Location"])
    assert found.context["query"].client == world.client
    assert [row.entry.user_id for row in _rows(found)][-1] == world.officer.pk


def test_finding_by_name_lists_the_clients_and_users_that_match(world, security):
    ClientFactory(ordering_unit=world.unit, first_name="Lisa", last_name="Berg")
    ClientFactory(ordering_unit=world.other_unit, first_name="Lisa", last_name="Stockholm")
    response = world.login(security[0]).post(reverse("log_review"), {"sok": "lisa"})
    assert response.status_code == 200
    assert {str(c) for c in response.context["found_clients"]} == {"Lisa Andersson", "Lisa Berg"}
    nobody = world.login(security[0]).post(reverse("log_review"), {"sok": "xyzzy"})
    assert "Ingen brukare eller användare matchar" in nobody.content.decode()
    user = world.login(security[0]).post(reverse("log_review"), {"sok": world.officer.username})
    assert user.status_code == 302
    assert user["Location"].endswith(f"anvandare={world.officer.pk}")


def test_reading_the_log_is_itself_logged(world, security):
    officer, _other = security
    read(world.officer, world.client)
    _search(world.login(officer))
    entry = AccessLog.objects.filter(user=officer).latest("id")
    assert entry.action == AccessAction.LIST and entry.what == "Loggkontroll"
    assert entry.client_ids == [world.client.pk]


def test_a_client_search_shows_changes_but_not_their_content(world, security):
    # As the request middleware would: the change is attributed to the signed-in officer.
    with pghistory.context(user=world.officer.pk, ip="10.0.0.7"):
        services.client_update(client=world.client, by=world.officer, phone="070-174 06 55")
    response = _search(world.login(security[0]), brukare=world.client.pk)
    writes = response.context["writes"]
    assert any(w.who == world.officer and w.kind == "Ändrade" for w in writes)
    assert "070-174 06 55" not in response.content.decode()
    [change] = [w for w in writes if w.who == world.officer and w.kind == "Ändrade"]
    assert change.outside is False  # the responsible officer
    assert change.record == "Brukare" and change.ip == "10.0.0.7"
    by_manager = _search(
        world.login(security[0]), brukare=world.client.pk, anvandare=world.manager.pk
    )
    assert by_manager.context["writes"] == []


# ---------------------------------------------------------------------------------------------
# Flags


def test_an_officer_reading_a_client_she_is_not_responsible_for_is_flagged(world, security):
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    assert _flags(security[0], read(world.officer, world.client)) == (0, 0)
    assert _flags(security[0], read(colleague, world.client)) == (1, 0)
    assert _flags(security[0], read(world.manager, world.client)) == (0, 0)
    assert _flags(security[0], read(world.administrator, world.client)) == (1, 0)


def test_provider_staff_are_flagged_without_an_order_in_force(world, security):
    order = order_services.order_send(order=make_order(world), by=world.officer)
    entry = read(world.coordinator, world.client)
    other = read(world.other_coordinator, world.client)
    assert _flags(security[0], entry) == (0, 0)
    assert _flags(security[0], other) == (1, 0)

    # Ended long before the municipality's grace period: no longer the provider's client.
    order_services.order_execute(order=order, by=world.coordinator, executed_on=order.valid_from)
    order.refresh_from_db()
    order_services.order_end(
        order=order, by=world.officer, ended_on=order.valid_from, reason="Flyttat."
    )
    world.municipality.provider_access_days = 0
    world.municipality.save(update_fields=["provider_access_days"])
    assert _flags(security[0], entry) == (1, 0)


def test_a_contact_person_is_flagged_for_clients_she_is_not_named_for(world, security):
    order = order_services.order_send(order=make_order(world), by=world.officer)
    order = order_services.order_execute(
        order=order, by=world.coordinator, executed_on=order.valid_from
    )
    entry = read(world.contact_person, world.client)
    assert _flags(security[0], entry) == (1, 0)  # not (yet) her client

    plan_services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person
    )
    assert _flags(security[0], entry) == (0, 0)


def test_every_access_to_a_protected_identity_is_flagged(world, security):
    protected = ClientFactory(
        ordering_unit=world.unit, responsible_officer=world.officer, protected_identity=True
    )
    entry = read(world.officer, protected)
    listed = read(world.manager, world.client, protected, action=AccessAction.LIST)
    assert _flags(security[0], entry) == (0, 1)
    assert _flags(security[0], listed) == (0, 1)
    row = log_review.log_rows(entry_ids=[listed.pk], scope=log_review.review_scope(security[0]))[0]
    assert row.clients[0].id == protected.pk  # the flagged first


def test_a_list_names_the_flagged_clients_first_and_counts_the_rest(world, security):
    clients = [ClientFactory(ordering_unit=world.unit) for _ in range(12)]
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    mine = ClientFactory(ordering_unit=world.unit, responsible_officer=colleague, last_name="Aa")
    entry = read(colleague, mine, *clients, action=AccessAction.LIST)
    row = log_review.log_rows(entry_ids=[entry.pk], scope=log_review.review_scope(security[0]))[0]
    assert (row.shown, row.in_scope, row.outside) == (13, 13, 12)
    assert len(row.clients) == log_review.NAMED_CLIENTS and row.unnamed == 3
    assert all(named.outside for named in row.clients)


# ---------------------------------------------------------------------------------------------
# Bounded: the page's queries do not grow with its rows


def _entries_by_many_readers(world, count: int) -> None:
    roles = [
        (Role.CASE_OFFICER, {"unit": world.unit}),
        (Role.UNIT_MANAGER, {"unit": world.unit}),
        (Role.PROVIDER_COORDINATOR, {"provider": world.provider}),
        (Role.CONTACT_PERSON, {"provider": world.provider}),
        (Role.FEE_OFFICER, {"municipality": world.municipality}),
    ]
    client = ClientFactory(ordering_unit=world.unit, protected_identity=True)
    for index in range(count):
        role, where = roles[index % len(roles)]
        reader = member(UserFactory(), role, **where)
        read(reader, world.client, client, action=AccessAction.LIST)


def _page_queries(world, officer) -> int:
    http = world.login(officer)
    http.get(reverse("log_review"))  # the session and the like, once
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("log_review"))
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_the_number_of_queries_does_not_grow_with_the_rows(world, security):
    _entries_by_many_readers(world, 5)
    few, shown = _page_queries(world, security[0])
    assert shown >= 5
    _entries_by_many_readers(world, 50)
    many, shown = _page_queries(world, security[0])
    assert shown == log_review.PAGE_SIZE
    assert many == few


def test_the_count_is_capped(world, security, monkeypatch):
    monkeypatch.setattr(log_review, "RESULT_LIMIT", 3)
    for _ in range(5):
        read(world.officer, world.client)
    response = _search(world.login(security[0]))
    assert response.context["page"].paginator.count == 3
    assert response.context["capped"] is True
    assert "Fler än 3 åtkomster matchar" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The export


def _csv(response) -> list[list[str]]:
    text = b"".join(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_export_is_the_search_formula_safe_and_logged(world, security):
    officer, _other = security
    rogue = member(
        UserFactory(username="rogue", first_name='=HYPERLINK("http://x")', last_name="-1"),
        Role.CASE_OFFICER,
        unit=world.unit,
    )
    read(rogue, world.client, what="+Brukarsidan")
    read(world.other_officer, world.other_client)
    http = world.login(officer)

    response = http.get(reverse("log_review_export"), {"anvandare": rogue.pk})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *lines = _csv(response)
    assert header[0] == "Tidpunkt" and "Utanför uppdraget" in header
    [line] = lines
    assert line[1].startswith("'=HYPERLINK")
    assert line[5] == "'+Brukarsidan"
    assert line[10] == f"Lisa Andersson ({world.client.pk})"
    assert line[11] == "1"  # not her client
    assert not any("Östlund" in cell for cell in line)
    export = AccessLog.objects.filter(user=officer).latest("id")
    assert export.action == AccessAction.EXPORT and export.what == "Loggkontroll, export"
    assert export.client_ids == [world.client.pk]


def test_the_export_of_a_foreign_client_is_a_404(world, security):
    response = world.login(security[0]).get(
        reverse("log_review_export"), {"brukare": world.other_client.pk}
    )
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# The monthly sample


def _period_entries(world, count: int) -> list[AccessLog]:
    now = timezone.now()
    inside = [read(world.officer, world.client) for _ in range(count)]
    read(world.officer, world.client, at=now - datetime.timedelta(days=60))  # before the period
    read(world.other_officer, world.other_client)  # another municipality
    return inside


@pytest.mark.parametrize("exact_ids", [log_review.EXACT_SAMPLE_IDS, 0])
def test_the_sample_is_drawn_from_the_period_and_the_municipality(world, exact_ids):
    inside = {entry.pk for entry in _period_entries(world, 12)}
    start = TODAY - datetime.timedelta(days=7)

    ids = log_review.sample_entry_ids(
        municipality=world.municipality, start=start, end=TODAY, size=5, exact_ids=exact_ids
    )

    assert len(ids) == 5 == len(set(ids))
    assert set(ids) <= inside
    everything = log_review.sample_entry_ids(
        municipality=world.municipality, start=start, end=TODAY, size=50, exact_ids=exact_ids
    )
    assert set(everything) == inside


def test_the_sample_differs_between_draws(world):
    _period_entries(world, 30)
    start = TODAY - datetime.timedelta(days=7)
    draws = {
        tuple(
            log_review.sample_entry_ids(
                municipality=world.municipality, start=start, end=TODAY, size=5, exact_ids=0
            )
        )
        for _ in range(5)
    }
    assert len(draws) > 1


def test_drawing_a_sample_on_the_page(world, security):
    officer, _other = security
    _period_entries(world, 8)
    http = world.login(officer)
    assert http.get(reverse("log_review_samples")).status_code == 200

    response = http.post(
        reverse("log_review_samples"),
        {
            "municipality": world.municipality.pk,
            "period_start": (TODAY - datetime.timedelta(days=7)).isoformat(),
            "period_end": TODAY.isoformat(),
            "size": "5",
        },
    )

    review = AccessLogReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("log_review_sample", args=[review.pk])
    assert len(review.sample) == 5 and review.drawn_by == officer
    page = http.get(response["Location"])
    assert len(page.context["rows"]) == 5
    assert AccessLogReviewEvent.objects.filter(pgh_obj=review, pgh_label="drawn").exists()


def test_a_sample_needs_a_sound_period_and_size(world, security):
    officer, _other = security
    http = world.login(officer)
    response = http.post(
        reverse("log_review_samples"),
        {
            "municipality": world.municipality.pk,
            "period_start": TODAY.isoformat(),
            "period_end": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "size": "500",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ange högst 100" in html
    empty = http.post(
        reverse("log_review_samples"),
        {
            "municipality": world.municipality.pk,
            "period_start": "2020-01-01",
            "period_end": "2020-01-31",
            "size": "5",
        },
    )
    assert "inga åtkomster" in empty.content.decode()
    foreign = http.post(
        reverse("log_review_samples"),
        {
            "municipality": world.other_municipality.pk,
            "period_start": "2020-01-01",
            "period_end": "2020-01-31",
            "size": "5",
        },
    )
    assert foreign.status_code == 200
    assert not AccessLogReview.objects.exists()


def test_the_conclusion_is_given_once(world, security):
    officer, _other = security
    review, _entry = _sample(world, security)
    http = world.login(officer)
    url = reverse("log_review_sample", args=[review.pk])

    assert "Skriv slutsatsen" in http.post(url, {"conclusion": "  "}).content.decode()
    assert http.post(url, {"conclusion": "Inga avvikelser."}).status_code == 302
    second = http.post(url, {"conclusion": "Ändrad i efterhand."}, follow=True)

    review.refresh_from_db()
    assert review.conclusion == "Inga avvikelser." and review.concluded_by == officer
    assert "redan given" in second.content.decode()
    assert "Spara slutsatsen" not in second.content.decode()
    with pytest.raises(ValidationError, match="redan given"):
        log_review.review_conclude(review=review, conclusion="Igen.", by=officer)
    labels = list(
        AccessLogReviewEvent.objects.filter(pgh_obj=review)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["drawn", "concluded"]


def test_the_sample_page_is_logged_and_flagged(world, security):
    officer, _other = security
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    read(colleague, world.client)
    review = log_review.review_draw(
        municipality=world.municipality,
        period_start=TODAY,
        period_end=TODAY,
        size=10,
        by=officer,
    )
    response = world.login(officer).get(reverse("log_review_sample", args=[review.pk]))
    assert response.context["flagged"] == 1
    assert "Utanför uppdraget" in response.content.decode()
    entry = AccessLog.objects.filter(user=officer).latest("id")
    assert entry.what == "Loggkontroll, stickprov" and entry.client_ids == [world.client.pk]


# ---------------------------------------------------------------------------------------------
# Nobody alters the trail: not in the admin, not as the app's database role


def _trail_models():
    from django.apps import apps

    tables = set(database_roles.append_only_tables())
    models = [m for m in apps.get_models() if m._meta.db_table in tables]
    return [*models, AccessLogReview]


def test_the_admin_offers_no_way_to_change_the_trail(world, rf):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    request = rf.get("/admin/")
    request.user = superuser
    models = _trail_models()
    assert AccessLog in models and AccessLogReviewEvent in models
    for model in models:
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    http = world.login(superuser)
    for url in ("/admin/ramtid/accesslog/", "/admin/ramtid/accesslogreview/"):
        assert http.get(url).status_code == 404, url


@pytest.mark.usefixtures("app_role")
def test_the_app_role_cannot_change_the_reviews_history(world, security):
    review, _entry = _sample(world, security)
    assert "ramtid_accesslogreviewevent" in database_roles.append_only_tables()
    for sql in (
        "UPDATE ramtid_accesslogreviewevent SET conclusion = 'x'",
        "DELETE FROM ramtid_accesslogreviewevent",
        "TRUNCATE ramtid_accesslogreviewevent",
    ):
        error = _as_app(sql)
        assert error is not None and "permission denied" in str(error), sql
    assert AccessLogReviewEvent.objects.filter(pgh_obj_id=review.pk).count() == 1
