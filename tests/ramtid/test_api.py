"""The core's API: the exception handler every app's API shares, the intervention catalogue, and
a clients list whose queries do not grow with its rows."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ramtid.api.exceptions import exception_handler
from ramtid.choices import InterventionCategory
from ramtid.models import InterventionType
from ramtid.services import catalogue_copy_defaults
from tests.factories import ClientFactory, ClientRelativeFactory, UserFactory


def _api(user) -> APIClient:
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def _queries(api: APIClient, url: str, **params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()


# ---------------------------------------------------------------------------------------------
# The exception handler: the services' ValidationError is a 400 with their messages by field


def test_a_service_error_by_field_is_a_400_keyed_by_field():
    error = DjangoValidationError(
        {"deputy": "Ersättaren ska vara en annan person än kontaktmannen.", "__all__": "Nej."}
    )

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "deputy": ["Ersättaren ska vara en annan person än kontaktmannen."],
        "non_field_errors": ["Nej."],
    }


def test_a_service_error_without_a_field_is_a_non_field_error():
    response = exception_handler(
        DjangoValidationError(["Planen har inga insatser.", "Skriv hur brukaren godkände planen."]),
        {},
    )

    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["Planen har inga insatser.", "Skriv hur brukaren godkände planen."]
    }


def test_other_errors_are_left_to_drf():
    assert exception_handler(ValueError("ett programfel"), {}) is None


# ---------------------------------------------------------------------------------------------
# The intervention catalogue


def _catalogues(world) -> None:
    catalogue_copy_defaults(municipality=world.municipality)
    catalogue_copy_defaults(municipality=world.other_municipality)


def test_the_catalogue_lists_the_interventions_of_the_users_municipality(world):
    _catalogues(world)

    rows = _api(world.contact_person).get("/api/insatser/").json()["results"]

    own = InterventionType.objects.filter(municipality=world.municipality)
    assert sorted(row["id"] for row in rows) == sorted(own.values_list("pk", flat=True))
    package = own.get(name="Omvårdnadspaket morgon")
    assert next(row for row in rows if row["id"] == package.pk) == {
        "id": package.pk,
        "municipality": "Järfälla",
        "name": "Omvårdnadspaket morgon",
        "category": "personal_care",
        "category_display": "Omvårdnadsinsats",
        "standard_minutes": package.standard_minutes,
        "is_care_package": True,
        "active": True,
    }


def test_another_municipalitys_intervention_is_a_404(world):
    _catalogues(world)
    stockholms = InterventionType.objects.get(municipality=world.other_municipality, name="Disk")
    default = InterventionType.objects.get(municipality=None, name="Disk")

    assert _api(world.coordinator).get(f"/api/insatser/{stockholms.pk}/").status_code == 404
    assert _api(world.coordinator).get(f"/api/insatser/{default.pk}/").status_code == 404
    assert _api(world.other_officer).get(f"/api/insatser/{stockholms.pk}/").status_code == 200


def test_a_user_without_a_membership_sees_no_catalogue(world):
    _catalogues(world)
    assert _api(UserFactory()).get("/api/insatser/").json()["results"] == []


def test_the_catalogue_filters_by_category_and_active(world):
    _catalogues(world)
    retired = InterventionType.objects.get(municipality=world.municipality, name="Disk")
    InterventionType.objects.filter(pk=retired.pk).update(active=False)
    api = _api(world.officer)

    services = api.get("/api/insatser/", {"category": "service"}).json()["results"]
    assert services
    assert {row["category"] for row in services} == {InterventionCategory.SERVICE}
    inactive = api.get("/api/insatser/", {"active": "false"}).json()["results"]
    assert [row["id"] for row in inactive] == [retired.pk]


def test_an_unknown_category_is_a_400_in_swedish(world):
    response = _api(world.officer).get("/api/insatser/", {"category": "städning"})

    assert response.status_code == 400
    assert response.json() == {"category": ["Okänd kategori. Välj bland: service, personal_care."]}


def test_the_catalogue_requires_authentication(world):
    assert APIClient().get("/api/insatser/").status_code in (401, 403)


def test_the_catalogue_reads_the_same_queries_for_2_and_10_rows(world):
    _catalogues(world)
    api = _api(world.coordinator)

    two, page = _queries(api, "/api/insatser/", limit=2)
    ten, more = _queries(api, "/api/insatser/", limit=10)

    assert (len(page["results"]), len(more["results"])) == (2, 10)
    assert two == ten


# ---------------------------------------------------------------------------------------------
# Clients


def _clients(world, count: int) -> None:
    for _ in range(count):
        client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
        ClientRelativeFactory(client=client)


def test_the_clients_list_reads_the_same_queries_for_2_and_10_clients(world):
    api = _api(world.officer)
    _clients(world, 1)  # and world.client: 2

    two, page = _queries(api, "/api/brukare/")
    _clients(world, 8)
    ten, more = _queries(api, "/api/brukare/")

    assert (len(page["results"]), len(more["results"])) == (2, 10)
    assert more["results"][0]["ordering_unit"] == "Biståndsenheten Järfälla (Järfälla)"
    assert two == ten
