"""The decisions and orders API: scoped reads, the provider's transitions, Swedish errors."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bestallning import examples, services
from bestallning.choices import DecisionOutcome, OrderStatus, Period
from bestallning.models import NeedChangeReport, Order
from bestallning.services import InterventionInput
from ramtid import services as core_services
from ramtid.choices import AccessAction
from ramtid.models import AccessLog, InterventionType, LifeArea
from tests.factories import ClientFactory


def _api(user) -> APIClient:
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def _order(world, *, provider, send=True, granted=()) -> Order:
    """A small order for a new client of the world's unit: shopping once a week, on a decision
    that grants the interventions named in `granted`."""
    core_services.catalogue_copy_defaults(municipality=world.municipality)
    client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    start = timezone.localdate() - datetime.timedelta(days=10)
    decision = services.decision_create(
        client=client,
        by=world.officer,
        outcome=DecisionOutcome.GRANTED,
        decided_on=start,
        valid_from=start,
        hours_per_month=4,
        reasoning="Klarar inte att handla själv.",
        purpose_and_goal="Att ha mat hemma.",
        granted_interventions=list(
            InterventionType.objects.filter(municipality=world.municipality, name__in=granted)
        ),
    )
    order = services.order_create(
        decision=decision, by=world.officer, provider=provider, valid_from=start
    )
    order = services.order_save_draft(
        order=order,
        by=world.officer,
        version=order.version,
        fields={"daily_visits": 0},
        interventions=[
            InterventionInput(
                intervention_type=InterventionType.objects.get(
                    municipality=world.municipality, name="Inköp utan kund"
                ),
                life_area=LifeArea.objects.get(number=6),
                period=Period.PER_WEEK,
                occasions=1,
                minutes=45,
                client_goal="Att själv välja vad som handlas.",
            )
        ],
    )
    return services.order_send(order=order, by=world.officer) if send else order


@pytest.fixture
def lisa(world) -> Order:
    return examples.build_lisa(officer=world.officer, provider=world.provider, unit=world.unit)


@pytest.fixture
def others(world, lisa) -> dict[str, Order]:
    return {
        "draft": _order(world, provider=world.provider, send=False),
        "other_provider": _order(world, provider=world.other_provider),
    }


def _url(order, action: str = "") -> str:
    return f"/api/bestallningar/{order.pk}/" + (f"{action}/" if action else "")


# ---------------------------------------------------------------------------------------------
# Reads


def test_a_provider_lists_only_the_orders_sent_to_it_with_their_time_basis(world, lisa, others):
    response = _api(world.coordinator).get("/api/bestallningar/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [lisa.pk]
    row = rows[0]
    assert (row["minutes_per_month"], row["hours_per_month"]) == (3096, "51:36")
    assert row["status"] == OrderStatus.SENT
    assert row["client"]["personal_number"] == lisa.client.personal_number_display
    minutes = {
        item["intervention_type"]: item["minutes_per_month"] for item in row["interventions"]
    }
    assert sum(minutes.values()) == 3096
    assert minutes["Promenad"] == 261
    promenad = next(i for i in row["interventions"] if i["intervention_type"] == "Promenad")
    assert promenad["frequency_text"] == "två gånger per vecka"
    assert promenad["time_text"] == "1 timmar/vecka, varje vecka"
    assert promenad["life_area_category"] == "Att röra sig omkring på olika platser"
    assert row["quality_warnings"] == []


@pytest.mark.parametrize(
    ("role", "which", "status"),
    [
        ("coordinator", "lisa", 200),
        ("coordinator", "draft", 404),
        ("coordinator", "other_provider", 404),
        ("contact_person", "draft", 404),
        ("other_coordinator", "lisa", 404),
        ("other_coordinator", "other_provider", 200),
        ("officer", "draft", 200),
        ("other_officer", "lisa", 404),
        ("other_officer", "draft", 404),
        ("fee_officer", "lisa", 404),
    ],
)
def test_order_detail_is_scoped(world, lisa, others, role, which, status):
    order = lisa if which == "lisa" else others[which]
    assert _api(getattr(world, role)).get(_url(order)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("manager", 200), ("other_officer", 404), ("coordinator", 404)],
)
def test_decisions_are_the_ordering_units_only(world, lisa, role, status):
    response = _api(getattr(world, role)).get(f"/api/beslut/{lisa.decision_id}/")

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert (body["outcome_display"], body["legal_basis"]) == ("Bifall", "SoL 4 kap. 1 §")
        assert body["decided_on"] == "2022-03-10"


def test_another_units_officer_lists_no_decisions_or_orders(world, lisa):
    api = _api(world.other_officer)
    assert api.get("/api/beslut/").json()["results"] == []
    assert api.get("/api/bestallningar/").json()["results"] == []


def test_orders_filter_by_status_and_refuse_an_unknown_one(world, lisa, others):
    api = _api(world.officer)

    drafts = api.get("/api/bestallningar/", {"status": "draft"}).json()["results"]
    assert [row["id"] for row in drafts] == [others["draft"].pk]
    response = api.get("/api/bestallningar/", {"status": "skickad"})
    assert response.status_code == 400
    assert "Okänd status" in response.json()["status"][0]


def test_reading_an_order_is_logged_for_its_client(world, lisa):
    _api(world.coordinator).get(_url(lisa))
    _api(world.coordinator).get("/api/bestallningar/")

    logs = AccessLog.objects.filter(client_ids__contains=[lisa.client.pk], user=world.coordinator)
    assert [log.action for log in logs] == [AccessAction.API, AccessAction.API]
    assert {log.what for log in logs} == {
        f"API {_url(lisa)}",
        "API /api/bestallningar/",
    }


def test_the_api_requires_authentication(world, lisa):
    assert APIClient().get("/api/bestallningar/").status_code in (401, 403)
    assert APIClient().post(_url(lisa, "kvittera")).status_code in (401, 403)


# ---------------------------------------------------------------------------------------------
# The provider's transitions


def test_the_coordinator_acknowledges_and_executes(world, lisa):
    api = _api(world.coordinator)

    received = api.post(_url(lisa, "kvittera"))
    assert received.status_code == 200
    assert received.json()["status"] == OrderStatus.RECEIVED
    executed = api.post(_url(lisa, "verkstall"), {"executed_on": "2022-03-14"}, format="json")
    assert executed.status_code == 200
    assert (executed.json()["status"], executed.json()["executed_on"]) == (
        OrderStatus.EXECUTED,
        "2022-03-14",
    )
    lisa.refresh_from_db()
    assert lisa.received_by == world.coordinator
    assert lisa.executed_on == datetime.date(2022, 3, 14)


def test_acknowledging_twice_is_refused_with_the_status(world, lisa):
    api = _api(world.coordinator)
    api.post(_url(lisa, "kvittera"))

    response = api.post(_url(lisa, "kvittera"))

    assert response.status_code == 403
    assert "Mottagen" in response.json()["detail"]


@pytest.mark.parametrize("role", ["contact_person", "officer", "manager"])
@pytest.mark.parametrize("action", ["kvittera", "verkstall"])
def test_only_the_providers_coordinator_acknowledges_and_executes(world, lisa, role, action):
    response = _api(getattr(world, role)).post(
        _url(lisa, action), {"executed_on": "2022-03-14"}, format="json"
    )

    assert response.status_code == 403
    assert "samordnare" in response.json()["detail"]
    lisa.refresh_from_db()
    assert lisa.status == OrderStatus.SENT


def test_another_provider_cannot_act_on_the_order(world, lisa):
    response = _api(world.other_coordinator).post(_url(lisa, "kvittera"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("executed_on", "message"),
    [
        ("2022-03-10", "kan inte vara före 2022-03-11"),
        ((timezone.localdate() + datetime.timedelta(days=1)).isoformat(), "i framtiden"),
    ],
)
def test_a_bad_execution_date_is_a_400_in_swedish_and_changes_nothing(
    world, lisa, executed_on, message
):
    response = _api(world.coordinator).post(
        _url(lisa, "verkstall"), {"executed_on": executed_on}, format="json"
    )

    assert response.status_code == 400
    assert message in response.json()["executed_on"][0]
    lisa.refresh_from_db()
    assert (lisa.status, lisa.executed_on, lisa.received_at) == (OrderStatus.SENT, None, None)


def test_an_execution_date_that_is_not_a_date_is_a_400(world, lisa):
    response = _api(world.coordinator).post(
        _url(lisa, "verkstall"), {"executed_on": "i morgon"}, format="json"
    )
    assert response.status_code == 400
    assert "executed_on" in response.json()


def test_the_provider_reports_a_change_of_need(world, lisa):
    response = _api(world.contact_person).post(
        _url(lisa, "forandrat-behov"),
        {
            "direction": "increased",
            "duration": "temporary",
            "reason": "illness",
            "description": "Lisa har haft feber och behöver mer tillsyn.",
        },
        format="json",
    )

    assert response.status_code == 201
    report = NeedChangeReport.objects.get()
    assert (report.order, report.reported_by) == (lisa, world.contact_person)
    assert response.json()["id"] == report.pk
    assert report.is_open


def test_a_change_of_need_with_an_unknown_choice_is_a_400(world, lisa):
    response = _api(world.contact_person).post(
        _url(lisa, "forandrat-behov"),
        {"direction": "more", "duration": "temporary", "reason": "illness", "description": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "direction" in response.json()
    assert not NeedChangeReport.objects.exists()


def test_the_officer_does_not_report_a_change_of_need(world, lisa):
    response = _api(world.officer).post(
        _url(lisa, "forandrat-behov"),
        {"direction": "increased", "duration": "lasting", "reason": "other", "description": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert not NeedChangeReport.objects.exists()


# ---------------------------------------------------------------------------------------------
# Lists read a fixed number of queries, however many rows


def _queries(api: APIClient, url: str) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()["results"]


def _granted(world, count: int) -> None:
    """Orders sent to the world's provider, each on a decision that grants two interventions."""
    for _ in range(count):
        _order(world, provider=world.provider, granted=["Inköp utan kund", "Städning 2 rok"])


