"""Plausibility flags (uppfoljning.plausibility): flagged, never rejected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ClientFactory
from tests.uppfoljning.imports_helpers import (
    csv_bytes,
    file_importer,
    last_month,
    sent_order,
    visit_row,
)
from uppfoljning.choices import ImportStatus
from uppfoljning.plausibility import (
    ABSENT_DAY,
    LONG,
    OVERLAP,
    client_month_flags,
    provider_month_flags,
)


@pytest.fixture
def imported(world, monkeypatch, django_capture_on_commit_callbacks):
    return file_importer(world, monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def visits(world, imported):
    """Lisa and Bo, both our clients; one week's day of visits with something odd in each."""
    bo = ClientFactory(ordering_unit=world.unit, first_name="Bo", last_name="Bengtsson")
    sent_order(world)
    sent_order(world, client=bo)
    on, lisa = last_month(0), world.client
    rows = [
        visit_row(lisa, "L-overlap", on, "08:00", "08:45", personal="P1"),
        visit_row(bo, "B-overlap", on, "08:30", "09:00", personal="P1"),
        visit_row(bo, "B-after", on, "09:00", "09:20", personal="P1"),  # touches, no overlap
        visit_row(lisa, "L-double", on, "08:00", "08:45", personal="P2"),  # double staffing
        visit_row(lisa, "L-long", last_month(1), "09:00", "13:30", personal="P3"),
        visit_row(lisa, "L-exact", last_month(2), "09:00", "13:00", personal="P3"),  # 4 h: not over
        visit_row(
            bo, "B-absent", last_month(3), "08:00", "08:30", personal="P4", status="frånvaro"
        ),
        visit_row(bo, "B-performed", last_month(3), "18:00", "18:30", personal="P5"),
        visit_row(
            bo, "B-declined", last_month(3), "19:00", "19:30", personal="P5", status="avböjd"
        ),
    ]
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE
    return lisa, bo


def _kinds(flags) -> set[tuple[str, str]]:
    return {(f.kind, f.external_id) for f in flags}


def test_a_clients_month_is_flagged(world, visits):
    lisa, bo = visits
    month = last_month().replace(day=1)  # every day of the fixture is in it (the 10th on)
    assert _kinds(client_month_flags(client_id=lisa.pk, month=month, provider_ids=None)) == {
        (OVERLAP, "L-overlap"),
        (LONG, "L-long"),
    }
    assert _kinds(client_month_flags(client_id=bo.pk, month=month, provider_ids=None)) == {
        (OVERLAP, "B-overlap"),
        (ABSENT_DAY, "B-performed"),
    }
    # Another provider's view of the client has none of our visits, so no flags.
    assert not client_month_flags(
        client_id=bo.pk, month=month, provider_ids={world.other_provider.pk}
    )


def test_a_providers_month_is_a_bounded_list(world, visits):
    month = last_month().replace(day=1)
    flags, total = provider_month_flags(provider_id=world.provider.pk, month=month)
    assert total == 3
    assert _kinds(flags) == {(OVERLAP, "B-overlap"), (LONG, "L-long"), (ABSENT_DAY, "B-performed")}
    first, total = provider_month_flags(provider_id=world.provider.pk, month=month, limit=1)
    assert (len(first), total) == (1, 3)


def test_the_client_page_shows_the_flags(world, visits):
    lisa, bo = visits
    body = (
        world.login(world.officer)
        .get(reverse("client_visits", args=[lisa.pk]), {"manad": last_month().strftime("%Y-%m")})
        .content.decode()
    )
    assert "Personalen P1 var registrerad hos en annan brukare samtidigt." in body
    assert "Besöket är längre än fyra timmar (4:30)." in body
    # The other client is never named (by the last name: "Bo" alone turns up in the page's
    # random tokens).
    assert bo.last_name not in body
