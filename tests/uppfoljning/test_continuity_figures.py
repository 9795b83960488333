"""`uppfoljning.continuity.continuity_figures`: staff continuity of stored result rows per
provider, ordering unit, officer and month, for the dashboard and the liaison pack."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.uppfoljning.reviews_helpers import add_visits, day, executed_order, new_client
from uppfoljning.continuity import continuity_figures
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import results_visible_to, run_month

OCTOBER, NOVEMBER = day("2026-10-01"), day("2026-11-01")


def _staff(prefix: str, count: int, on: str) -> list[tuple[str, str]]:
    return [(f"{on} {8 + index % 12:02d}:00", f"{prefix}{index}") for index in range(count)]


@pytest.fixture
def checked(world):
    """Lisa: 7 staff at the provider and 11 at the other; Nils: 12 at the provider; Rut: an
    order at the provider without visits. November checked."""
    lisa = executed_order(world, client=world.client, executed_on=day("2026-09-01"))
    lisa_other = executed_order(
        world, client=world.client, executed_on=day("2026-09-01"), provider=world.other_provider
    )
    nils = executed_order(world, client=new_client(world), executed_on=day("2026-09-01"))
    executed_order(world, client=new_client(world), executed_on=day("2026-09-01"))
    add_visits(lisa, _staff("p", 7, "2026-11-10"))
    add_visits(lisa_other, _staff("q", 11, "2026-11-12"))
    add_visits(nils, _staff("r", 12, "2026-11-14"))
    run_month(municipality=world.municipality, month=NOVEMBER, today=day("2026-12-06"))
    return nils


def _key(figures, **key):
    [found] = [f for f in figures if all(f.key[name] == value for name, value in key.items())]
    return found


def test_the_total(world, checked):
    results = MonthlyTimeResult.objects.filter(month=NOVEMBER)

    with CaptureQueriesContext(connection) as queries:
        [total] = continuity_figures(results)

    assert len(queries) == 1
    assert total.key == {}
    assert (total.rows, total.rows_measured) == (4, 3)
    # Lisa once though measured twice; Rut has no figure.
    assert (total.clients_measured, total.clients_over_goal) == (2, 2)
    assert (total.median_staff, total.max_staff) == (11, 12)
    assert total.share_over_goal == 1


def test_per_provider_and_the_goal(world, checked):
    results = MonthlyTimeResult.objects.filter(month=NOVEMBER)

    figures = continuity_figures(results, group_by=["provider"])

    assert [f.key["provider"] for f in figures] == sorted(
        [world.provider.pk, world.other_provider.pk]
    )
    own = _key(figures, provider=world.provider.pk)
    assert (own.rows, own.rows_measured, own.clients_measured) == (3, 2, 2)
    assert own.clients_over_goal == 1  # Nils's 12; Lisa's 7 at this provider is within
    assert (own.median_staff, own.max_staff) == (9.5, 12)
    other = _key(figures, provider=world.other_provider.pk)
    assert (other.rows, other.clients_over_goal, other.max_staff) == (1, 1, 11)

    # The goal itself is not over the goal.
    world.municipality.continuity_goal = 11
    world.municipality.save(update_fields=["continuity_goal"])
    [total] = continuity_figures(results)
    assert total.clients_over_goal == 1


def test_per_officer_unit_and_month(world, checked):
    # An October check too: the same orders, no visits in October.
    run_month(municipality=world.municipality, month=OCTOBER, today=day("2026-11-06"))
    results = MonthlyTimeResult.objects.all()

    figures = continuity_figures(results, group_by=["ordering_unit", "officer", "month"])

    assert [f.key["month"] for f in figures] == [OCTOBER, NOVEMBER]
    october, november = figures
    assert october.key == {
        "ordering_unit": world.unit.pk,
        "ordering_unit__name": world.unit.name,
        "officer": world.officer.pk,
        "officer_name": f"{world.officer.first_name} {world.officer.last_name}",
        "month": OCTOBER,
    }
    assert (october.rows, october.rows_measured, october.median_staff) == (4, 0, None)
    assert october.share_over_goal is None
    assert (november.rows, november.clients_over_goal) == (4, 2)


def test_the_callers_scope_is_kept(world, checked):
    figures = continuity_figures(results_visible_to(world.other_coordinator), group_by=["provider"])

    assert [f.key["provider"] for f in figures] == [world.other_provider.pk]
    assert figures[0].clients_measured == 1


def test_no_rows_no_figures(world):
    assert continuity_figures(MonthlyTimeResult.objects.all(), group_by=["provider"]) == []
    assert continuity_figures(MonthlyTimeResult.objects.all()) == []
