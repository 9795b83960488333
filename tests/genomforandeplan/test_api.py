"""The plans API: a provider's documentation system writes its plans under the UI's rules; and
the orders API's plan deadline and contact person."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bestallning import services as order_services
from genomforandeplan import services
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanReview,
    PlanVersion,
)
from ramtid.choices import AccessAction
from ramtid.models import AccessLog
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import ClientFactory
from tests.genomforandeplan.conftest import (
    TODAY,
    catalogue,
    complete,
    executed_order,
    items_of,
    row,
)


def _api(user) -> APIClient:
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def _url(plan=None, action: str = "") -> str:
    if plan is None:
        return "/api/genomforandeplaner/"
    return f"/api/genomforandeplaner/{plan.pk}/" + (f"{action}/" if action else "")


def _written(body: dict, **overrides) -> dict:
    """The plan as read, written back with the client's words and participation."""
    items = [
        {
            "intervention_type": item["intervention_type"],
            "period": item["period"],
            "occasions": item["occasions"],
            "every_n_weeks": item["every_n_weeks"],
            "need_help_with": "Jag behöver hjälp att tvätta ryggen och fötterna.",
            "how_and_when": "Tisdag och fredag förmiddag, jag duschar sittande.",
            "my_goal": "Jag vill tvätta håret själv.",
        }
        for item in body["items"]
    ]
    return {
        "version": body["version"],
        "my_goal": "Jag vill bo kvar hemma.",
        "participants": ["client", "relative"],
        "meeting_place": "home",
        "client_influence": "Jag ville duscha på förmiddagen och välja kläder själv.",
        "checklist": {"read_order": TODAY.isoformat()},
        "items": items,
        **overrides,
    }


APPROVAL = {"client_approved_on": TODAY.isoformat(), "client_approval_how": "Muntligt i hemmet."}


