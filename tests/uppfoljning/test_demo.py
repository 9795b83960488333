"""The demo's follow-up (uppfoljning/demo.py): visits imported through the import service, the
monthly check with results in every state, a review from the three-month rule, an explanation
waiting for the officer, a frozen month, and plan notices open and closed. Idempotency of the
whole demo is tested in tests/ramtid/test_demo.py."""

import datetime

import pytest
from django.utils import timezone

from uppfoljning import demo
from uppfoljning.choices import (
    ExplanationDecision,
    ImportStatus,
    ReviewReason,
    TimeStatus,
)
from uppfoljning.models import (
    IndividualReview,
    MonthlyTimeResult,
    Notice,
    PerformedVisit,
    VisitImport,
)


@pytest.fixture
def loaded(demo_loaded, db):
    return demo_loaded


def _results(name: str):
    first, last = name.split(" ", 1)
    return MonthlyTimeResult.objects.filter(
        client__first_name=first, client__last_name=last
    ).order_by("month")


def test_the_demo_months_are_the_last_full_months():
    assert demo.months(datetime.date(2026, 12, 1)) == [
        datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    ]  # fmt: skip
    assert demo.months(datetime.date(2027, 2, 28))[-1] == datetime.date(2027, 1, 1)


def test_visits_came_in_through_the_import_service_one_file_per_provider(loaded):
    imports = VisitImport.objects.filter(file_name__startswith=demo.FILE_PREFIX)
    assert imports.count() == 3
    assert set(imports.values_list("status", flat=True)) == {ImportStatus.DONE}
    assert sum(imports.values_list("created_count", flat=True)) == PerformedVisit.objects.count()
    months = demo.months(timezone.localdate())
    visit_months = set(PerformedVisit.objects.values_list("month", flat=True))
    assert set(months[1:]) <= visit_months <= set(months)
    statuses = set(PerformedVisit.objects.values_list("status", flat=True))
    assert statuses == {"performed", "declined", "absent"}


def test_results_in_every_status_and_the_officer_and_provider_have_work(loaded):
    months = demo.months(timezone.localdate())
    last = MonthlyTimeResult.objects.filter(month=months[-1])
    assert {TimeStatus.WITHIN, TimeStatus.OVER, TimeStatus.UNDER} <= set(
        last.values_list("status", flat=True)
    )
    assert last.filter(status=TimeStatus.WITHIN).count() >= 5
    # Elsa over every month, a review for her officer from the three-month rule, only one.
    elsa = _results("Elsa Andersson")
    assert [r.status for r in elsa][-3:] == [TimeStatus.OVER] * 3
    reviews = IndividualReview.objects.filter(reason=ReviewReason.TIME_DEVIATION)
    assert [(r.client.first_name, r.client.last_name) for r in reviews] == [("Elsa", "Andersson")]
    # Karin's last month: explained, waiting for the officer, not frozen.
    karin = _results("Karin Engström").get(month=months[-1])
    assert karin.status == TimeStatus.UNDER
    assert karin.explanation_category and karin.explanation_text
    assert karin.decision == "" and karin.frozen_at is None
    # Gösta's month before: explained, approved and frozen.
    gosta = _results("Gösta Karlsson").filter(month=months[-2]).order_by("order__valid_from")[0]
    assert gosta.status == TimeStatus.OVER
    assert gosta.decision == ExplanationDecision.APPROVED
    assert gosta.frozen_at is not None
    # Olof's last month: under, for Strandvägen to explain.
    olof = _results("Olof Ekman").get(month=months[-1])
    assert olof.status == TimeStatus.UNDER and olof.explanation_category == ""
    # The months past their deadline are frozen.
    assert not MonthlyTimeResult.objects.filter(
        month__in=months[:-1], frozen_at__isnull=True
    ).exists()


def test_plan_notices_open_and_closed(loaded):
    open_notices = Notice.objects.filter(closed_at__isnull=True)
    closed = Notice.objects.filter(closed_at__isnull=False)
    assert open_notices.exists() and closed.exists()
    names = {(n.client.first_name, n.client.last_name) for n in open_notices}
    assert {("Olof", "Ekman"), ("Folke", "Holm")} <= names
    assert ("Elsa", "Andersson") in {(n.client.first_name, n.client.last_name) for n in closed}
