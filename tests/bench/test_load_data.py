"""The load-data generator (`manage.py generate_load_data`: ramtid/loaddata.py and each app's
loaddata.py) at 200 clients: it refuses a database not marked for load data, writes only
inserts, attributes its history, and gives the same data for the same seed. What it builds is
checked in test_load_data_states.py."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from bestallning.models import Decision, Order, OrderedIntervention
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanVersion,
)
from ramtid import loaddata
from ramtid.models import Client, ClientEvent
from tests.factories import MunicipalityFactory

TODAY = datetime.date(2026, 3, 16)


def generate(clients: int = 200, seed: int = 7, municipality: str = "Stockholm") -> str:
    out = StringIO()
    call_command("generate_load_data", clients=clients, seed=seed, municipality=municipality,
                 today=TODAY, stdout=out)  # fmt: skip
    return out.getvalue()


@pytest.fixture
def marked(db):
    """The test database marked for load data (COMMENT is transactional: rolled back after)."""
    loaddata.mark_database()
    assert loaddata.database_mark() == loaddata.LOAD_DATA_MARK


def test_refuses_a_database_not_marked_for_load_data(db):
    assert loaddata.database_mark() is None
    with pytest.raises(CommandError, match="inte märkt för lastdata"):
        generate()
    assert not Client.objects.exists()


def test_refuses_a_municipality_already_there(marked):
    MunicipalityFactory(name="Stockholm", code="0180")
    with pytest.raises(CommandError, match="Kommunen Stockholm finns redan"):
        generate()
    assert not Client.objects.exists()


def test_only_inserts_and_history_attributed_to_the_generator(marked):
    """Append-only tables (plan versions and reviews, the access log) take inserts only; the
    generator updates and deletes nothing anywhere. The audit trail has every row it wrote."""
    generate(clients=200)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_upd > 0 OR n_tup_del > 0"
        )
        assert cursor.fetchall() == []
    events = ClientEvent.objects.all()
    assert events.count() == Client.objects.count() == 200
    assert {event.pgh_context["task"] for event in events} == {"generate_load_data"}


def _contents() -> tuple:
    """What the generator wrote, without the ids (they come from the database's sequences)."""
    return (
        sorted(Client.objects.values_list(
            "personal_number", "first_name", "last_name", "ordering_unit__name",
            "responsible_officer__username", "street_address", "created_at")),
        sorted(Decision.objects.values_list(
            "client__personal_number", "outcome", "kind", "decided_on", "hours_per_month",
            "approval_status")),
        sorted(Order.objects.values_list(
            "client__personal_number", "provider__name", "status", "valid_from", "valid_to",
            "executed_on", "sent_at", "received_at", "daily_visits")),
        sorted(OrderedIntervention.objects.values_list(
            "order__client__personal_number", "order__valid_from", "intervention_type__name",
            "period", "occasions", "minutes", "weekdays", "every_n_weeks")),
        sorted(ContactAssignment.objects.values_list(
            "order__client__personal_number", "order__valid_from", "contact_person__username",
            "deputy__username", "assigned_on"), key=str),
        sorted(ImplementationPlan.objects.values_list(
            "client__personal_number", "provider__name", "status", "created_at")),
        sorted(PlanVersion.objects.values_list(
            "plan__client__personal_number", "number", "client_approved_on", "created_at")),
        sorted(PlanFollowUp.objects.values_list(
            "plan__client__personal_number", "followed_up_on", "needs_changed")),
    )  # fmt: skip


def test_the_same_seed_gives_the_same_data(marked):
    with transaction.atomic():
        generate(seed=7)
        first = _contents()
        transaction.set_rollback(True)
    with transaction.atomic():
        generate(seed=7)
        again = _contents()
        transaction.set_rollback(True)
    generate(seed=8)
    other = _contents()
    assert first == again
    assert first[0] != other[0]
    assert first[2] != other[2]
