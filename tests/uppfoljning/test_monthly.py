"""The monthly time check (uppfoljning.monthly): figures, reruns, freezing, the three-month rule,
explanations and decisions, which months are due, the command."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.uppfoljning.monthly_helpers import add_visits, change, sent_order
from uppfoljning.choices import (
    ExplanationCategory,
    ExplanationDecision,
    ReviewReason,
    TimeStatus,
)
from uppfoljning.models import IndividualReview, MonthlyTimeResult, MonthlyTimeResultEvent
from uppfoljning.monthly import (
    billing_deadline,
    decide_month,
    explain_month,
    frozen_reason,
    municipalities_due,
    run_monthly_check,
)

D = datetime.date
OCTOBER = D(2026, 10, 1)
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
# Deadlines: a month's is the 15th of the next (the default billing_day).
BEFORE_OCTOBER_DEADLINE = D(2026, 11, 10)
AFTER_OCTOBER_DEADLINE = D(2026, 11, 16)


def _rows(month=OCTOBER) -> list[tuple]:
    return list(
        MonthlyTimeResult.objects.filter(month=month)
        .order_by("order_id")
        .values_list(
            "pk", "order_id", "days_in_force", "ordered_minutes", "performed_minutes",
            "declined_minutes", "absent_minutes", "deviation_minutes", "deviation_percent",
            "status", "billing_deadline", "frozen_at",
        )
    )  # fmt: skip


def _check(world, month=OCTOBER, today=BEFORE_OCTOBER_DEADLINE):
    return run_monthly_check(municipality=world.municipality, month=month, today=today)


def _explain(result, by, **overrides):
    values = {"category": ExplanationCategory.ABSENCE, "text": "Brukaren låg på sjukhus."}
    return explain_month(result=result, by=by, **{**values, **overrides})


# ---------------------------------------------------------------------------------------------
# The figures


def test_one_row_per_order_with_the_minutes_by_status(world):
    order = sent_order(world, client=world.client, valid_from=D(2026, 9, 1), monthly=3000)
    add_visits(order, OCTOBER, performed=2400, declined=120, absent=300)
    add_visits(order, D(2026, 11, 1), performed=999)  # another month: not counted

    summary = _check(world)

    row = MonthlyTimeResult.objects.get()
    assert (row.order_id, row.client_id, row.provider_id, row.ordering_unit_id) == (
        order.pk, world.client.pk, world.provider.pk, world.unit.pk,
    )  # fmt: skip
    assert (row.ordered_minutes, row.performed_minutes, row.declined_minutes,
            row.absent_minutes) == (3000, 2400, 120, 300)  # fmt: skip
    assert row.deviation_minutes == -600
    assert str(row.deviation_percent) == "-20.0"
    assert row.status == TimeStatus.UNDER
    assert row.billing_deadline == D(2026, 11, 15)
    assert row.frozen_at is None
    assert (summary.written, summary.created, summary.frozen, summary.reviews) == (1, 1, 0, 0)


def test_the_billing_deadline_is_the_billing_day_of_the_next_month(world):
    world.municipality.billing_day = 20
    world.municipality.save()
    sent_order(world, valid_from=D(2026, 9, 1))
    _check(world, month=D(2026, 12, 1))
    assert MonthlyTimeResult.objects.get().billing_deadline == D(2027, 1, 20)
    assert billing_deadline(D(2027, 1, 1), 28) == D(2027, 2, 28)


def test_running_again_gives_the_same_rows_and_updates_open_ones(world):
    orders = [sent_order(world, valid_from=D(2026, 9, 1)) for _ in range(3)]
    add_visits(orders[0], OCTOBER, performed=3000)
    _check(world)
    first = _rows()

    again = _check(world)

    assert _rows() == first
    assert (again.written, again.created) == (3, 0)
    # Late visits: the same rows, with the new figures.
    add_visits(orders[1], OCTOBER, performed=500)
    _check(world)
    rows = _rows()
    assert [r[0] for r in rows] == [r[0] for r in first]
    assert rows[1][4] == 500 and rows[1][9] == TimeStatus.UNDER
    assert MonthlyTimeResult.objects.count() == 3


def test_an_order_no_longer_in_force_loses_its_open_row_unless_explained(world):
    # Given two orders checked for November, both later ended retroactively in October
    month = THIS_MONTH
    ended = sent_order(world, valid_from=month - datetime.timedelta(days=40))
    explained = sent_order(world, valid_from=month - datetime.timedelta(days=40))
    add_visits(explained, month, performed=9000)
    _check(world, month=month, today=TODAY)
    _explain(MonthlyTimeResult.objects.get(order=explained), world.coordinator)
    from bestallning import services as order_services

    for order in (ended, explained):
        order_services.order_end(order=order, by=world.officer, reason="Flyttat.",
                                 ended_on=month - datetime.timedelta(days=1))  # fmt: skip

    summary = _check(world, month=month, today=TODAY)

    # Then the unexplained row is gone and the explained one is kept as it was
    assert summary.removed == 1
    assert list(MonthlyTimeResult.objects.values_list("order_id", flat=True)) == [explained.pk]


# ---------------------------------------------------------------------------------------------
# Freezing


def test_after_the_deadline_rows_needing_no_decision_or_having_one_are_frozen(world):
    # Given October checked before its deadline: one within, one over and never explained, one
    # explained and decided, one explained and waiting for the officer
    within, unexplained, decided, waiting = (
        sent_order(world, valid_from=D(2026, 9, 1)) for _ in range(4)
    )
    add_visits(within, OCTOBER, performed=3000)
    for order in (unexplained, decided, waiting):
        add_visits(order, OCTOBER, performed=4000)
    _check(world)
    rows = {r.order_id: r for r in MonthlyTimeResult.objects.all()}
    # (the deadline is past in the real calendar, so the explanations are set as they were then)
    MonthlyTimeResult.objects.filter(order__in=[decided, waiting]).update(
        explanation_category=ExplanationCategory.OTHER, explanation_text="Extra insatser."
    )
    MonthlyTimeResult.objects.filter(order=decided).update(decision=ExplanationDecision.APPROVED)
    assert not MonthlyTimeResult.objects.filter(frozen_at__isnull=False).exists()

    # When the check runs after the deadline
    summary = _check(world, today=AFTER_OCTOBER_DEADLINE)

    # Then all but the one waiting for a decision are frozen
    frozen = set(
        MonthlyTimeResult.objects.filter(frozen_at__isnull=False).values_list("order_id", flat=True)
    )
    assert frozen == {within.pk, unexplained.pk, decided.pk}
    assert summary.frozen == 3
    reason = frozen_reason(MonthlyTimeResult.objects.get(order=within))
    assert "2026-11-15" in reason and "inom toleransen" in reason
    assert "godkänd" in frozen_reason(MonthlyTimeResult.objects.get(order=decided))
    assert "förklarades inte" in frozen_reason(MonthlyTimeResult.objects.get(order=unexplained))
    assert rows[within.pk].frozen_at is None

    # When visits arrive late and the check runs again
    before = {r[1]: r for r in _rows()}
    for order in (within, unexplained, decided, waiting):
        add_visits(order, OCTOBER, performed=1000)
    _check(world, today=D(2026, 12, 1))

    # Then the frozen rows are as they were; the open one is updated
    after = {r[1]: r for r in _rows()}
    for order in (within, unexplained, decided):
        assert after[order.pk] == before[order.pk]
    assert after[waiting.pk][4] == 5000

    # When the officer decides late, the next check freezes it too
    decide_month(result=MonthlyTimeResult.objects.get(order=waiting), by=world.officer,
                 decision=ExplanationDecision.APPROVED)  # fmt: skip
    _check(world, today=D(2026, 12, 2))
    assert not MonthlyTimeResult.objects.filter(frozen_at__isnull=True).exists()
    assert MonthlyTimeResultEvent.objects.filter(pgh_label="frozen").count() == 4


def test_a_month_first_checked_after_its_deadline_is_frozen_at_once(world):
    order = sent_order(world, valid_from=D(2026, 9, 1))
    add_visits(order, OCTOBER, performed=5000)
    summary = _check(world, today=AFTER_OCTOBER_DEADLINE)
    assert summary.frozen == 1
    assert MonthlyTimeResult.objects.get().frozen_at is not None


# ---------------------------------------------------------------------------------------------
# The three-month rule (004 §4.1.3)

JULY, AUGUST, SEPTEMBER = D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1)


def _after_deadline(month):
    return billing_deadline(month, 15) + datetime.timedelta(days=1)


def _months(world, order, months, *, performed=4500, decide=None):
    """Check each month: before its deadline, then (after `decide`, if any) after it."""
    for month in months:
        add_visits(order, month, performed=performed)
        _check(world, month=month, today=billing_deadline(month, 15) - datetime.timedelta(days=5))
        if decide and month in decide:
            MonthlyTimeResult.objects.filter(month=month, client_id=order.client_id).update(
                explanation_category=ExplanationCategory.ABSENCE,
                explanation_text="Sjukhus.",
                decision=decide[month],
                decision_reason="" if decide[month] == "approved" else "Inget stöd för det.",
            )
        _check(world, month=month, today=_after_deadline(month))


def test_three_months_over_open_exactly_one_review(world):
    order = sent_order(world, client=world.client, valid_from=D(2026, 6, 1), monthly=3000)

    _months(world, order, [JULY, AUGUST])
    assert not IndividualReview.objects.exists()
    _months(world, order, [SEPTEMBER])

    [review] = IndividualReview.objects.all()
    assert review.key == f"time_deviation:{world.client.pk}:2026-07"
    assert review.reason == ReviewReason.TIME_DEVIATION
    assert (review.client_id, review.order_id, review.ordering_unit_id) == (
        world.client.pk, order.pk, world.unit.pk
    )  # fmt: skip
    assert review.due_on == _after_deadline(SEPTEMBER) + datetime.timedelta(days=30)
    # The same month again and a fourth month over add nothing.
    _check(world, month=SEPTEMBER, today=D(2026, 12, 1))
    _months(world, order, [OCTOBER])
    assert IndividualReview.objects.count() == 1


def test_the_rule_waits_for_the_last_months_deadline(world):
    order = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, order, [JULY, AUGUST])
    add_visits(order, SEPTEMBER, performed=4500)
    _check(world, month=SEPTEMBER, today=D(2026, 10, 5))
    assert not IndividualReview.objects.exists()
    # An approved explanation of the third month, before its deadline, means no review at all.
    MonthlyTimeResult.objects.filter(month=SEPTEMBER).update(
        explanation_category=ExplanationCategory.ABSENCE, explanation_text="Sjukhus.",
        decision=ExplanationDecision.APPROVED,
    )  # fmt: skip
    _check(world, month=SEPTEMBER, today=_after_deadline(SEPTEMBER))
    assert not IndividualReview.objects.exists()


def test_an_approved_explanation_breaks_the_run(world):
    order = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, order, [JULY, AUGUST, SEPTEMBER], decide={AUGUST: "approved"})
    assert not IndividualReview.objects.exists()
    # September and October make two in a row since the break: still none.
    _months(world, order, [OCTOBER])
    assert not IndividualReview.objects.exists()


def test_a_rejected_explanation_does_not_break_the_run(world):
    order = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, order, [JULY, AUGUST, SEPTEMBER], decide={AUGUST: "rejected"})
    assert IndividualReview.objects.count() == 1


def test_a_month_within_tolerance_or_without_an_order_breaks_the_run(world):
    within = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, within, [JULY])
    _months(world, within, [AUGUST], performed=3000)
    _months(world, within, [SEPTEMBER])
    gap = sent_order(world, valid_from=D(2026, 6, 1), valid_to=D(2026, 7, 31))
    _months(world, gap, [JULY])
    gap_again = sent_order(world, client=gap.client, valid_from=D(2026, 9, 1))
    _months(world, gap_again, [SEPTEMBER, OCTOBER])
    assert not IndividualReview.objects.exists()


def test_a_change_order_mid_run_is_the_same_client(world):
    # Over in July and August on the first order, superseded on 17 August, over in September on
    # the second: three months for the client, one review.
    first = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, first, [JULY])
    second = change(world, first, valid_from=D(2026, 8, 17), monthly=3000)
    add_visits(first, AUGUST, performed=4000)
    _months(world, second, [AUGUST], performed=4000)
    assert MonthlyTimeResult.objects.filter(month=AUGUST).count() == 2
    _months(world, second, [SEPTEMBER])
    [review] = IndividualReview.objects.all()
    assert review.key.endswith(":2026-07") and review.order_id == second.pk


def test_the_number_of_months_is_the_municipalitys(world):
    world.municipality.consecutive_months_before_review = 2
    world.municipality.save()
    order = sent_order(world, valid_from=D(2026, 6, 1))
    _months(world, order, [JULY, AUGUST])
    assert IndividualReview.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Explanations and decisions (this month: its deadline is ahead whatever day the tests run)


@pytest.fixture
def over(world):
    order = sent_order(world, client=world.client, valid_from=THIS_MONTH, monthly=3000)
    add_visits(order, THIS_MONTH, performed=4000)
    run_monthly_check(municipality=world.municipality, month=THIS_MONTH)
    return MonthlyTimeResult.objects.get(order=order)


def test_the_provider_explains_and_the_officer_decides(world, over):
    result = _explain(over, world.coordinator)
    assert (result.explanation_category, result.explained_by) == ("absence", world.coordinator)

    # A rejection needs a reason
    with pytest.raises(ValidationError) as error:
        decide_month(result=result, by=world.officer, decision="rejected", reason=" ")
    assert error.value.message_dict == {"reason": ["Skriv varför förklaringen avslås."]}
    result = decide_month(result=result, by=world.officer, decision="rejected", reason="Nej.")
    assert result.decision == "rejected"

    # A new explanation after a rejection clears it; then it is approved
    result = _explain(result, world.coordinator, text="Sjukhus 3–10 november, se journal.")
    assert (result.decision, result.decided_by) == ("", None)
    result = decide_month(result=result, by=world.officer, decision="approved")
    assert result.decision == "approved"

    # Approved: no new explanation, no second decision
    with pytest.raises(ValidationError, match="redan godkänd"):
        _explain(result, world.coordinator)
    with pytest.raises(ValidationError, match="redan godkänd"):
        decide_month(result=result, by=world.officer, decision="rejected", reason="Ändå inte.")
    labels = list(
        MonthlyTimeResultEvent.objects.filter(pgh_obj_id=over.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels.count("explained") == 2 and labels.count("decided") >= 2


def test_an_explanation_needs_a_category_and_a_text(world, over):
    with pytest.raises(ValidationError) as error:
        explain_month(result=over, by=world.coordinator, category="nonsense", text="")
    assert set(error.value.message_dict) == {"category", "text"}
    over.refresh_from_db()
    assert over.explanation_category == ""


def test_nothing_to_decide_before_an_explanation(world, over):
    with pytest.raises(ValidationError, match="inte förklarat"):
        decide_month(result=over, by=world.officer, decision="approved")
    result = _explain(over, world.coordinator)
    with pytest.raises(ValidationError) as error:
        decide_month(result=result, by=world.officer, decision="maybe")
    assert set(error.value.message_dict) == {"decision"}


def test_a_month_within_tolerance_needs_no_explanation(world):
    order = sent_order(world, valid_from=THIS_MONTH, monthly=3000)
    add_visits(order, THIS_MONTH, performed=3000)
    run_monthly_check(municipality=world.municipality, month=THIS_MONTH)
    with pytest.raises(ValidationError, match="inom toleransen"):
        _explain(MonthlyTimeResult.objects.get(), world.coordinator)


def test_no_explanation_after_the_deadline_and_no_decision_once_frozen(world):
    order = sent_order(world, valid_from=D(2026, 9, 1))
    add_visits(order, OCTOBER, performed=5000)
    _check(world)  # before the deadline: open
    result = MonthlyTimeResult.objects.get()
    with pytest.raises(ValidationError, match="Sista dag för förklaringar var 2026-11-15"):
        _explain(result, world.coordinator)
    MonthlyTimeResult.objects.filter(pk=result.pk).update(
        explanation_category="other", explanation_text="Extra."
    )
    _check(world, today=AFTER_OCTOBER_DEADLINE)  # explained, undecided: still open
    result = decide_month(result=result, by=world.officer, decision="approved")
    _check(world, today=D(2026, 11, 17))
    MonthlyTimeResult.objects.filter(pk=result.pk).update(decision="")
    with pytest.raises(ValidationError, match="låst"):
        decide_month(result=result, by=world.officer, decision="approved")


# ---------------------------------------------------------------------------------------------
# Which months are due


def test_the_previous_month_is_due_from_the_check_day_to_the_day_after_the_deadline(world):
    ids = {world.municipality.pk, world.other_municipality.pk}

    def due(day):
        return [pair for pair in municipalities_due(day) if pair[0] in ids]

    assert due(D(2026, 11, 4)) == []
    assert due(D(2026, 11, 5)) == sorted((pk, OCTOBER) for pk in ids)
    assert due(D(2026, 11, 16)) == sorted((pk, OCTOBER) for pk in ids)
    assert due(D(2026, 11, 17)) == []
    world.other_municipality.monthly_check_day = 8
    world.other_municipality.save()
    assert due(D(2026, 11, 7)) == [(world.municipality.pk, OCTOBER)]


def test_an_earlier_month_is_due_while_the_check_would_freeze_rows(world):
    order = sent_order(world, valid_from=D(2026, 9, 1))
    add_visits(order, OCTOBER, performed=5000)
    _check(world)
    MonthlyTimeResult.objects.update(explanation_category="other", explanation_text="Extra.")
    later = D(2026, 11, 20)
    assert (world.municipality.pk, OCTOBER) not in municipalities_due(later)
    decide_month(result=MonthlyTimeResult.objects.get(), by=world.officer, decision="approved")
    assert (world.municipality.pk, OCTOBER) in municipalities_due(later)
    _check(world, today=later)
    assert (world.municipality.pk, OCTOBER) not in municipalities_due(later)


# ---------------------------------------------------------------------------------------------
# The command


def test_the_command_checks_a_month(world):
    order = sent_order(world, valid_from=D(2026, 9, 1))
    add_visits(order, OCTOBER, performed=2000)
    out = StringIO()
    call_command("run_monthly_check", "--month", "2026-10", "--municipality", "0123", stdout=out)
    row = MonthlyTimeResult.objects.get()
    assert (row.order_id, row.performed_minutes) == (order.pk, 2000)
    assert "Järfälla 2026-10: 1 beställningar kontrollerade" in out.getvalue()
    call_command("run_monthly_check", "--month", "2026-10", stdout=StringIO())
    assert MonthlyTimeResult.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "Ogiltig månad ”2026-13”"),
        (["--month", "oktober"], "Ogiltig månad"),
        (["--month", "2026-10", "--municipality", "9999"], "ingen kommun med koden ”9999”"),
    ],
)
def test_the_command_refuses_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_monthly_check", *args, stdout=StringIO())
