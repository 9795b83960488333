"""Individual reviews (004 §4.1.4): when they fall due, that the daily job creates each once,
what completing one requires, and who sees them (uppfoljning.reviews)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bestallning import services as order_services
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import OrderingUnitFactory
from tests.uppfoljning.reviews_helpers import (
    ANSWERS,
    change_order,
    day,
    executed_order,
    local,
    new_client,
    open_review,
    report_need_change,
)
from uppfoljning.choices import ReviewOutcome, ReviewReason
from uppfoljning.models import IndividualReview
from uppfoljning.reviews import (
    REVIEW_HORIZON_DAYS,
    complete_review,
    create_due_reviews,
    reviews_visible_to,
)


def _complete(review, by, **changes):
    return complete_review(review=review, by=by, data={**ANSWERS, **changes})


def _rows():
    return sorted(IndividualReview.objects.values_list("key", "reason", "due_on", "client_id"))


# ---------------------------------------------------------------------------------------------
# Yearly


def test_a_yearly_review_is_due_a_year_after_execution_and_made_45_days_ahead(world):
    order = executed_order(world, executed_on=day("2025-12-20"))
    due = day("2026-12-20")
    too_early = due - datetime.timedelta(days=REVIEW_HORIZON_DAYS + 1)

    assert create_due_reviews(today=too_early).yearly == 0
    assert create_due_reviews(today=too_early + datetime.timedelta(days=1)).yearly == 1

    review = IndividualReview.objects.get()
    assert review.key == f"yearly:{order.client_id}:2026-12-20"
    assert (review.reason, review.due_on) == (ReviewReason.YEARLY, due)
    assert review.order == order and review.ordering_unit == world.unit
    assert review.done_on is None


@pytest.mark.parametrize(
    ("executed_on", "months", "due_on"),
    [
        ("2025-08-31", 12, "2026-08-31"),
        ("2024-02-29", 12, "2025-02-28"),  # a leap day: the last day of February
        ("2025-08-31", 6, "2026-02-28"),  # a shorter month: its last day
        ("2025-11-30", 2, "2026-01-30"),  # over the year end
    ],
)
def test_a_yearly_due_date_at_month_and_year_ends(world, executed_on, months, due_on):
    world.municipality.review_interval_months = months
    world.municipality.save()
    order = executed_order(world, executed_on=day(executed_on))

    create_due_reviews(today=day(due_on) - datetime.timedelta(days=1))

    assert _rows() == [
        (f"yearly:{order.client_id}:{due_on}", "yearly", day(due_on), order.client_id)
    ]


def test_a_change_of_order_does_not_restart_the_year(world):
    first = executed_order(world, executed_on=day("2025-06-10"))
    change = change_order(world, first, valid_from=day("2025-10-01"), executed_on=day("2025-10-01"))

    create_due_reviews(today=day("2026-06-01"))

    review = IndividualReview.objects.get(reason=ReviewReason.YEARLY)
    assert review.due_on == day("2026-06-10")
    assert review.order == change  # the order now in force


def test_a_change_not_yet_started_keeps_the_client_in_the_yearly_review(world):
    first = executed_order(world, executed_on=day("2025-06-10"))
    change_order(world, first, valid_from=day("2026-05-01"))  # sent, not executed

    create_due_reviews(today=day("2026-06-01"))

    assert IndividualReview.objects.get().due_on == day("2026-06-10")


def test_no_yearly_review_without_an_executed_order_in_force(world):
    ended = executed_order(world, executed_on=day("2025-06-10"))
    order_services.order_end(
        order=ended, by=world.officer, ended_on=day("2026-03-01"), reason="Flyttat."
    )
    client = new_client(world)
    decision = make_decision(
        world, client=client, valid_from=day("2025-06-01"), decided_on=day("2025-06-01")
    )
    order_services.order_send(order=make_order(world, decision=decision), by=world.officer)

    assert create_due_reviews(today=day("2026-06-01")).created == 0


def test_after_a_completed_review_the_next_is_due_a_year_after_it(world):
    order = executed_order(world, executed_on=day("2025-06-10"))
    create_due_reviews(today=day("2026-06-01"))
    _complete(IndividualReview.objects.get(), world.officer, done_on=day("2026-06-05"))

    assert create_due_reviews(today=day("2027-04-20")).yearly == 0  # 46 days before
    assert create_due_reviews(today=day("2027-04-21")).yearly == 1

    latest = IndividualReview.objects.get(done_on__isnull=True)
    assert latest.key == f"yearly:{order.client_id}:2027-06-05"


def test_any_completed_review_counts_for_the_year_and_withdraws_the_open_yearly_one(world):
    order = executed_order(world, executed_on=day("2025-06-10"))
    create_due_reviews(today=day("2026-06-01"))
    deviation = open_review(
        world,
        client=order.client,
        order=order,
        reason=ReviewReason.TIME_DEVIATION,
        key="time_deviation:x:2026-03",
    )

    _complete(deviation, world.officer, done_on=day("2026-06-03"))

    assert not IndividualReview.objects.filter(reason=ReviewReason.YEARLY).exists()
    create_due_reviews(today=day("2027-05-01"))
    yearly = IndividualReview.objects.get(reason=ReviewReason.YEARLY)
    assert yearly.due_on == day("2027-06-03")


def test_running_twice_creates_nothing_new(world):
    world.municipality.first_review_after_months = 2
    world.municipality.save()
    order = executed_order(world, executed_on=day("2025-12-20"))
    executed_order(world, executed_on=day("2026-10-15"))
    report_need_change(world, order, reported_at=local("2026-11-20 10:00"))

    first = create_due_reviews(today=day("2026-11-25"))
    rows = _rows()
    second = create_due_reviews(today=day("2026-11-25"))

    assert (first.yearly, first.after_execution, first.need_change) == (1, 1, 1)
    assert second.created == 0
    assert _rows() == rows


# ---------------------------------------------------------------------------------------------
# After execution (Stockholm: two months)


def test_no_review_after_execution_where_the_municipality_has_no_such_rule(world):
    assert world.municipality.first_review_after_months is None
    executed_order(world, executed_on=day("2026-10-15"))

    assert create_due_reviews(today=day("2026-12-10")).after_execution == 0


@pytest.mark.parametrize(
    ("executed_on", "due_on"),
    [("2025-12-31", "2026-02-28"), ("2025-11-15", "2026-01-15"), ("2026-09-30", "2026-11-30")],
)
def test_a_review_two_months_after_execution_where_the_rule_is_set(world, executed_on, due_on):
    world.municipality.first_review_after_months = 2
    world.municipality.save()
    order = executed_order(world, executed_on=day(executed_on))

    create_due_reviews(today=day(due_on) - datetime.timedelta(days=5))

    review = IndividualReview.objects.get(reason=ReviewReason.AFTER_EXECUTION)
    assert review.key == f"after_execution:{order.pk}"
    assert review.due_on == day(due_on) and review.order == order


def test_a_change_under_the_same_decision_is_not_a_new_start(world):
    world.municipality.first_review_after_months = 2
    world.municipality.save()
    first = executed_order(world, executed_on=day("2026-08-03"))
    change = change_order(world, first, valid_from=day("2026-09-01"), executed_on=day("2026-09-01"))
    other = new_client(world)
    renewed = executed_order(world, client=other, executed_on=day("2026-08-03"))
    decision = make_decision(
        world, client=other, valid_from=day("2026-09-01"), decided_on=day("2026-09-01")
    )
    new_decision = change_order(
        world,
        renewed,
        valid_from=day("2026-09-01"),
        executed_on=day("2026-09-01"),
        decision=decision,
    )

    create_due_reviews(today=day("2026-10-30"))

    keys = set(
        IndividualReview.objects.filter(reason=ReviewReason.AFTER_EXECUTION).values_list(
            "key", flat=True
        )
    )
    assert keys == {
        f"after_execution:{first.pk}",
        f"after_execution:{renewed.pk}",
        f"after_execution:{new_decision.pk}",
    }
    assert f"after_execution:{change.pk}" not in keys


def test_no_review_after_execution_when_one_was_made_since_or_it_is_long_past(world):
    world.municipality.first_review_after_months = 2
    world.municipality.save()
    reviewed = executed_order(world, executed_on=day("2026-09-20"))
    done = open_review(
        world, client=reviewed.client, reason=ReviewReason.NEED_CHANGE, key="need_change:test"
    )
    _complete(done, world.officer, done_on=day("2026-10-01"))
    executed_order(world, executed_on=day("2025-01-10"))  # due 2025-03-10: history

    assert create_due_reviews(today=day("2026-11-10")).after_execution == 0


# ---------------------------------------------------------------------------------------------
# Change of need


def test_a_change_of_need_is_followed_up_within_30_days(world):
    order = executed_order(world, executed_on=day("2026-06-10"))
    report = report_need_change(world, order, reported_at=local("2026-11-10 23:30"))

    assert create_due_reviews(today=day("2026-11-11")).need_change == 1

    review = IndividualReview.objects.get(reason=ReviewReason.NEED_CHANGE)
    assert review.key == f"need_change:{report.pk}"
    assert review.due_on == day("2026-12-10")  # 30 days after the report's Swedish date
    assert review.order == order


def test_an_open_or_later_review_covers_a_change_of_need(world):
    order = executed_order(world, executed_on=day("2026-06-10"))
    report_need_change(world, order, reported_at=local("2026-11-02 10:00"))
    create_due_reviews(today=day("2026-11-03"))
    # A second report while the first review is open: covered by it.
    report_need_change(world, order, reported_at=local("2026-11-04 10:00"))
    assert create_due_reviews(today=day("2026-11-05")).need_change == 0

    _complete(
        IndividualReview.objects.get(reason=ReviewReason.NEED_CHANGE),
        world.officer,
        done_on=day("2026-11-06"),
    )
    assert create_due_reviews(today=day("2026-11-07")).need_change == 0
    # A report after the review is new.
    report = report_need_change(world, order, reported_at=local("2026-11-08 10:00"))
    assert create_due_reviews(today=day("2026-11-09")).need_change == 1
    assert IndividualReview.objects.filter(key=f"need_change:{report.pk}").exists()


def test_an_old_report_gets_no_review(world):
    order = executed_order(world, executed_on=day("2026-01-10"))
    report_need_change(world, order, reported_at=local("2026-03-01 10:00"))

    assert create_due_reviews(today=day("2026-11-09")).need_change == 0


# ---------------------------------------------------------------------------------------------
# A client who moves, and who sees the reviews


def test_an_open_review_follows_its_client_to_the_new_unit(world):
    review = open_review(world, reason=ReviewReason.NEED_CHANGE, key="need_change:moved")
    done = open_review(world, client=review.client, key="done")
    _complete(done, world.officer, done_on=day("2026-11-01"))
    new_unit = OrderingUnitFactory(municipality=world.municipality)
    type(review.client).objects.filter(pk=review.client_id).update(ordering_unit=new_unit)

    # At once nobody of the old unit sees it, before the morning job.
    assert not reviews_visible_to(world.officer).filter(pk=review.pk).exists()
    assert create_due_reviews(today=day("2026-11-10")).moved == 1

    review.refresh_from_db()
    done.refresh_from_db()
    assert review.ordering_unit == new_unit
    assert done.ordering_unit == world.unit  # a completed review stays where it was made


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("officer", True),
        ("manager", True),
        ("other_officer", False),
        ("other_manager", False),
        ("coordinator", False),
        ("contact_person", False),
        ("fee_officer", False),
        ("administrator", False),
    ],
)
def test_only_the_units_officers_and_managers_see_its_reviews(world, user, sees):
    review = open_review(world)
    assert reviews_visible_to(getattr(world, user)).filter(pk=review.pk).exists() is sees


# ---------------------------------------------------------------------------------------------
# Completing a review


def test_completing_records_the_answers_the_contact_and_the_outcome(world):
    review = open_review(world)

    _complete(review, world.officer, outcome=ReviewOutcome.NEW_ORDER, done_on=day("2026-11-30"))

    review.refresh_from_db()
    assert review.done_on == day("2026-11-30") and review.done_by == world.officer
    assert review.outcome == ReviewOutcome.NEW_ORDER
    assert review.contacted_contact_person is True and review.contacted_others == "Dottern"
    assert review.interventions_work == ANSWERS["interventions_work"]
    assert review.events.filter(pgh_label="update").exists()  # in the audit trail


def test_every_missing_answer_is_named_and_nothing_is_saved(world):
    review = open_review(world)

    with pytest.raises(ValidationError) as caught:
        complete_review(
            review=review,
            by=world.officer,
            data={"interventions_work": "Ja.", "needs_met": "  ", "contacted_others": "Sonen"},
        )

    errors = caught.value.message_dict
    assert set(errors) == {
        "needs_met",
        "decision_must_change",
        "client_took_part",
        "client_satisfied",
        "contacted_contact_person",
        "outcome",
    }
    assert "Tillgodoser insatserna behoven?" in errors["needs_met"][0]
    assert "kontaktman" in errors["contacted_contact_person"][0]
    review.refresh_from_db()
    assert review.done_on is None and review.interventions_work == "" and review.outcome == ""


def test_a_review_cannot_be_dated_in_the_future_or_completed_twice(world):
    review = open_review(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        _complete(review, world.officer, done_on=tomorrow)
    assert "framtiden" in caught.value.message_dict["done_on"][0]

    _complete(review, world.officer, done_on=day("2026-11-30"))
    with pytest.raises(ValidationError, match="redan registrerad som genomförd 2026-11-30"):
        _complete(review, world.manager)