def test_the_decisions_list_reads_the_same_queries_for_2_and_10_decisions(world):
    api = _api(world.officer)
    _granted(world, 2)
    two, page = _queries(api, "/api/beslut/")
    _granted(world, 8)
    ten, more = _queries(api, "/api/beslut/")

    assert (len(page), len(more)) == (2, 10)
    assert sorted(more[0]["granted_interventions"]) == ["Inköp utan kund", "Städning 2 rok"]
    assert two == ten


@pytest.mark.parametrize("role", ["officer", "coordinator"])
def test_the_orders_list_reads_the_same_queries_for_2_and_10_orders(world, role):
    api = _api(getattr(world, role))
    _granted(world, 2)
    two, page = _queries(api, "/api/bestallningar/")
    _granted(world, 8)
    ten, more = _queries(api, "/api/bestallningar/")

    assert (len(page), len(more)) == (2, 10)
    assert more[0]["interventions"][0]["minutes_per_month"] == 196  # 45 min × 4,35 weeks
    assert two == ten


# ---------------------------------------------------------------------------------------------
# The schema


def test_the_schema_builds_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/beslut/{id}/",
        "/api/bestallningar/{id}/kvittera/",
        "/api/bestallningar/{id}/verkstall/",
        "/api/bestallningar/{id}/forandrat-behov/",
    ):
        assert f"{path}:" in schema