def test_a_provider_starts_writes_completes_and_follows_up_a_plan(world, order):
    api = _api(world.contact_person)

    started = api.post(_url(), {"order": order.pk}, format="json")
    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["status"], body["order"], body["current_order"]) == ("draft", order.pk, order.pk)
    assert [item["intervention_type_name"] for item in body["items"]] == ["Duschhjälp"]
    assert body["coverage_gaps"] == []
    assert body["deadline"]["status"] == "not_due"
    assert body["needs_revision"] is False
    plan = ImplementationPlan.objects.get(pk=body["id"])

    saved = api.put(_url(plan), _written(body), format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == body["version"] + 1
    assert saved.json()["items"][0]["my_goal"] == "Jag vill tvätta håret själv."
    # Only the client's approval is left: it is given when the plan is completed.
    assert saved.json()["completion_blockers"] == [
        "Ange datum då brukaren godkände planen.",
        "Skriv hur brukaren godkände planen.",
    ]

    done = api.post(_url(plan, "klarmarkera"), APPROVAL, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == PlanStatus.READY
    assert done.json()["deadline"]["status"] == "on_time"
    assert [v["number"] for v in done.json()["versions"]] == [1]
    assert done.json()["next_follow_up_due"]

    followed = api.post(
        _url(plan, "uppfoljning"),
        {"followed_up_on": TODAY.isoformat(), "notes": "Allt fungerar bra."},
        format="json",
    )
    assert followed.status_code == 201, followed.json()
    assert PlanFollowUp.objects.filter(plan=plan).count() == 1

    listed = api.get(_url())
    assert [row["id"] for row in listed.json()["results"]] == [plan.pk]
    assert AccessLog.objects.filter(
        user=world.contact_person, client_ids=[world.client.pk], action=AccessAction.API
    ).exists()


def test_a_patch_changes_only_what_it_sends_and_keeps_the_items(world, plan):
    response = _api(world.contact_person).patch(
        _url(plan), {"version": plan.version, "life_story": "Jag var sjuksköterska."}, "json"
    )

    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert plan.life_story == "Jag var sjuksköterska."
    assert plan.items.count() == 1


def test_a_put_without_items_is_refused(world, plan):
    response = _api(world.contact_person).put(_url(plan), {"version": plan.version}, "json")

    assert response.status_code == 400
    assert "items" in response.json()


def test_field_errors_are_swedish_and_keyed_by_field(world, plan):
    response = _api(world.contact_person).patch(
        _url(plan), {"version": plan.version, "meeting_place": "other"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"meeting_place_other": ["Skriv var ni träffades."]}


def test_another_provider_gets_404_everywhere(world, order, plan):
    api = _api(world.other_coordinator)

    assert api.get(_url(plan)).status_code == 404
    assert api.patch(_url(plan), {"version": plan.version}, format="json").status_code == 404
    assert api.post(_url(plan, "klarmarkera"), APPROVAL, format="json").status_code == 404
    assert api.post(_url(), {"order": order.pk}, format="json").status_code == 404
    assert api.get(_url()).json()["results"] == []


def test_the_officer_does_not_see_a_plan_that_was_never_ready(world, plan):
    api = _api(world.officer)

    assert api.get(_url(plan)).status_code == 404
    assert api.get(_url()).json()["results"] == []


def test_the_officer_reads_a_ready_plan_but_cannot_write_it(world, order, plan):
    complete(world, plan)
    plan.refresh_from_db()
    api = _api(world.officer)

    assert api.get(_url(plan)).status_code == 200
    refused = api.patch(_url(plan), {"version": plan.version, "my_goal": "x"}, format="json")
    assert refused.status_code == 403
    assert api.post(_url(plan, "klarmarkera"), APPROVAL, format="json").status_code == 403
    assert (
        api.post(
            _url(plan, "uppfoljning"), {"followed_up_on": TODAY.isoformat(), "notes": "x"}, "json"
        ).status_code
        == 403
    )
    plan.refresh_from_db()
    assert (plan.status, plan.my_goal) == (PlanStatus.READY, "")


def test_the_officer_cannot_start_a_plan(world, order):
    response = _api(world.officer).post(_url(), {"order": order.pk}, format="json")

    assert response.status_code == 403
    assert not ImplementationPlan.objects.exists()


def test_starting_a_second_plan_is_a_400_in_swedish(world, order, plan):
    response = _api(world.contact_person).post(_url(), {"order": order.pk}, format="json")

    assert response.status_code == 400
    assert "redan en genomförandeplan" in response.json()["non_field_errors"][0]


def test_completing_without_participation_is_a_400_and_changes_nothing(world, plan):
    api = _api(world.contact_person)

    response = api.post(_url(plan, "klarmarkera"), APPROVAL, format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("Delaktighet saknas")
    plan.refresh_from_db()
    assert (plan.status, plan.client_approved_on) == (PlanStatus.DRAFT, None)
    assert not PlanVersion.objects.exists()


def test_a_missing_approval_is_refused_in_swedish_and_nothing_is_completed(world, plan):
    api = _api(world.contact_person)
    api.put(_url(plan), _written(api.get(_url(plan)).json()), format="json")

    response = api.post(
        _url(plan, "klarmarkera"), {"client_approved_on": TODAY.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Skriv hur brukaren godkände planen."]}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not PlanVersion.objects.exists()


def test_the_approval_saved_with_the_plan_completes_it(world, plan):
    api = _api(world.contact_person)
    read = api.get(_url(plan)).json()
    saved = api.put(_url(plan), _written(read, **APPROVAL), format="json").json()
    assert saved["completion_blockers"] == []

    done = api.post(_url(plan, "klarmarkera"), {"version": saved["version"]}, format="json")

    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["status"], body["versions"][-1]["client_approved_on"]) == (
        PlanStatus.READY,
        TODAY.isoformat(),
    )
    # The approval went into the version; the working copy waits for the next one's.
    assert (body["client_approved_on"], body["client_approval_how"]) == (None, "")


def test_completing_a_plan_someone_has_saved_since_is_a_409(world, plan):
    api = _api(world.contact_person)
    read = api.get(_url(plan)).json()
    saved = api.put(_url(plan), _written(read, **APPROVAL), format="json").json()
    services.plan_save(
        plan=plan, by=world.coordinator, version=saved["version"],
        fields={"my_goal": "Samordnarens text."}, items=items_of(plan),
    )  # fmt: skip

    response = api.post(_url(plan, "klarmarkera"), {"version": saved["version"]}, format="json")

    assert response.status_code == 409
    assert "Planen har ändrats sedan du öppnade den" in response.json()["version"][0]
    assert not PlanVersion.objects.exists()


def test_a_service_error_that_names_no_field_is_a_non_field_error(world, plan):
    # plan_follow_up keys it "__all__", Django's name; the API says "non_field_errors".
    response = _api(world.contact_person).post(
        _url(plan, "uppfoljning"),
        {"followed_up_on": TODAY.isoformat(), "notes": "Allt fungerar bra."},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Planen följs upp när den har blivit klar första gången."]
    }
    assert not PlanFollowUp.objects.exists()


def test_a_stale_version_is_refused_and_nothing_is_saved(world, plan):
    api = _api(world.contact_person)
    read = api.get(_url(plan)).json()
    # Someone else saves first.
    services.plan_save(
        plan=plan, by=world.coordinator, version=plan.version,
        fields={"my_goal": "Samordnarens text."}, items=[],
    )  # fmt: skip

    response = api.put(_url(plan), _written(read, my_goal="Min text."), format="json")

    assert response.status_code == 409
    assert "Någon annan har sparat planen" in response.json()["version"][0]
    plan.refresh_from_db()
    assert plan.my_goal == "Samordnarens text."


def test_the_api_requires_authentication(world, plan):
    assert APIClient().get(_url(plan)).status_code in (401, 403)


# ---------------------------------------------------------------------------------------------
# Orders, with what this app knows of them: the plan deadline and the contact person


def _order_url(order, action: str = "") -> str:
    return f"/api/bestallningar/{order.pk}/" + (f"{action}/" if action else "")


def test_an_order_shows_its_plan_deadline_from_execution_to_completion(world):
    # Executed 30 days ago; Järfälla's plans are due 14 days after the start.
    order = executed_order(world, executed_on=TODAY - datetime.timedelta(days=30))
    due = (TODAY - datetime.timedelta(days=16)).isoformat()
    api = _api(world.coordinator)

    missing = api.get(_order_url(order)).json()["plan_deadline"]
    assert missing == {"due": due, "status": "missing", "days_late": 16}

    plan = services.plan_start(order=order, by=world.contact_person)
    complete(world, plan, approved_on=TODAY - datetime.timedelta(days=10))
    listed = api.get("/api/bestallningar/").json()["results"]
    assert [row["plan_deadline"] for row in listed] == [
        {"due": due, "status": "late", "days_late": 6}
    ]


def test_an_order_not_yet_executed_has_no_plan_deadline(world):
    order = order_services.order_send(order=make_order(world), by=world.officer)

    body = _api(world.officer).get(_order_url(order)).json()

    assert (body["status"], body["plan_deadline"], body["contact"]) == ("sent", None, None)


def test_a_plan_completed_in_time_is_on_time_on_the_order(world, order, plan):
    complete(world, plan)

    body = _api(world.officer).get(_order_url(order)).json()

    assert body["plan_deadline"]["status"] == "on_time"
    assert body["plan_deadline"]["days_late"] == 0


def test_the_coordinator_assigns_a_contact_person_and_a_deputy(world, order):
    response = _api(world.coordinator).post(
        _order_url(order, "kontaktman"),
        {"contact_person": world.contact_person.pk, "deputy": world.coordinator.pk},
        format="json",
    )

    assert response.status_code == 200, response.json()
    contact = response.json()["contact"]
    assert (contact["contact_person_id"], contact["deputy_id"]) == (
        world.contact_person.pk,
        world.coordinator.pk,
    )
    assert contact["assigned_on"] == TODAY.isoformat()
    assignment = ContactAssignment.objects.get(order=order)
    assert (assignment.contact_person, assignment.assigned_by) == (
        world.contact_person,
        world.coordinator,
    )
    assert AccessLog.objects.filter(
        user=world.coordinator,
        client_ids=[order.client.pk],
        what=f"API {_order_url(order, 'kontaktman')}",
    ).exists()


@pytest.mark.parametrize("role", ["contact_person", "officer", "manager"])
def test_only_the_providers_coordinator_assigns_a_contact_person(world, unassigned_order, role):
    order = unassigned_order
    response = _api(getattr(world, role)).post(
        _order_url(order, "kontaktman"), {"contact_person": world.contact_person.pk}, "json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Bara utförarens samordnare kan utse kontaktman."
    assert not ContactAssignment.objects.exists()


def test_another_provider_cannot_assign_a_contact_person(world, unassigned_order):
    order = unassigned_order
    response = _api(world.other_coordinator).post(
        _order_url(order, "kontaktman"), {"contact_person": world.other_coordinator.pk}, "json"
    )

    assert response.status_code == 404
    assert not ContactAssignment.objects.exists()


NO_STAFF = "Det finns ingen aktiv användare hos utföraren med id {pk}."


@pytest.mark.parametrize(
    ("who", "field", "message"),
    [
        ("other_coordinator", "contact_person", NO_STAFF),
        ("same", "deputy", "Ersättaren ska vara en annan person än kontaktmannen."),
        ("nobody", "contact_person", NO_STAFF),
    ],
)
def test_a_contact_person_who_cannot_be_is_a_400_in_swedish(
    world, unassigned_order, who, field, message
):
    order = unassigned_order
    person = {
        "other_coordinator": world.other_coordinator.pk,
        "same": world.contact_person.pk,
        "nobody": 999999,
    }[who]
    response = _api(world.coordinator).post(
        _order_url(order, "kontaktman"),
        {"contact_person": person, "deputy": world.contact_person.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()[field] == [message.format(pk=person)]
    assert not ContactAssignment.objects.exists()


def test_another_providers_user_is_answered_as_a_user_that_does_not_exist(world, unassigned_order):
    """Found by the fuzzer (tests/ramtid/test_api_fuzz.py): another provider's coordinator got
    "Kontaktmannen måste arbeta hos …" and an unknown id "Det finns ingen aktiv användare …",
    which told which ids are someone's account."""
    api = _api(world.coordinator)
    url = _order_url(unassigned_order, "kontaktman")

    foreign = api.post(url, {"contact_person": world.other_coordinator.pk}, format="json")
    missing = api.post(url, {"contact_person": 2_000_000_000}, format="json")

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == {"contact_person": [NO_STAFF.format(pk=world.other_coordinator.pk)]}
    assert missing.json() == {"contact_person": [NO_STAFF.format(pk=2_000_000_000)]}


# ---------------------------------------------------------------------------------------------
# The officer's review


def test_the_officer_approves_a_ready_plan(world, plan):
    complete(world, plan)

    response = _api(world.officer).post(_url(plan, "granska"), {"approve": True}, "json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == PlanStatus.APPROVED
    assert body["versions"][-1]["review_outcome"] == "approved"
    assert PlanReview.objects.get().reviewed_by == world.officer


def test_the_officer_returns_a_plan_with_a_comment(world, plan):
    complete(world, plan)

    response = _api(world.officer).post(
        _url(plan, "granska"),
        {"approve": False, "comment": "Beskriv hur duschen går till."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == PlanStatus.RETURNED
    assert response.json()["versions"][-1]["review_comment"] == "Beskriv hur duschen går till."


def test_returning_a_plan_without_a_comment_is_a_400_in_swedish(world, plan):
    complete(world, plan)

    response = _api(world.officer).post(_url(plan, "granska"), {"approve": False}, "json")

    assert response.status_code == 400
    assert response.json() == {"comment": ["Skriv vad utföraren behöver ändra."]}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    assert not PlanReview.objects.exists()


def test_a_review_without_a_decision_is_a_400(world, plan):
    complete(world, plan)

    response = _api(world.officer).post(_url(plan, "granska"), {"comment": "x"}, "json")

    assert response.status_code == 400
    assert "approve" in response.json()
    assert not PlanReview.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("contact_person", 403),
        ("coordinator", 403),
        ("other_officer", 404),
        ("other_coordinator", 404),
    ],
)
def test_only_the_units_officer_reviews(world, plan, role, status):
    complete(world, plan)

    response = _api(getattr(world, role)).post(_url(plan, "granska"), {"approve": True}, "json")

    assert response.status_code == status
    assert not PlanReview.objects.exists()


def test_a_plan_that_is_not_ready_is_not_reviewed(world, plan):
    complete(world, plan)
    services.plan_review(plan=plan, by=world.officer, approve=True)

    response = _api(world.officer).post(_url(plan, "granska"), {"approve": True}, "json")

    assert response.status_code == 403
    assert "väntar inte på granskning" in response.json()["detail"]
    assert PlanReview.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Lists read a fixed number of queries, however many rows


def _full_plans(world, count: int) -> None:
    """Plans with everything the API shows: an executed order with a care package, a contact
    person, a completed and reviewed version and a follow-up."""
    kinds = catalogue(world.municipality)
    package = row(
        kinds["Omvårdnadspaket morgon"],
        period="per_day",
        occasions=1,
        care_package_contents=[
            kinds["Personlig hygien"], kinds["På- och avklädning"], kinds["Toalettbesök"]
        ],
    )  # fmt: skip
    start = TODAY - datetime.timedelta(days=5)
    for _ in range(count):
        client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
        decision = make_decision(world, client=client, valid_from=start, decided_on=start)
        order = make_order(
            world, decision=decision, rows=[row(kinds["Duschhjälp"]), package], daily_visits=1
        )
        order = order_services.order_send(order=order, by=world.officer)
        order = order_services.order_execute(order=order, by=world.coordinator, executed_on=start)
        services.contact_assign(
            order=order, by=world.coordinator, contact_person=world.contact_person,
            deputy=world.coordinator,
        )  # fmt: skip
        plan = services.plan_start(order=order, by=world.contact_person)
        complete(world, plan)
        services.plan_review(plan=plan, by=world.officer, approve=True)
        services.plan_follow_up(
            plan=plan, by=world.contact_person, followed_up_on=TODAY, notes="Fungerar bra."
        )


def _queries(api: APIClient, url: str) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()["results"]


@pytest.mark.parametrize("role", ["contact_person", "officer"])
@pytest.mark.parametrize("url", ["/api/genomforandeplaner/", "/api/bestallningar/"])
def test_plan_and_order_lists_read_the_same_queries_for_2_and_10_rows(world, role, url):
    api = _api(getattr(world, role))
    _full_plans(world, 2)
    two, page = _queries(api, url)
    _full_plans(world, 8)
    ten, more = _queries(api, url)

    assert (len(page), len(more)) == (2, 10)
    row = more[-1]
    if url == "/api/genomforandeplaner/":
        assert (row["status"], row["coverage_gaps"], row["completion_blockers"]) == (
            PlanStatus.APPROVED,
            [],
            [],
        )
        assert [v["review_outcome"] for v in row["versions"]] == ["approved"]
        assert row["next_follow_up_due"]
        assert row["deadline"]["status"] == "on_time"
    else:
        assert row["plan_deadline"]["status"] == "on_time"
    assert row["contact"]["contact_person_id"] == world.contact_person.pk
    assert two == ten
    assert ten <= 20


def test_the_schema_has_the_plan_endpoints(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/genomforandeplaner/",
        "/api/genomforandeplaner/{id}/",
        "/api/genomforandeplaner/{id}/klarmarkera/",
        "/api/genomforandeplaner/{id}/uppfoljning/",
        "/api/genomforandeplaner/{id}/granska/",
        "/api/bestallningar/{id}/kontaktman/",
        "/api/insatser/",
        "/api/insatser/{id}/",
    ):
        assert f"{path}:" in schema


def test_the_officer_reads_the_completed_version_never_the_working_copy(world, plan):
    """While the contact person reworks a plan, the ordering unit's API reads the newest
    completed version, as its pages do; the working copy is the provider's."""
    complete(world, plan)
    plan.refresh_from_db()
    services.plan_review(plan=plan, by=world.officer, approve=False, comment="Saknar dusch.")
    plan.refresh_from_db()
    items = items_of(plan)
    items[0].need_help_with = "Halvskrivet utkast"
    services.plan_save(plan=plan, by=world.contact_person, version=plan.version,
                       fields={"life_story": "Påbörjad, inte klar"}, items=items)  # fmt: skip

    officer = _api(world.officer).get(_url(plan)).json()
    assert officer["content_version"] == 1
    assert officer["life_story"] == "" and "Påbörjad" not in str(officer)
    assert "Halvskrivet utkast" not in str(officer)
    assert officer["items"][0]["need_help_with"] == "Hjälp att tvätta ryggen och fötterna."
    assert officer["client_approved_on"] == TODAY.isoformat()
    assert officer["completion_blockers"] == [] and officer["coverage_gaps"] == []
    listed = _api(world.officer).get(_url()).json()["results"][0]
    assert "Halvskrivet utkast" not in str(listed)
    # The provider reads and writes its working copy as before.
    provider = _api(world.contact_person).get(_url(plan)).json()
    assert provider["content_version"] is None
    assert provider["life_story"] == "Påbörjad, inte klar"
    assert provider["items"][0]["need_help_with"] == "Halvskrivet utkast"
