"""The audit trail: every read and write of a client's data, append-only in the database."""

import pghistory
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ramtid import permissions, selectors
from ramtid.audit import log_access
from ramtid.choices import AccessAction, AccessChannel
from ramtid.models import AccessLog, Client, ClientEvent, ClientRelativeEvent
from tests.factories import ClientFactory, ClientRelativeFactory, api_token, token_api


def test_opening_a_client_is_logged_with_who_what_and_where(world):
    http = world.login(world.officer)
    http.get(reverse("client_detail", args=[world.client.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.client_ids, entry.action) == (
        world.officer,
        [world.client.pk],
        AccessAction.VIEW,
    )
    assert entry.ip_address == "10.1.2.3"
    assert entry.channel == AccessChannel.SESSION
    assert entry.at is not None


def test_listing_logs_every_client_shown_in_one_row(world):
    others = ClientFactory.create_batch(3, ordering_unit=world.unit)
    http = world.login(world.officer)
    http.get(reverse("client_list"))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.what) == (
        world.officer,
        AccessAction.LIST,
        "Brukarlistan",
    )
    assert sorted(entry.client_ids) == sorted([world.client.pk, *(c.pk for c in others)])


@pytest.mark.parametrize("shown", [1, 100])
def test_one_insert_whatever_the_number_of_clients(world, shown):
    clients = [world.client, *ClientFactory.build_batch(shown - 1)]
    for pk, client in enumerate(clients[1:], start=world.client.pk + 1):
        client.pk = pk  # only the ids are written; the log does not need the rows
    # The roles the row names (acted_as) are those the request has read already, once.
    permissions.memberships(world.officer)
    with CaptureQueriesContext(connection) as queries:
        log_access(
            user=world.officer, clients=iter(clients), action=AccessAction.LIST, what="Lista"
        )
    assert len(queries) == 1
    assert queries[0]["sql"].startswith('INSERT INTO "ramtid_accesslog"')
    assert AccessLog.objects.get().client_ids == [c.pk for c in clients]


def test_ids_are_taken_too_each_once_and_nothing_shown_is_nothing_logged(world):
    with CaptureQueriesContext(connection) as queries:
        log_access(user=world.officer, clients=[], action=AccessAction.LIST, what="Tom lista")
    assert len(queries) == 0
    log_access(
        user=world.officer,
        clients=[world.client.pk, world.client, 7, 7],
        action=AccessAction.LIST,
        what="Lista",
    )
    assert AccessLog.objects.get().client_ids == [world.client.pk, 7]
    assert AccessLog.objects.get().channel == ""  # no request: neither session nor token


def test_the_database_refuses_a_row_that_names_no_client(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.create(user=world.officer, client_ids=[], action="view", what="x")


def test_export_and_api_reads_are_logged(world):
    http = world.login(world.officer)
    http.get(reverse("client_export", args=[world.client.pk]))
    http.get(f"/api/brukare/{world.client.pk}/")
    http.get("/api/brukare/")
    rows = list(AccessLog.objects.order_by("id").values_list("action", "client_ids", "channel"))
    assert rows == [
        (AccessAction.EXPORT, [world.client.pk], AccessChannel.SESSION),
        (AccessAction.API, [world.client.pk], AccessChannel.SESSION),
        (AccessAction.API, [world.client.pk], AccessChannel.SESSION),
    ]


def test_an_api_read_with_a_token_is_logged_as_such(world):
    # The unit's system, with a key of its own (keys are for integration accounts only).
    token, key = api_token(unit=world.unit)
    assert token_api(key).get("/api/brukare/").status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.client_ids, entry.channel) == (
        token.user,
        AccessAction.API,
        [world.client.pk],
        AccessChannel.TOKEN,
    )


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


def test_the_access_log_page_says_how_many_a_list_showed_and_pages_newest_first(world):
    others = ClientFactory.create_batch(49, ordering_unit=world.unit)
    world.login(world.officer).get(reverse("client_list"))  # 50 clients on the first page
    for n in range(60):
        log_access(
            user=world.officer, clients=[world.client], action=AccessAction.VIEW, what=f"Nr {n}"
        )
    log_access(user=world.officer, clients=others, action=AccessAction.LIST, what="Utan Lisa")
    url = reverse("client_access_log", args=[world.client.pk])
    http = world.login(world.manager)

    first = http.get(url)
    entries = first.context["entries"]
    # 62 reads (the list, 60 views, the manager's own) and one write (the client registered)
    assert first.context["page"].paginator.count == 63
    assert len(entries) == 50
    assert entries[0]["what"] == "Åtkomstloggen"  # the manager's own read comes first
    assert [e["what"] for e in entries[1:4]] == ["Nr 59", "Nr 58", "Nr 57"]
    html = first.content.decode()
    assert "?sida=2" in html and "Sida 1 av 2" in html

    last = http.get(url, {"sida": 2}).context["entries"]
    assert [e["what"] for e in last[-3:]] == ["Nr 0", "Brukarlistan", "Brukaruppgifter"]
    assert last[-2]["shown"] == 50
    html = http.get(url, {"sida": 2}).content.decode()
    assert 'Brukarlistan <span class="muted">(en av 50 brukare)</span>' in html
    assert "Utan Lisa" not in html


def test_who_saw_a_client_is_found_through_the_index(world):
    # Given a log of 20,000 lists of 20 clients each, none of them this client, ...
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ramtid_accesslog (at, user_id, client_ids, action, what, channel) "
            "SELECT now() - make_interval(secs => g), %s, "
            "  ARRAY(SELECT 1000000 + (g * 7 + k) %% 5000 FROM generate_series(1, 20) k), "
            "  'list', 'Brukarlistan', 'session' "
            "FROM generate_series(1, 20000) g",
            [world.officer.pk],
        )
    log_access(user=world.officer, clients=[world.client], action=AccessAction.VIEW, what="Sidan")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ramtid_accesslog")
        # New ids wait in the GIN index's pending list until autovacuum (which PostgreSQL 13+
        # runs on insert-only tables too) merges them; do here what it does.
        cursor.execute("SELECT gin_clean_pending_list('access_log_client_ids')")
    # ... the page's query for one client reads the GIN index, not the table.
    reads = selectors.client_access_history(client=world.client).reads
    assert "access_log_client_ids" in reads[:50].explain()
    assert "access_log_client_ids" in reads.explain()
    assert [entry.what for entry in reads] == ["Sidan"]


