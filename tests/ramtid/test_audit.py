"""The audit trail: every read and write of a client's data, append-only in the database."""

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from ramtid.choices import AccessAction
from ramtid.models import AccessLog, Client, ClientEvent, ClientRelativeEvent
from tests.factories import ClientFactory, ClientRelativeFactory


def test_opening_a_client_is_logged_with_who_what_and_where(world):
    http = world.login(world.officer)
    http.get(reverse("client_detail", args=[world.client.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.client, entry.action) == (
        world.officer,
        world.client,
        AccessAction.VIEW,
    )
    assert entry.ip_address == "10.1.2.3"
    assert entry.at is not None


def test_listing_logs_each_client_shown_in_one_insert(world, django_assert_max_num_queries):
    ClientFactory.create_batch(3, ordering_unit=world.unit)
    http = world.login(world.officer)
    http.get(reverse("client_list"))
    assert AccessLog.objects.filter(action=AccessAction.LIST).count() == 4
    assert set(AccessLog.objects.values_list("user", flat=True)) == {world.officer.pk}


def test_export_and_api_reads_are_logged(world):
    http = world.login(world.officer)
    http.get(reverse("client_export", args=[world.client.pk]))
    http.get(f"/api/brukare/{world.client.pk}/")
    http.get("/api/brukare/")
    actions = list(AccessLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AccessAction.EXPORT, AccessAction.API, AccessAction.API]


def test_a_404_is_not_logged_as_a_read(world):
    world.login(world.other_officer).get(reverse("client_detail", args=[world.client.pk]))
    assert not AccessLog.objects.exists()


def test_a_change_through_the_page_records_the_person_and_address(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("client_edit", args=[world.client.pk]),
        {
            "first_name": "Lisa",
            "last_name": "Andersson",
            "gender": "female",
            "street_address": "Nygatan 5",
            "postal_code": "17730",
            "city": "Järfälla",
            "phone": "070-111 22 33",
            "responsible_officer": world.officer.pk,
        },
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302
    event = ClientEvent.objects.filter(pgh_obj_id=world.client.pk, pgh_label="update").get()
    assert event.street_address == "Nygatan 5"
    assert event.pgh_context["user"] == world.officer.pk
    assert event.pgh_context["ip"] == "10.9.8.7"
    assert event.pgh_context["url"] == reverse("client_edit", args=[world.client.pk])


def test_bulk_writes_are_captured_by_the_database_triggers(world):
    others = ClientFactory.create_batch(3, ordering_unit=world.unit)
    with pghistory.context(user=world.officer.pk):
        updated = Client.objects.filter(ordering_unit=world.unit).update(city="Jakobsberg")
    assert updated == 4
    events = ClientEvent.objects.filter(pgh_label="update", city="Jakobsberg")
    assert {e.pgh_obj_id for e in events} == {world.client.pk, *(c.pk for c in others)}
    assert all(e.pgh_context["user"] == world.officer.pk for e in events)


def test_relatives_are_audited_too(world):
    relative = ClientRelativeFactory(client=world.client)
    relative.delete()
    labels = set(ClientRelativeEvent.objects.values_list("pgh_label", flat=True))
    assert labels == {"insert", "delete"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ramtid_accesslog SET what = 'ändrad'",
        "DELETE FROM ramtid_accesslog",
        "UPDATE ramtid_clientevent SET first_name = 'ändrad'",
        "DELETE FROM ramtid_clientevent",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(world, statement):
    world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    assert AccessLog.objects.exists() and ClientEvent.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_unit_manager_sees_who_accessed_the_client_and_when(world):
    world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    with pghistory.context(user=world.officer.pk):
        Client.objects.filter(pk=world.client.pk).update(phone="08-000 00 00")
    response = world.login(world.manager).get(reverse("client_access_log", args=[world.client.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    kinds = [(row["user"], row["kind"]) for row in entries]
    assert (world.officer, "Öppnade") in kinds
    assert (world.officer, "Ändrade") in kinds
    assert entries == sorted(entries, key=lambda row: row["at"], reverse=True)
    assert str(world.officer) in response.content.decode()
