"""The plans API: a provider's documentation system writes its plans under the UI's rules."""

from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from genomforandeplan import services
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import ImplementationPlan, PlanFollowUp, PlanVersion
from ramtid.choices import AccessAction
from ramtid.models import AccessLog
from tests.genomforandeplan.conftest import TODAY, complete


def _api(user) -> APIClient:
    api = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
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
    assert saved.json()["completion_blockers"] == []

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
        user=world.contact_person, client=world.client, action=AccessAction.API
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


def test_a_missing_approval_is_keyed_by_field(world, plan):
    response = _api(world.contact_person).post(
        _url(plan, "klarmarkera"), {"client_approved_on": TODAY.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "client_approval_how" in response.json()


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


def test_the_schema_has_the_plan_endpoints(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/genomforandeplaner/",
        "/api/genomforandeplaner/{id}/",
        "/api/genomforandeplaner/{id}/klarmarkera/",
        "/api/genomforandeplaner/{id}/uppfoljning/",
    ):
        assert f"{path}:" in schema
