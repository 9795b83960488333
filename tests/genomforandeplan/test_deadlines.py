"""Deadlines, computed once in SQL (genomforandeplan.selectors.with_plan_deadline and
with_plan_facts): the plan deadline and its status, the next follow-up and "needs revision", at
the boundaries of months, years and leap days, and the same whether read for one order or
counted for a list (issue 7: deadlines once)."""

import datetime

import pytest
from django.db.models import Count

from bestallning import services as order_services
from bestallning.models import Order
from genomforandeplan import selectors, services
from genomforandeplan.choices import DeadlineStatus
from genomforandeplan.models import ImplementationPlan, PlanFollowUp, PlanVersion
from tests.bestallning.conftest import TODAY, catalogue, row
from tests.genomforandeplan.conftest import complete, executed_order

D = datetime.date


def _at(order: Order, *, executed_on: D, ready_on: D | None = None) -> Order:
    """The order as if started on `executed_on` and first ready on `ready_on`: the history is
    written directly, as a load-data generator would."""
    Order.objects.filter(pk=order.pk).update(executed_on=executed_on, valid_from=executed_on)
    if ready_on is not None:
        plan = ImplementationPlan.objects.get(order=order)
        PlanVersion.objects.create(
            plan=plan, number=1, order=order, snapshot={}, client_approved_on=ready_on,
            created_by=plan.created_by,
        )  # fmt: skip
    return selectors.with_plan_deadline(Order.objects.filter(pk=order.pk), today=TODAY_FIXED).get()


TODAY_FIXED = D(2026, 3, 10)


@pytest.fixture
def started(world):
    order = executed_order(world)
    services.plan_start(order=order, by=world.contact_person)
    return order


@pytest.mark.parametrize(
    ("executed_on", "days", "due"),
    [
        (D(2026, 1, 20), 14, D(2026, 2, 3)),  # over a month end
        (D(2025, 12, 24), 14, D(2026, 1, 7)),  # over a year end
        (D(2028, 2, 20), 14, D(2028, 3, 5)),  # a leap February
        (D(2026, 2, 20), 15, D(2026, 3, 7)),  # Stockholm's 15 days
    ],
)
def test_due_is_the_start_plus_the_municipalitys_days(world, started, executed_on, days, due):
    world.municipality.plan_deadline_days = days
    world.municipality.save()
    assert selectors.deadline_of(_at(started, executed_on=executed_on)).due == due


@pytest.mark.parametrize(
    ("ready_on", "status", "days_late"),
    [
        (D(2026, 2, 10), DeadlineStatus.ON_TIME, 0),  # ready on the due day itself
        (D(2026, 2, 1), DeadlineStatus.ON_TIME, 0),
        (D(2026, 2, 13), DeadlineStatus.LATE, 3),
        (None, DeadlineStatus.MISSING, 28),  # not ready, due 2026-02-10, today 2026-03-10
    ],
)
def test_on_time_late_and_missing(started, ready_on, status, days_late):
    order = _at(started, executed_on=D(2026, 1, 27), ready_on=ready_on)
    deadline = selectors.deadline_of(order)
    assert (deadline.due, deadline.status, deadline.days_late) == (D(2026, 2, 10), status,
                                                                  days_late)  # fmt: skip


def test_not_due_yet_and_not_started(started):
    assert selectors.deadline_of(_at(started, executed_on=D(2026, 3, 1))).not_due
    Order.objects.filter(pk=started.pk).update(executed_on=None, status="received")
    order = selectors.with_plan_deadline(Order.objects.filter(pk=started.pk)).get()
    assert selectors.deadline_of(order) is None


def test_lists_count_deadlines_in_sql(world):
    """A dashboard counts per provider in one query, never plan by plan in Python."""
    on_time = executed_order(world, executed_on=TODAY - datetime.timedelta(days=20))
    complete(world, services.plan_start(order=on_time, by=world.contact_person),
             approved_on=TODAY - datetime.timedelta(days=10))  # fmt: skip
    client = world.client.__class__.objects.create(
        municipality=world.municipality, ordering_unit=world.unit, personal_number="191212121212",
        first_name="Stig", last_name="Hedlund", gender="male",
    )  # fmt: skip
    from tests.bestallning.conftest import make_decision, make_order

    start = TODAY - datetime.timedelta(days=30)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    missing = order_services.order_execute(
        order=order_services.order_send(
            order=make_order(world, decision=decision, valid_from=start), by=world.officer
        ),
        by=world.coordinator,
        executed_on=start,
    )
    counts = dict(
        selectors.with_plan_deadline(Order.objects.filter(pk__in=[on_time.pk, missing.pk]))
        .values_list("plan_deadline")
        .annotate(n=Count("pk"))
    )
    assert counts == {DeadlineStatus.ON_TIME: 1, DeadlineStatus.MISSING: 1}


# ------------------------------------------------------------------------------- follow-up


@pytest.mark.parametrize(
    ("first_ready", "months", "due"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),  # the month's last day when shorter
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # a leap February
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2026, 1, 15), 3, D(2026, 4, 15)),  # the municipality's own interval
    ],
)
def test_the_next_follow_up_from_the_first_approval(world, started, first_ready, months, due):
    world.municipality.plan_follow_up_months = months
    world.municipality.save()
    _at(started, executed_on=first_ready - datetime.timedelta(days=5), ready_on=first_ready)
    plan = ImplementationPlan.objects.get(order=started)
    assert selectors.next_follow_up_due(plan) == due


def test_the_next_follow_up_from_the_last_follow_up(world, started):
    _at(started, executed_on=D(2026, 1, 1), ready_on=D(2026, 1, 10))
    plan = ImplementationPlan.objects.get(order=started)
    PlanFollowUp.objects.create(plan=plan, followed_up_on=D(2026, 3, 31), notes="Bra.",
                                followed_up_by=world.contact_person)  # fmt: skip
    assert selectors.next_follow_up_due(plan) == D(2026, 9, 30)


def test_no_follow_up_is_due_before_the_plan_was_ever_ready(started):
    plan = ImplementationPlan.objects.get(order=started)
    assert selectors.next_follow_up_due(plan) is None


# ------------------------------------------------------------------------------- revision


def test_needs_revision_once_a_new_order_supersedes_the_one_followed(world, started):
    kinds = catalogue(world.municipality)
    plan = ImplementationPlan.objects.get(order=started)
    assert not selectors.needs_revision(plan)  # never ready: nothing to revise
    complete(world, plan)
    assert not selectors.needs_revision(plan)
    change = order_services.order_change_create(
        order=started, by=world.officer, valid_from=TODAY - datetime.timedelta(days=1)
    )
    change = order_services.order_save_draft(
        order=change, by=world.officer, version=change.version, fields={"daily_visits": 0},
        interventions=[row(kinds["Duschhjälp"]), row(kinds["Promenad"])],
    )  # fmt: skip
    assert not selectors.needs_revision(plan)  # a draft is not an order yet
    order_services.order_send(order=change, by=world.officer)
    assert selectors.needs_revision(plan)
    assert list(
        selectors.with_plan_facts(ImplementationPlan.objects.all())
        .filter(needs_revision=True)
        .values_list("pk", flat=True)
    ) == [plan.pk]
