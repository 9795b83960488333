"""Protected identity (skyddade personuppgifter) in the client edit form (issue 10): hidden means
hidden in the form too, the read is logged, and an officer cannot make herself responsible."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ramtid import services
from ramtid.choices import Role
from ramtid.models import AccessLog, Client
from tests.factories import UserFactory, member


@pytest.fixture
def protected(world):
    """The client has protected identity; `world.officer` is responsible, `colleague` is an
    officer of the same unit who is not."""
    Client.objects.filter(pk=world.client.pk).update(
        protected_identity=True, responsible_officer=world.officer
    )
    world.client.refresh_from_db()
    world.colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    return world


def _edit_url(world):
    return reverse("client_edit", args=[world.client.pk])


def test_the_form_hides_a_protected_address_and_phone_from_a_colleague(protected):
    page = protected.login(protected.colleague).get(_edit_url(protected))
    html = page.content.decode()
    assert page.status_code == 200
    assert protected.client.street_address not in html
    assert protected.client.phone not in html
    assert 'name="street_address"' not in html
    assert 'name="protected_identity"' not in html
    assert 'name="responsible_officer"' not in html
    assert "Bara brukarens ansvariga handläggare" in html


def test_the_responsible_officer_sees_and_edits_everything(protected):
    html = protected.login(protected.officer).get(_edit_url(protected)).content.decode()
    assert protected.client.street_address in html
    assert 'name="responsible_officer"' in html


def test_a_colleague_cannot_make_herself_responsible_or_lift_the_protection(protected):
    http = protected.login(protected.colleague)
    response = http.post(
        _edit_url(protected),
        {
            "first_name": protected.client.first_name,
            "last_name": protected.client.last_name,
            "gender": protected.client.gender,
            "responsible_officer": protected.colleague.pk,
            "protected_identity": "",
            "street_address": "Ny gata 5",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(pk=protected.client.pk)
    assert client.responsible_officer_id == protected.officer.pk
    assert client.protected_identity is True
    assert client.street_address == protected.client.street_address


def test_the_service_refuses_what_the_form_leaves_out(protected):
    with pytest.raises(ValidationError, match="skyddade personuppgifter"):
        services.client_update(client=protected.client, by=protected.colleague, phone="070-1")
    with pytest.raises(ValidationError) as error:
        services.client_update(
            client=protected.client,
            by=protected.colleague,
            responsible_officer=protected.colleague,
        )
    assert "responsible_officer" in error.value.message_dict
    assert Client.objects.get(pk=protected.client.pk).responsible_officer_id == protected.officer.pk


def test_the_unit_manager_assigns_the_case_but_sees_no_address(protected):
    http = protected.login(protected.manager)
    html = http.get(_edit_url(protected)).content.decode()
    assert 'name="responsible_officer"' in html
    assert protected.client.street_address not in html
    assert 'name="first_name"' not in html
    response = http.post(_edit_url(protected), {"responsible_officer": protected.colleague.pk})
    assert response.status_code == 302
    client = Client.objects.get(pk=protected.client.pk)
    assert client.responsible_officer_id == protected.colleague.pk
    assert client.street_address == protected.client.street_address


def test_the_responsible_officer_hands_the_case_on(protected):
    services.client_update(
        client=protected.client, by=protected.officer, responsible_officer=protected.colleague
    )
    assert Client.objects.get(pk=protected.client.pk).responsible_officer_id == (
        protected.colleague.pk
    )


def test_opening_the_form_is_a_logged_read(protected):
    protected.login(protected.colleague).get(_edit_url(protected))
    entry = AccessLog.objects.get(user=protected.colleague)
    assert entry.client_ids == [protected.client.pk]
    assert entry.what == "Ändra brukarens uppgifter"


def test_a_unit_manager_cannot_open_the_form_of_an_unprotected_client(world):
    assert world.login(world.manager).get(_edit_url(world)).status_code == 403


def test_unprotected_clients_are_edited_by_any_officer_of_the_unit(world):
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    services.client_update(client=world.client, by=colleague, responsible_officer=colleague)
    assert Client.objects.get(pk=world.client.pk).responsible_officer_id == colleague.pk
