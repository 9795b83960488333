"""The individual reviews' pages: the review beside the order, the plan and six months of time
results; completing it; the unit's list; the start page's worklist; and who may see what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from genomforandeplan import services as plan_services
from ramtid.models import AccessLog
from ramtid.worklists import ROWS_ON_START
from tests.genomforandeplan.conftest import complete
from tests.uppfoljning.reviews_helpers import (
    ANSWERS,
    day,
    executed_order,
    new_client,
    open_review,
)
from uppfoljning.choices import ReviewOutcome, ReviewReason, TimeStatus
from uppfoljning.models import IndividualReview, MonthlyTimeResult
from uppfoljning.partitions import first_of_month

TODAY = timezone.localdate()


def _months_back(count: int) -> datetime.date:
    month = first_of_month(TODAY)
    for _step in range(count):
        month = first_of_month(month - datetime.timedelta(days=1))
    return month


@pytest.fixture
def order(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-06-10"))
    plan_services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person
    )
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    return order


@pytest.fixture
def review(world, order):
    return open_review(world, client=world.client, order=order, due_on=TODAY)


def _url(review) -> str:
    return reverse("review_detail", args=[review.pk])


def _time_result(order, month: datetime.date, **fields) -> MonthlyTimeResult:
    values = {
        "days_in_force": 30,
        "ordered_minutes": 600,
        "performed_minutes": 780,
        "deviation_minutes": 180,
        "status": TimeStatus.OVER,
        "billing_deadline": month + datetime.timedelta(days=45),
        "checked_at": timezone.now(),
        **fields,
    }
    return MonthlyTimeResult.objects.create(
        order=order,
        month=month,
        client=order.client,
        provider=order.provider,
        ordering_unit=order.client.ordering_unit,
        **values,
    )


def test_the_review_page_shows_the_order_the_plan_and_says_when_time_results_are_missing(
    world, review, order
):
    response = world.login(world.officer).get(_url(review))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Individuppföljning för Lisa Andersson" in html
    assert reverse("order_detail", args=[order.pk]) in html
    assert str(world.contact_person) in html  # the contact person, to be contacted
    assert reverse("plan_detail", args=[order.plans.get().pk]) in html
    assert f"Ingen tidsuppföljning för {_months_back(6):%Y-%m} till {_months_back(1):%Y-%m}" in html
    assert "Registrera individuppföljningen" in html
    [entry] = AccessLog.objects.filter(user=world.officer)
    assert entry.client_ids == [world.client.pk]


def test_the_review_page_shows_the_last_six_months_of_time(world, review, order):
    _time_result(order, _months_back(1), performed_minutes=781)
    _time_result(order, _months_back(6), performed_minutes=782)
    _time_result(order, _months_back(7), performed_minutes=783)  # older than six months

    html = world.login(world.officer).get(_url(review)).content.decode()

    assert "13:01" in html and "13:02" in html  # 781 and 782 minutes
    assert "13:03" not in html
    assert "Ingen tidsuppföljning" not in html


def test_completing_needs_every_answer_and_an_explicit_press(world, review):
    http = world.login(world.officer)

    response = http.post(_url(review), {"interventions_work": "Ja.", "done_on": f"{TODAY}"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Formuläret innehåller fel" in html
    assert "Tillgodoser insatserna behoven?: Svara på frågan." in html
    assert "Bekräfta att du har haft kontakt med brukarens kontaktman" in html
    assert "Utfall: Välj utfall." in html
    review.refresh_from_db()
    assert review.done_on is None and review.interventions_work == ""

    response = http.post(
        _url(review),
        {
            "interventions_work": "Ja.",
            "needs_met": "Ja.",
            "decision_must_change": "Nej.",
            "client_took_part": "Ja.",
            "client_satisfied": "Ja.",
            "contacted_contact_person": "on",
            "contacted_others": "Dottern",
            "outcome": ReviewOutcome.UNCHANGED,
            "done_on": f"{TODAY}",
        },
    )

    assert response.status_code == 302 and response["Location"] == _url(review)
    review.refresh_from_db()
    assert review.done_on == TODAY and review.done_by == world.officer
    page = http.get(_url(review)).content.decode()
    assert "Individuppföljningen för Lisa Andersson är registrerad." in page
    assert "Registrera individuppföljningen" not in page and "Dottern" in page


@pytest.mark.parametrize(
    ("user", "get", "post"),
    [
        ("officer", 200, 200),  # the form again, with its errors
        ("manager", 200, 403),  # reads, does not make the review
        ("other_officer", 404, 404),
        ("other_manager", 404, 404),
        ("coordinator", 404, 404),
        ("contact_person", 404, 404),
        ("fee_officer", 404, 404),
    ],
)
def test_who_may_open_and_complete_a_review(world, review, user, get, post):
    http = world.login(getattr(world, user))
    assert http.get(_url(review)).status_code == get
    assert http.post(_url(review), {}).status_code == post
    review.refresh_from_db()
    assert review.done_on is None


def test_a_review_of_deviating_time_shows_and_is_completed_like_the_others(world, order):
    # As the monthly check (uppfoljning.monthly) creates it.
    review = open_review(
        world,
        client=world.client,
        order=order,
        reason=ReviewReason.TIME_DEVIATION,
        key=f"time_deviation:{world.client.pk}:2026-08",
        due_on=TODAY + datetime.timedelta(days=14),
    )
    http = world.login(world.officer)

    start = http.get(reverse("start"))
    [section] = [s for s in start.context["sections"] if s.worklist.key == "individuppfoljningar"]
    assert [row.pk for row in section.rows] == [review.pk]
    assert "Avvikande tid flera månader i följd" in start.content.decode()

    data = {**ANSWERS, "contacted_contact_person": "on", "done_on": f"{TODAY}"}
    assert http.post(_url(review), data).status_code == 302
    assert IndividualReview.objects.get(pk=review.pk).done_on == TODAY


# ---------------------------------------------------------------------------------------------
# The list and the worklist


def _reviews(world, count: int, *, due_from: datetime.date, reason=ReviewReason.YEARLY) -> list:
    reviews = []
    for number in range(count):
        client = new_client(world, first_name=f"Uppf{len(reviews):02d}{reason[:3]}{number}")
        reviews.append(
            open_review(
                world,
                client=client,
                reason=reason,
                due_on=due_from + datetime.timedelta(days=number % 20),
                key=f"{reason}:{client.pk}",
            )
        )
    return reviews


def _get(http, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url, params or {})
    assert response.status_code == 200
    return response, len(queries)


def test_the_worklist_holds_the_reviews_due_within_30_days_and_the_late_ones(world):
    late = _reviews(world, 1, due_from=TODAY - datetime.timedelta(days=40))[0]
    soon = _reviews(world, 1, due_from=TODAY + datetime.timedelta(days=30))[0]
    _reviews(world, 1, due_from=TODAY + datetime.timedelta(days=31))
    done = _reviews(world, 1, due_from=TODAY - datetime.timedelta(days=3))[0]
    IndividualReview.objects.filter(pk=done.pk).update(
        done_on=TODAY, done_by=world.officer, outcome=ReviewOutcome.UNCHANGED
    )

    response, _queries = _get(world.login(world.officer), reverse("start"))

    [section] = [
        s for s in response.context["sections"] if s.worklist.key == "individuppfoljningar"
    ]
    assert section.count == 2
    assert [row.pk for row in section.rows] == [late.pk, soon.pk]  # the earliest first
    assert "försenad" in response.content.decode()


@pytest.mark.parametrize("user", ["coordinator", "fee_officer"])
def test_providers_and_fee_officers_have_no_review_worklist_or_menu(world, user):
    _reviews(world, 2, due_from=TODAY)
    response, _queries = _get(world.login(getattr(world, user)), reverse("start"))
    assert "individuppfoljningar" not in {s.worklist.key for s in response.context["sections"]}
    assert reverse("review_list") not in response.content.decode()
    assert world.login(getattr(world, user)).get(reverse("review_list")).status_code == 404


def test_the_list_filters_by_reason_and_shows_completed_ones_on_request(world):
    yearly = _reviews(world, 2, due_from=TODAY)
    need = _reviews(world, 1, due_from=TODAY - datetime.timedelta(days=5),
                    reason=ReviewReason.NEED_CHANGE)  # fmt: skip
    IndividualReview.objects.filter(pk=yearly[1].pk).update(
        done_on=TODAY, done_by=world.officer, outcome=ReviewOutcome.NEW_ORDER
    )
    http = world.login(world.officer)

    response, _queries = _get(http, reverse("review_list"))
    assert [r.pk for r in response.context["rows"]] == [need[0].pk, yearly[0].pk]
    response, _queries = _get(http, reverse("review_list"), {"reason": "need_change"})
    assert [r.pk for r in response.context["rows"]] == [need[0].pk]
    response, _queries = _get(http, reverse("review_list"), {"visa": "genomforda"})
    assert [r.pk for r in response.context["rows"]] == [yearly[1].pk]
    assert "Ny beställning" in response.content.decode()


def test_the_list_is_paginated(world):
    _reviews(world, 51, due_from=TODAY)
    http = world.login(world.officer)
    first, _queries = _get(http, reverse("review_list"))
    second, _queries = _get(http, reverse("review_list"), {"sida": 2})
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 1
    assert "Sida 2 av 2" in second.content.decode()
    logged = AccessLog.objects.filter(user=world.officer, what="Individuppföljningar")
    assert sorted(len(entry.client_ids) for entry in logged) == [1, 50]


def test_the_list_the_worklist_and_the_start_page_cost_the_same_for_5_and_50(world):
    http = world.login(world.officer)
    pages = [
        reverse("start"),
        reverse("review_list"),
        reverse("worklist", args=["individuppfoljningar"]),
    ]
    _reviews(world, 5, due_from=TODAY)
    few = {url: _get(http, url)[1] for url in pages}
    _reviews(world, 45, due_from=TODAY)
    for url in pages:
        response, queries = _get(http, url)
        assert queries == few[url], url
    assert len(response.context["section"].rows) == 50
    start = _get(http, reverse("start"))[0]
    [section] = [s for s in start.context["sections"] if s.worklist.key == "individuppfoljningar"]
    assert section.count == 50 and len(section.rows) == ROWS_ON_START
