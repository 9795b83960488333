"""What the load-data generator builds (ramtid/loaddata.py and each app's loaddata.py), at
1,000 clients generated once for the module: every state is there, dated up to the day it was
built for, and the domain's rules hold as the services would have kept them."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Prefetch

from bestallning import ordered_time, services
from bestallning.choices import ApprovalStatus, DecisionOutcome, NeedChangeAnswer, OrderStatus
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from bestallning.states import ISSUED_STATUSES
from genomforandeplan import selectors as plan_selectors
from genomforandeplan import services as plan_services
from genomforandeplan.choices import DeadlineStatus, PlanStatus, ReviewOutcome
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanReview,
    PlanVersion,
)
from genomforandeplan.reports import PlanCoversOrder
from ramtid import loaddata, personal_number
from ramtid.choices import InterventionCategory, Role
from ramtid.models import Client, Membership, OrderingUnit, Provider

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(scope="module")
def thousand(django_db_setup, django_db_blocker):
    """1,000 clients (the rarest state, a decision waiting for the unit manager, comes about six
    times), generated once in a transaction that is rolled back after the module's last test;
    each test runs in a savepoint inside it (as conftest's demo_loaded)."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        loaddata.mark_database()
        call_command("generate_load_data", clients=1000, seed=7, today=TODAY, stdout=out)
        with django_db_blocker.block():
            yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def generated(thousand, db):
    return thousand


def test_organisations_and_staff(generated):
    units = OrderingUnit.objects.annotate(n=Count("clients")).order_by("-n")
    assert units.count() == 10
    assert sum(unit.n for unit in units) == 1000
    assert all(unit.name.endswith("beställarenhet") for unit in units)
    providers = Provider.objects.annotate(
        n=Count("orders__client", distinct=True)
    ).order_by("-n")  # fmt: skip
    assert providers.count() == 8
    # Very unequal: the largest has several times the smallest's clients.
    assert providers[0].n > 4 * providers[7].n
    roles = dict(Membership.objects.values_list("role").annotate(n=Count("pk")))
    assert roles[Role.CASE_OFFICER] >= 20 + 10  # two or more per unit, and one in all ten
    assert roles[Role.UNIT_MANAGER] == 10
    assert roles[Role.PROVIDER_COORDINATOR] >= 8
    assert roles[Role.CONTACT_PERSON] >= 8 * 3
    everywhere = Membership.objects.filter(role=Role.CASE_OFFICER).values("user")
    assert everywhere.annotate(n=Count("pk")).filter(n=10).count() == 1
    assert "Stockholm: 1000 brukare" in generated


def test_clients_have_valid_made_up_personal_numbers(generated):
    numbers = list(Client.objects.values_list("personal_number", flat=True))
    assert len(set(numbers)) == 1000
    for number in numbers:
        assert personal_number.normalise(number) == number
        # Skatteverket's test series: birth numbers 980–999.
        assert 980 <= int(number[8:11]) <= 999


def test_every_order_and_plan_state(generated):
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert set(ImplementationPlan.objects.values_list("status", flat=True)) == set(
        PlanStatus.values
    )
    outcomes = set(Decision.objects.values_list("outcome", "approval_status"))
    assert (DecisionOutcome.REFUSED, ApprovalStatus.NOT_REQUIRED) in outcomes
    assert (DecisionOutcome.GRANTED, ApprovalStatus.PENDING) in outcomes
    assert (DecisionOutcome.GRANTED, ApprovalStatus.APPROVED) in outcomes
    assert set(PlanReview.objects.values_list("outcome", flat=True)) == set(ReviewOutcome.values)
    assert PlanFollowUp.objects.exists()
    assert NeedChangeReport.objects.filter(answer="").exists()
    assert NeedChangeReport.objects.filter(answer=NeedChangeAnswer.NO_CHANGE).exists()


def test_deadlines_on_time_late_missing_and_not_yet_due(generated):
    """As the app computes them (selectors.with_plan_deadline), on the day it was built for."""
    executed = Order.objects.filter(executed_on__isnull=False, supersedes__isnull=True)
    deadlines = set(
        plan_selectors.with_plan_deadline(executed, TODAY).values_list("plan_deadline", flat=True)
    )
    assert deadlines == set(DeadlineStatus.values)
    plans = plan_selectors.with_plan_facts(ImplementationPlan.objects.all())
    assert plans.filter(follow_up_due__lt=TODAY).exists()  # overdue follow-ups
    assert plans.filter(follow_up_due__gte=TODAY).exists()
    assert plans.filter(needs_revision=True).exists()  # a change the plan has not followed
    assert plans.filter(latest_number__gte=2).exists()  # revised after a change or a return


def test_dates_spread_over_two_years_up_to_the_day(generated):
    first = Order.objects.order_by("valid_from").values_list("valid_from", flat=True).first()
    assert (TODAY - first).days > 600
    assert not Order.objects.filter(sent_at__date__gt=TODAY).exists()
    assert not Order.objects.filter(executed_on__gt=TODAY).exists()
    assert not PlanVersion.objects.filter(client_approved_on__gt=TODAY).exists()
    assert not PlanFollowUp.objects.filter(followed_up_on__gt=TODAY).exists()
    # Orders sent but starting later: the inbox of what is on its way.
    assert Order.objects.filter(status=OrderStatus.SENT, valid_from__gt=TODAY).exists()


def test_orders_could_have_been_sent_and_keep_within_their_decisions(generated):
    """Each issued order passes what sending checks (frequencies, life areas, the decision's
    frame and approval) and orders what its decision grants; 3–8 interventions each."""
    orders = (
        Order.objects.filter(status__in=ISSUED_STATUSES)
        .select_related("decision", "client__municipality")
        .prefetch_related(
            "decision__granted_interventions",
            Prefetch("interventions", OrderedIntervention.objects.prefetch_related(
                "care_package_contents").select_related("intervention_type")),
        )
    )  # fmt: skip
    assert orders.count() > 1000
    for order in orders:
        assert services.sending_blockers(order) == [], order.pk
        assert services.decision_mismatches(order) == ([], []), order.pk
        assert 3 <= len(order.interventions.all()) <= 8
        time = ordered_time.order_time(order)
        assert 0 < time.total <= time.frame
    assert not Decision.objects.filter(outcome=DecisionOutcome.GRANTED, hours_per_month=0).exists()
    assert not Decision.objects.filter(outcome=DecisionOutcome.REFUSED, hours_per_month__gt=0)


def test_care_packages_have_three_or_more_personal_care_contents(generated):
    packages = OrderedIntervention.objects.filter(
        intervention_type__is_care_package=True
    ).prefetch_related("care_package_contents")
    assert packages.exists()
    for package in packages:
        contents = list(package.care_package_contents.all())
        assert len(contents) >= 3
        assert all(t.category == InterventionCategory.PERSONAL_CARE for t in contents)
        assert not any(t.is_care_package for t in contents)


def test_a_change_supersedes_its_order_the_day_before_and_answers_the_report(generated):
    changes = Order.objects.filter(supersedes__isnull=False).select_related("supersedes")
    assert changes.count() > 50
    for change in changes:
        old = change.supersedes
        assert old.status == OrderStatus.SUPERSEDED
        assert old.valid_to == change.valid_from - datetime.timedelta(days=1)
        assert NeedChangeReport.objects.filter(order=old, new_order=change).exists()


def test_one_issued_order_per_client_and_provider_per_day(generated):
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM bestallning_order a JOIN bestallning_order b
              ON a.client_id = b.client_id AND a.provider_id = b.provider_id AND a.id < b.id
             WHERE a.status <> 'draft' AND b.status <> 'draft'
               AND daterange(a.valid_from, a.valid_to, '[]')
                   && daterange(b.valid_from, b.valid_to, '[]')
        """)  # fmt: skip
        assert cursor.fetchone()[0] == 0


def test_plans_cover_their_orders_and_versions_keep_the_approval(generated):
    plans = (
        ImplementationPlan.objects.filter(status=PlanStatus.APPROVED)
        .select_related("order__client__municipality")
        .prefetch_related(
            "items__intervention_type",
            "order__interventions__intervention_type",
            "order__interventions__care_package_contents",
        )
    )
    assert plans.count() > 200
    for plan in plans:
        assert plan_services.coverage(plan, plan.order) == [], plan.pk
    for version in PlanVersion.objects.select_related("plan")[:200]:
        assert version.snapshot["client_approved_on"] == version.client_approved_on.isoformat()
        assert version.snapshot["order_id"] == version.order_id
        assert version.snapshot["items"]
    assert ContactAssignment.objects.exists()
    # Some clients still wait for a contact person (the coordinator's worklist).
    active = Order.objects.filter(status=OrderStatus.EXECUTED, contact_assignment__isnull=True)
    assert active.exists()


def test_issued_orders_store_their_ordered_minutes_as_sending_would(generated):
    """The generator stores each issued order's ordered minutes as order_send does (the time
    basis's total), from the lines it already has; a draft has none yet."""
    issued = Order.objects.filter(status__in=ISSUED_STATUSES)
    assert not issued.filter(ordered_minutes__isnull=True).exists()
    assert not Order.objects.filter(
        status=OrderStatus.DRAFT, ordered_minutes__isnull=False
    ).exists()
    sample = (
        issued.order_by("pk")
        .select_related("decision", "client__municipality")
        .prefetch_related("interventions")[::7]
    )
    assert len(sample) > 100
    assert any(i.double_staffing for order in sample for i in order.interventions.all())
    for order in sample:
        assert order.ordered_minutes == ordered_time.order_time(order).total, order.pk


def test_plans_store_the_coverage_check_as_the_services_do(generated):
    """Every plan's stored coverage answer (covers_order, issue 11) is the check's over its own
    order: the generator decides it with the coverage check and copies it with the row (it
    updates nothing), what services.refresh_coverage would store."""

    plans = ImplementationPlan.objects.all()
    assert not plans.filter(covers_order__isnull=True).exists()
    checked = dict(
        Order.objects.filter(plans__isnull=False)
        .annotate(covers=PlanCoversOrder())
        .values_list("pk", "covers")
    )
    assert dict(plans.values_list("order_id", "covers_order")) == checked
    assert not plans.filter(status=PlanStatus.APPROVED, covers_order=False).exists()
