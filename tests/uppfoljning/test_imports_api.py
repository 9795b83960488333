"""POST /api/besok/: the same checks as a file (the same SQL), all or nothing, for a provider's
system (here in the coordinator's session; tests/ramtid/test_api_tokens.py posts visits with a
provider's API key); GET /api/besok/importer/ lists the imports the caller may see."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import ClientFactory
from tests.uppfoljning.imports_helpers import day, sent_order, visit_row
from uppfoljning.choices import ImportChannel, ImportStatus
from uppfoljning.models import PerformedVisit, VisitImport

URL = "/api/besok/"


def api_for(user) -> APIClient:
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def as_json(row: dict) -> dict:
    names = {"besoks_id": "external_id", "personnummer": "personal_number", "start": "start",
             "slut": "end", "personal": "staff", "insats": "intervention", "status": "status",
             "orsak": "reason"}  # fmt: skip
    return {names[key]: value for key, value in row.items()}


@pytest.fixture
def order(world):
    return sent_order(world)


def test_a_batch_is_saved_and_sent_again_is_updated(world, order):
    api = api_for(world.coordinator)
    rows = [as_json(visit_row(world.client, "J1", day(5))),
            as_json(visit_row(world.client, "J2", day(5), status="performed"))]  # fmt: skip
    response = api.post(URL, rows, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert PerformedVisit.objects.count() == 2
    rows[0]["end"] = rows[0]["end"].replace("08:45", "09:00")
    response = api.post(URL, rows, format="json")
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    assert VisitImport.objects.filter(channel=ImportChannel.API).count() == 2
    listed = api.get(URL + "importer/").json()
    assert listed["count"] == 2


def test_a_bad_batch_returns_every_error_by_row_and_field_and_saves_nothing(world, order):
    stranger = ClientFactory(ordering_unit=world.unit)
    rows = [
        as_json(visit_row(world.client, "K1", day(5))),
        as_json(visit_row(stranger, "K2", day(5))),
        as_json(visit_row(world.client, "K3", day(5), status="okänd", slut="2026-02-31 10:00")),
    ]
    response = api_for(world.coordinator).post(URL, rows, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "personal_number"), (3, "end"), (3, "status")
    ]  # fmt: skip
    assert stranger.personal_number not in response.content.decode()
    assert not PerformedVisit.objects.exists()
    assert VisitImport.objects.get().status == ImportStatus.REJECTED


def test_values_that_are_not_text_and_a_body_that_is_not_a_list_are_refused(world, order):
    api = api_for(world.coordinator)
    row = as_json(visit_row(world.client, "L1", day(5)))
    row["staff"] = {"name": "Anna"}
    response = api.post(URL, [row], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "staff", "message": "Värdet ska vara en text."}
    ]
    response = api.post(URL, {"a": 1}, format="json")
    assert response.status_code == 400
    # The row a number as in every other error (found by tests/ramtid/test_api_fuzz.py: it was
    # the text "0", against the schema).
    assert response.json() == {
        "errors": [{"row": 0, "field": "", "message": "Skicka en lista med besök."}]
    }


def test_a_provider_cannot_write_visits_for_another_providers_client(world, order):
    # The other provider's coordinator sends our client's visit: as unknown as anyone.
    response = api_for(world.other_coordinator).post(
        URL, [as_json(visit_row(world.client, "Z1", day(5)))], format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "personal_number"
    assert not PerformedVisit.objects.exists()


def test_who_may_send(world, order):
    rows = [as_json(visit_row(world.client, "W1", day(5)))]
    assert api_for(world.officer).post(URL, rows, format="json").status_code == 400  # no provider
    admin = api_for(world.administrator)
    assert admin.post(URL, rows, format="json").status_code == 400  # must name the provider
    response = admin.post(f"{URL}?provider={world.provider.pk}", rows, format="json")
    assert response.status_code == 201
    other = api_for(world.coordinator)
    assert (
        other.post(f"{URL}?provider={world.other_provider.pk}", rows, format="json").status_code
        == 404
    )
    assert APIClient().post(URL, rows, format="json").status_code in (401, 403)
