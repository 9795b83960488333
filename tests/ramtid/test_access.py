"""Who sees what: another organisation's client is a 404 on every page, export and API endpoint."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ramtid.selectors import clients_visible_to

CLIENT_URLS = ["client_detail", "client_edit", "client_export", "client_access_log"]


@pytest.mark.parametrize("url_name", CLIENT_URLS)
@pytest.mark.parametrize(
    "role",
    [
        "other_officer",
        "other_manager",
        "coordinator",
        "contact_person",
        "other_coordinator",
        "fee_officer",
        "administrator",
    ],
)
def test_client_pages_are_404_for_every_other_organisation(world, role, url_name):
    http = world.login(getattr(world, role))
    response = http.get(reverse(url_name, args=[world.client.pk]))
    assert response.status_code == 404


def test_client_pages_are_404_for_a_client_that_does_not_exist(world):
    http = world.login(world.officer)
    assert http.get(reverse("client_detail", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        ("officer", "client_detail", 200),
        ("officer", "client_edit", 200),
        ("officer", "client_export", 200),
        ("officer", "client_access_log", 403),  # sees the client, not the manager's log
        ("manager", "client_detail", 200),
        ("manager", "client_edit", 403),
        ("manager", "client_export", 200),
        ("manager", "client_access_log", 200),
    ],
)
def test_own_unit_reaches_the_client(world, role, url_name, status):
    http = world.login(getattr(world, role))
    assert http.get(reverse(url_name, args=[world.client.pk])).status_code == status


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("client_detail", args=[world.client.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_officer_lists_only_the_clients_of_their_unit(world):
    http = world.login(world.officer)
    response = http.get(reverse("client_list"))
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed == [world.client]
    assert "Östlund" not in response.content.decode()


def test_search_cannot_find_another_units_client_by_personal_number(world):
    http = world.login(world.officer)
    response = http.post(reverse("client_list"), {"q": world.other_client.personal_number})
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("role", ["coordinator", "contact_person", "fee_officer", "administrator"])
def test_roles_without_a_unit_see_no_clients_until_orders_exist(world, role):
    # A provider sees only clients it has an order for; orders arrive with the next issue.
    assert list(clients_visible_to(getattr(world, role))) == []
    response = world.login(getattr(world, role)).get(reverse("client_list"))
    assert list(response.context["page"].object_list) == []


def _api(user):
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def test_api_lists_only_visible_clients(world):
    response = _api(world.officer).get("/api/brukare/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.client.pk]


@pytest.mark.parametrize(
    "role", ["other_officer", "other_manager", "coordinator", "other_coordinator", "fee_officer"]
)
def test_api_detail_of_another_organisations_client_is_404(world, role):
    response = _api(getattr(world, role)).get(f"/api/brukare/{world.client.pk}/")
    assert response.status_code == 404


def test_api_requires_authentication(world):
    assert APIClient().get("/api/brukare/").status_code in (401, 403)


def test_protected_identity_hides_address_from_all_but_the_responsible_officer(world):
    world.client.protected_identity = True
    world.client.save()
    manager_page = world.login(world.manager).get(reverse("client_detail", args=[world.client.pk]))
    assert manager_page.status_code == 200
    assert world.client.street_address not in manager_page.content.decode()
    officer_page = world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    assert world.client.street_address in officer_page.content.decode()
    api_row = _api(world.manager).get(f"/api/brukare/{world.client.pk}/").json()
    assert api_row["street_address"] is None and api_row["phone"] is None
    assert _api(world.officer).get(f"/api/brukare/{world.client.pk}/").json()["phone"]


def test_personal_numbers_are_masked_in_the_list_and_full_on_the_client_page(world):
    http = world.login(world.officer)
    listing = http.get(reverse("client_list")).content.decode()
    assert world.client.personal_number_masked in listing
    assert world.client.personal_number_display not in listing
    detail = http.get(reverse("client_detail", args=[world.client.pk])).content.decode()
    assert world.client.personal_number_display in detail


def test_protected_identity_also_hides_relatives_contact_details(world):
    from tests.factories import ClientRelativeFactory

    ClientRelativeFactory(client=world.client, phone="070-555 12 34", email="anna@example.se")
    world.client.protected_identity = True
    world.client.save()
    page = world.login(world.manager).get(reverse("client_detail", args=[world.client.pk]))
    assert "070-555 12 34" not in page.content.decode()
    assert "anna@example.se" not in page.content.decode()
    relative = _api(world.manager).get(f"/api/brukare/{world.client.pk}/").json()["relatives"][0]
    assert relative["phone"] is None and relative["email"] is None
    own = world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    assert "070-555 12 34" in own.content.decode()
