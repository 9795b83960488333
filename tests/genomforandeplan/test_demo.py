"""The demo's contact persons and plans: every state the screens show, loaded once, attributed."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from bestallning import examples
from bestallning.choices import OrderStatus
from bestallning.models import Order
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import selectors, services
from genomforandeplan.choices import DeadlineStatus, PlanStatus, ReviewOutcome
from genomforandeplan.models import (
    ContactAssignment,
    ContactAssignmentEvent,
    ImplementationPlan,
    ImplementationPlanEvent,
    PlanFollowUp,
    PlanReview,
)


def _load() -> str:
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def loaded(demo_loaded, db) -> str:
    """The demo, loaded once for this module (tests/conftest.py); each test's writes are undone."""
    return demo_loaded


def test_the_demo_has_plans_and_contact_persons(loaded):
    assert "genomförandeplaner: " in loaded and "kontaktmän: " in loaded


def test_loading_again_adds_no_plans_even_on_a_later_day(loaded, monkeypatch):
    counts = _counts()
    assert counts["genomforandeplan.ImplementationPlan"] > 0
    assert counts["genomforandeplan.ContactAssignment"] > 0
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert "Inga nya rader" in _load()
    assert _counts() == counts


def test_every_plan_status_appears(loaded):
    assert set(ImplementationPlan.objects.values_list("status", flat=True)) == set(
        PlanStatus.values
    )


def test_one_plan_needs_revision_after_a_sent_change(loaded):
    revising = [plan for plan in ImplementationPlan.objects.all() if services.needs_revision(plan)]

    assert [plan.client.first_name for plan in revising] == ["Maj-Britt"]
    plan = revising[0]
    assert plan.status == PlanStatus.APPROVED
    assert plan.order.status == OrderStatus.SUPERSEDED
    change = services.current_order(plan)
    assert (change.supersedes, change.status) == (plan.order, OrderStatus.SENT)
    # The change has its contact person too.
    assert ContactAssignment.objects.filter(order=change).exists()


def test_a_ready_plan_is_late_and_a_returned_one_has_the_officers_comment(loaded):
    ready = ImplementationPlan.objects.get(status=PlanStatus.READY)
    deadline = selectors.order_plan_deadline(ready.order)
    assert deadline.status == DeadlineStatus.LATE

    returned = ImplementationPlan.objects.get(status=PlanStatus.RETURNED)
    review = PlanReview.objects.get(version__plan=returned)
    assert review.outcome == ReviewOutcome.RETURNED and review.comment


def test_lisas_plan_is_approved_written_with_linnea_at_home_and_followed_up(loaded):
    plan = ImplementationPlan.objects.get(client__personal_number=examples.LISA_PERSONAL_NUMBER)

    assert plan.status == PlanStatus.APPROVED
    assert (plan.participants, plan.meeting_place) == (["client", "relative"], "home")
    assert "Linnéa" in plan.client_influence
    assert plan.my_goal.startswith("Jag vill")
    assert all(item.need_help_with for item in plan.items.all())
    assert services.coverage(plan) == []
    assert PlanFollowUp.objects.filter(plan=plan).count() == 1
    assert selectors.next_follow_up_due(plan) is not None
    assert plan.order.contact_assignment.deputy is not None


def test_most_executed_orders_have_a_contact_person_and_one_has_none(loaded):
    executed = Order.objects.filter(status=OrderStatus.EXECUTED)
    without = executed.exclude(contact_assignment__isnull=False)

    assert [order.client.first_name for order in without] == ["Olof"]
    assert executed.count() - without.count() > without.count()
    # A client with a contact person and an order in force, but no plan yet.
    waiting = Order.objects.filter(
        status__in=ACTIVE_STATUSES, contact_assignment__isnull=False
    ).exclude(client__plans__isnull=False)
    assert waiting.exists()


def test_the_plan_writes_are_attributed_to_the_load_demo_task(loaded):
    events = [*ImplementationPlanEvent.objects.all(), *ContactAssignmentEvent.objects.all()]
    assert events
    assert {event.pgh_context["task"] for event in events} == {"load_demo"}
