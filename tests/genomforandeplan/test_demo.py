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
    PlanVersion,
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


def test_ready_plans_wait_on_time_and_late_and_a_returned_one_has_the_officers_comment(loaded):
    ready = ImplementationPlan.objects.filter(status=PlanStatus.READY)
    statuses = {selectors.order_plan_deadline(plan.order).status for plan in ready}
    assert statuses == {DeadlineStatus.ON_TIME, DeadlineStatus.LATE}

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


def _first_versions() -> list[PlanVersion]:
    """The first completed version of each plan: the one the deadline is measured on."""
    return [
        plan.versions.order_by("number").first()
        for plan in ImplementationPlan.objects.filter(versions__isnull=False).distinct()
    ]


def test_most_plans_were_ready_on_time_by_the_day_the_client_approved_them(loaded):
    deadlines = {
        version.plan.client.first_name: selectors.order_plan_deadline(version.order)
        for version in _first_versions()
    }
    on_time = [name for name, deadline in deadlines.items() if deadline.on_time]
    late = [name for name, deadline in deadlines.items() if deadline.late]

    assert len(on_time) > 2 * len(late) > 0, deadlines
    assert set(on_time) >= {"Lisa", "Nils"}
    assert set(late) == {"Elsa", "Karin"}
    # Ready on time in Järfälla (14 days) and in Stockholm (15).
    assert {
        version.order.client.municipality.plan_deadline_days
        for version in _first_versions()
        if deadlines[version.plan.client.first_name].on_time
    } == {14, 15}


def test_the_approval_date_is_a_true_day_often_before_the_day_it_was_recorded(loaded):
    versions = list(PlanVersion.objects.select_related("order"))
    today = timezone.localdate()
    recorded = {version.pk: timezone.localtime(version.created_at).date() for version in versions}

    for version in versions:
        # Neither in the future nor before the order started (the services refuse both).
        assert version.order.valid_from <= version.client_approved_on <= today, version
        assert version.snapshot["client_approved_on"] == version.client_approved_on.isoformat()
    # The contact person records it a day or two after the client approved it.
    gaps = [(recorded[v.pk] - v.client_approved_on).days for v in versions]
    assert sum(1 <= gap <= 2 for gap in gaps) > len(gaps) / 2, gaps


def test_some_plans_are_missing_past_their_deadline(loaded):
    executed = Order.objects.filter(status=OrderStatus.EXECUTED).select_related("client")
    missing = [
        order.client.first_name
        for order in executed
        if (deadline := selectors.order_plan_deadline(order)) and deadline.missing
    ]
    assert sorted(missing) == ["Folke", "Olof"]


def test_a_stockholm_plan_carries_stockholms_own_interventions(loaded):
    plan = ImplementationPlan.objects.get(client__first_name="Nils", client__last_name="Bergström")
    names = {item.intervention_type.name: item for item in plan.items.all()}

    assert {"Förflyttning", "Tillsyn nattetid", "Byte av inkontinensskydd"} <= set(names)
    assert all(item.need_help_with for item in names.values())
    assert services.coverage(plan) == []
    assert plan.status == PlanStatus.APPROVED and "guardian" in plan.participants