def test_the_migration_turns_each_old_row_into_a_row_naming_its_client(world):
    """0004 on a populated table, both ways: back, one row per client; forward, one id each."""
    others = ClientFactory.create_batch(2, ordering_unit=world.unit)
    ids = [world.client.pk, *(c.pk for c in others)]
    log_access(user=world.officer, clients=ids, action=AccessAction.LIST, what="Brukarlistan")
    before = AccessLog.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER TABLE

    old = _migrate(("ramtid", "0003_client_search")).get_model("ramtid", "AccessLog")
    rows = list(old.objects.order_by("client_id").values("client_id", "user_id", "at", "what"))
    assert rows == [
        {"client_id": pk, "user_id": world.officer.pk, "at": before.at, "what": "Brukarlistan"}
        for pk in sorted(ids)
    ]
    old.objects.create(
        user_id=world.manager.pk, client_id=world.client.pk, action="view", what="Brukarsidan"
    )

    new = _migrate(("ramtid", "0004_access_log_one_row_per_request")).get_model(
        "ramtid", "AccessLog"
    )
    converted = new.objects.order_by("id").values_list("user_id", "client_ids", "what")
    assert list(converted) == [
        *((world.officer.pk, [pk], "Brukarlistan") for pk in ids),
        (world.manager.pk, [world.client.pk], "Brukarsidan"),
    ]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ramtid_accesslog")  # append-only again


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _read_as(world, settings, **meta):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    http = world.login(world.officer)
    http.get(reverse("client_detail", args=[world.client.pk]), **meta)
    return AccessLog.objects.filter(user=world.officer).latest("at").ip_address


def test_behind_the_proxy_its_forwarded_address_is_logged(world, settings):
    address = _read_as(
        world, settings, REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )
    assert address == "198.51.100.7"  # the entry our proxy added, not what the browser sent


def test_a_forwarded_address_from_anyone_but_the_proxy_is_not_believed(world, settings):
    # Issue 10: reaching gunicorn directly with a made-up X-Forwarded-For forged the address.
    address = _read_as(
        world, settings, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert address == "203.0.113.50"
