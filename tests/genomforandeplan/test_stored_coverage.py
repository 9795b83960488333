"""The coverage check's answer stored on the plan (ImplementationPlan.covers_order, issue 11
"Performance"): services.refresh_coverage keeps it equal to reports.PlanCoversOrder and to
rules.coverage_gaps after every kind of write, the migration's data step fills it with the same
check, and the report reads the stored answer."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from bestallning import services as order_services
from bestallning.models import Order
from genomforandeplan import reports, services
from genomforandeplan.models import ImplementationPlan
from tests.bestallning.conftest import TODAY, catalogue, row
from tests.genomforandeplan.conftest import plan_fields
from tests.genomforandeplan.test_coverage_report import (
    DAY,
    _random_pairs,
    _rows,
    executed,
)


def _checked(order_ids) -> dict[int, bool]:
    return dict(
        Order.objects.filter(pk__in=order_ids)
        .annotate(covers=reports.PlanCoversOrder())
        .values_list("pk", "covers")
    )


def stored(plan: ImplementationPlan) -> bool | None:
    """The stored answer, after asserting it is the check's: PlanCoversOrder over the plan's
    order, and rules.coverage_gaps (the plan page's check) finding nothing."""
    plan = ImplementationPlan.objects.get(pk=plan.pk)
    order = Order.objects.get(pk=plan.order_id)
    in_sql = _checked([order.pk])[order.pk]
    on_the_page = services.coverage(plan, order) == []
    assert plan.covers_order is not None
    assert plan.covers_order == in_sql == on_the_page, (plan.covers_order, in_sql, on_the_page)
    return plan.covers_order


def _items(plan, change=None):
    items = [
        services.PlanItemInput(
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions,
            every_n_weeks=item.every_n_weeks,
            need_help_with="Hjälp med det beställda.",
            my_goal="Klara mer själv.",
        )
        for item in plan.items.select_related("intervention_type")
    ]
    return change(items) if change else items


def _save(world, plan, items, **fields):
    return services.plan_save(
        plan=plan,
        by=world.coordinator,
        version=plan.version,
        fields=plan_fields(plan, **fields),
        items=items,
    )


def _covering(order_ids) -> int:
    return reports.report_totals(Order.objects.filter(pk__in=order_ids), TODAY).covering


def test_the_stored_answer_follows_every_write_of_the_plan(world):
    order = executed(world, "Lagrad", executed_on=TODAY - 40 * DAY)
    kinds = catalogue(world.municipality)
    shower = kinds["Duschhjälp"]

    # Started from the order: every intervention at its frequency, the ordered daily visits.
    plan = services.plan_start(order=order, by=world.coordinator)
    assert stored(plan) is True

    # An item removed (autosave and the API save through plan_save too)
    plan = _save(
        world, plan, _items(plan, lambda i: [x for x in i if x.intervention_type != shower])
    )
    assert stored(plan) is False

    # ... and added again
    again = services.PlanItemInput(shower, "per_week", 2, 1)
    plan = _save(world, plan, [*_items(plan), again])
    assert stored(plan) is True

    # A frequency changed, then changed back
    def once_a_week(items):
        return [
            services.PlanItemInput(i.intervention_type, i.period, 1, i.every_n_weeks)
            if i.intervention_type == shower
            else i
            for i in items
        ]

    plan = _save(world, plan, _items(plan, once_a_week))
    assert stored(plan) is False
    plan = _save(
        world,
        plan,
        [again if i.intervention_type == shower else i for i in _items(plan)],
    )
    assert stored(plan) is True

    # An item the order does not have, and other daily visits than ordered
    extra = services.PlanItemInput(kinds["Tillsyn"], "per_day", 1, 1)
    plan = _save(world, plan, [*_items(plan), extra])
    assert stored(plan) is False
    plan = _save(world, plan, _items(plan, lambda i: i[:-1]))
    assert stored(plan) is True
    plan = _save(world, plan, _items(plan), planned_daily_visits=3)
    assert stored(plan) is False
    plan = _save(world, plan, _items(plan), planned_daily_visits=2)
    assert stored(plan) is True

    # Completed against the order it follows
    services.plan_complete(plan=plan, by=world.coordinator, client_approved_on=TODAY - 30 * DAY)
    assert stored(plan) is True
    assert _covering([order.pk]) == 1

    # A change order adds supervision: the plan still follows the first order until it is
    # completed against the change, and then does not cover it (a reason is given for the gap)
    change = order_services.order_change_create(
        order=order, by=world.officer, valid_from=TODAY - 20 * DAY
    )
    change = order_services.order_save_draft(
        order=change,
        by=world.officer,
        version=change.version,
        fields={"daily_visits": 2},
        interventions=[*_rows(kinds), row(kinds["Tillsyn"], period="per_day", occasions=1)],
    )
    change = order_services.order_send(order=change, by=world.officer)
    change = order_services.order_execute(
        order=change, by=world.coordinator, executed_on=TODAY - 20 * DAY
    )
    plan.refresh_from_db()
    assert plan.order_id == order.pk and stored(plan) is True
    reasons = {gap.key: "Brukaren vill ha det så." for gap in services.coverage(plan, change)}
    assert reasons
    plan = _save(world, plan, _items(plan), coverage_reasons=reasons)
    services.plan_complete(plan=plan, by=world.coordinator, client_approved_on=TODAY - 10 * DAY)
    plan.refresh_from_db()
    assert plan.order_id == change.pk
    assert stored(plan) is False
    assert _covering([order.pk, change.pk]) == 0

    # Revised to add the supervision: covers the change order again
    plan = _save(world, plan, [*_items(plan), extra], coverage_reasons={})
    assert stored(plan) is True
    # The report judges the plan as it is now against the order it was completed against
    assert _covering([order.pk, change.pk]) == 1
    services.plan_complete(plan=plan, by=world.coordinator, client_approved_on=TODAY - 5 * DAY)
    assert stored(plan) is True
    assert _covering([order.pk, change.pk]) == 1


def test_the_report_reads_the_stored_answer(world):
    order = executed(world, "Lasare", executed_on=TODAY - 40 * DAY)
    plan = services.plan_start(order=order, by=world.coordinator)
    plan = _save(world, plan, _items(plan))
    services.plan_complete(plan=plan, by=world.coordinator, client_approved_on=TODAY - 30 * DAY)
    assert stored(plan) is True
    facts = reports.with_total_facts(Order.objects.filter(pk=order.pk), TODAY)
    assert facts.values_list("report_covers", flat=True).get() is True
    assert _covering([order.pk]) == 1

    # The stored answer is what is counted (the check is not run again on the read): the
    # totals, the dashboard's facts and the liaison pack's "good" examples follow the column.
    ImplementationPlan.objects.filter(pk=plan.pk).update(covers_order=False)
    facts = reports.with_total_facts(Order.objects.filter(pk=order.pk), TODAY)
    assert facts.values_list("report_covers", flat=True).get() is False
    assert _covering([order.pk]) == 0
    ImplementationPlan.objects.filter(pk=plan.pk).update(covers_order=None)
    assert _covering([order.pk]) == 0  # not computed is not counted as covering

    services.refresh_coverage(plans=[plan.pk])
    assert _covering([order.pk]) == 1


def _fill_covers_order_sql() -> str:
    module = importlib.import_module("genomforandeplan.migrations.0005_plan_covers_order")
    return module.FILL_COVERS_ORDER


@pytest.mark.parametrize("seed", [1, 2])
def test_refresh_and_the_migration_store_the_sql_check(world, seed):
    # Plans written straight to the tables (as the migration finds them): nothing stored yet.
    orders = _random_pairs(world, 120, seed)
    ids = [o.pk for o in orders]
    plans = ImplementationPlan.objects.filter(order__in=ids)
    assert set(plans.values_list("covers_order", flat=True)) == {None}
    expected = _checked(ids)
    assert 10 <= sum(expected.values()) <= 110  # both answers are well represented

    # The migration's copy of the check fills them as PlanCoversOrder decides
    with connection.cursor() as cursor:
        cursor.execute(_fill_covers_order_sql())
    assert dict(plans.values_list("order_id", "covers_order")) == expected

    # and so does the service, from nothing stored
    plans.update(covers_order=None)
    assert services.refresh_coverage(plans=plans) == len(ids)
    assert dict(plans.values_list("order_id", "covers_order")) == expected
