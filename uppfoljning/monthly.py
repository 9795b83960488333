"""The monthly time check and the decisions on its deviations (004 §4.1.2, §4.1.3, §3.4.1).

Once a month, on the municipality's `monthly_check_day` (day 5 by default, never earlier, 004
§4.1.2), every order in force during the previous month gets one `MonthlyTimeResult`: its ordered
minutes for that month, pro-rated by the days it was in force, against the minutes its visits
performed, declined and were absent. The provider explains a month that is over or under; the
officer approves or rejects the explanation before the billing deadline (`billing_day` of the
following month). After the deadline a month that needs no decision, or has one, is frozen.

Everything is set-based: one INSERT … ON CONFLICT per municipality and month writes the results
(no Python loop per order or visit), one DELETE drops the rows of orders no longer in force, and
one INSERT … ON CONFLICT (key) DO NOTHING opens the individual reviews of the three-month rule.
A transaction-level advisory lock per municipality and month makes two runs at once wait for
each other instead of both writing. Beat runs `run_month`: the check, then staff continuity on
the rows it wrote (`store_continuity`, uppfoljning.continuity), in the same transaction.

The rules, in one place (README "Tidsuppföljning"):
- Ordered minutes: `Order.ordered_minutes` × days in force ÷ days in the month, rounded half up
  once per order (bestallning.ordered_time.exact_prorated + round_half_up, which the SQL agrees
  with: tests/uppfoljning/test_monthly_prorating.py).
- Tolerance: within when |performed − ordered| ≤ max(time_tolerance_percent % of ordered,
  time_tolerance_minutes); default 10 % and 60 minutes. Exactly at the limit is within.
- Deviation in percent: one decimal, half away from zero (PostgreSQL's round), empty when
  nothing was ordered, capped at ±999999.9 (the column's size).
- Freezing: after the billing deadline a row is frozen when it is within tolerance, when the
  officer has decided on its explanation, or when it was never explained (the provider explains
  only before the deadline, so nothing can be decided on it any more). An explained month the
  officer has not decided stays open until she does; the next check then freezes it. A frozen
  row is never changed again.
- Three-month rule: see `_REVIEWS_SQL`.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.models import Order
from bestallning.ordered_time import exact_prorated, round_half_up
from bestallning.states import ISSUED_STATUSES
from ramtid import permissions as core_permissions
from ramtid.models import Client, Municipality, User
from ramtid.selectors import provider_sees
from uppfoljning import continuity
from uppfoljning.choices import (
    ExplanationCategory,
    ExplanationDecision,
    ReviewReason,
    TimeStatus,
    VisitStatus,
)
from uppfoljning.models import IndividualReview, MonthlyTimeResult, PerformedVisit
from uppfoljning.partitions import first_of_month, next_month
from uppfoljning.permissions import fee_officer_municipality_ids

# The individual review the three-month rule opens is due this many days after the check.
REVIEW_DUE_DAYS = 30
# deviation_percent is numeric(7, 1): the SQL caps it at 999999.9.

DEVIATING = (TimeStatus.OVER, TimeStatus.UNDER)

# ---------------------------------------------------------------------------------------------
# Pure rules (no database): what the SQL below computes, for the pages, the tests and README.


def parse_month(value: str) -> datetime.date:
    """`YYYY-MM` (as months are written in URLs and parameters) → the month's first day."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(value)
        return datetime.date(year, month, 1)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(value) from None


def previous_month(day: datetime.date) -> datetime.date:
    return first_of_month(first_of_month(day) - datetime.timedelta(days=1))


def days_in_month(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def billing_deadline(month: datetime.date, billing_day: int) -> datetime.date:
    """The day of the following month by which the month's explanations are decided."""
    return next_month(month).replace(day=billing_day)


def prorated_minutes(
    monthly_minutes: int, month: datetime.date, valid_from: datetime.date, valid_to
) -> int:
    """An order's ordered minutes for the month, rounded once (what the check's SQL writes)."""
    exact: Fraction = exact_prorated(monthly_minutes, month.year, month.month, valid_from, valid_to)
    return round_half_up(exact)


def time_status(
    *, ordered: int, performed: int, tolerance_percent: int, tolerance_minutes: int
) -> TimeStatus:
    """Within when |performed − ordered| ≤ max(percent of ordered, minutes); exactly at the
    limit is within. Integer arithmetic, as in the SQL: no rounding at the edge."""
    deviation = performed - ordered
    if abs(deviation) * 100 <= max(ordered * tolerance_percent, tolerance_minutes * 100):
        return TimeStatus.WITHIN
    return TimeStatus.OVER if deviation > 0 else TimeStatus.UNDER


# ---------------------------------------------------------------------------------------------
# The check

# The tables, by the names Django gives them (a test checks they still are).
TABLES = {
    "uppfoljning_monthlytimeresult": MonthlyTimeResult,
    "bestallning_order": Order,
    "ramtid_client": Client,
    "uppfoljning_performedvisit": PerformedVisit,
    "uppfoljning_individualreview": IndividualReview,
}

# One statement: the orders in force, their visits' minutes by status (from the month's partition
# only), the ordered minutes pro-rated and rounded half up once in integer arithmetic
# (floor((2·m·d + D) / (2·D)) = round_half_up(m·d/D)), the status against the tolerance, and
# the upsert. Frozen rows are left as they are (the WHERE of DO UPDATE). `now()` is the
# transaction's time, so every row this run touches has the same checked_at.
_CHECK_SQL = """
WITH in_force AS (
    SELECT o.id AS order_id, o.client_id, o.provider_id, c.ordering_unit_id,
           (LEAST(COALESCE(o.valid_to, %(last)s), %(last)s)
            - GREATEST(o.valid_from, %(first)s) + 1) AS days,
           COALESCE(o.ordered_minutes, 0)::bigint AS monthly
    FROM bestallning_order o
    JOIN ramtid_client c ON c.id = o.client_id
    WHERE c.municipality_id = %(municipality)s
      AND o.status = ANY(%(issued)s)
      AND o.valid_from <= %(last)s
      AND (o.valid_to IS NULL OR o.valid_to >= %(first)s)
),
visits AS (
    SELECT v.order_id,
           SUM(v.minutes) FILTER (WHERE v.status = %(performed)s) AS performed,
           SUM(v.minutes) FILTER (WHERE v.status = %(declined)s) AS declined,
           SUM(v.minutes) FILTER (WHERE v.status = %(absent)s) AS absent
    FROM uppfoljning_performedvisit v
    WHERE v.month = %(first)s
      AND v.provider_id IN (SELECT DISTINCT provider_id FROM in_force)
      AND v.order_id IN (SELECT order_id FROM in_force)
    GROUP BY v.order_id
),
figures AS (
    SELECT f.order_id, f.client_id, f.provider_id, f.ordering_unit_id, f.days,
           (2 * f.monthly * f.days + %(month_days)s) / (2 * %(month_days)s) AS ordered,
           COALESCE(v.performed, 0) AS performed,
           COALESCE(v.declined, 0) AS declined,
           COALESCE(v.absent, 0) AS absent
    FROM in_force f
    LEFT JOIN visits v ON v.order_id = f.order_id
),
judged AS (
    SELECT figures.*, performed - ordered AS deviation,
           CASE
               WHEN abs(performed - ordered) * 100
                    <= GREATEST(ordered * %(tolerance_percent)s, %(tolerance_minutes)s * 100)
                   THEN %(within)s
               WHEN performed > ordered THEN %(over)s
               ELSE %(under)s
           END AS status
    FROM figures
),
upserted AS (
    INSERT INTO uppfoljning_monthlytimeresult AS r (
        order_id, month, client_id, provider_id, ordering_unit_id, days_in_force,
        ordered_minutes, performed_minutes, declined_minutes, absent_minutes,
        deviation_minutes, deviation_percent, status, billing_deadline, checked_at,
        explanation_category, explanation_text, decision, decision_reason, frozen_at
    )
    SELECT order_id, %(first)s, client_id, provider_id, ordering_unit_id, days,
           ordered, performed, declined, absent, deviation,
           CASE WHEN ordered = 0 THEN NULL
                ELSE LEAST(999999.9, round(deviation * 100.0 / ordered, 1)) END,
           status, %(deadline)s, now(), '', '', '', '',
           -- A new row after the deadline is within tolerance or was never explained.
           CASE WHEN %(past_deadline)s THEN now() END
    FROM judged
    ON CONFLICT (order_id, month) DO UPDATE SET
        client_id = EXCLUDED.client_id,
        provider_id = EXCLUDED.provider_id,
        ordering_unit_id = EXCLUDED.ordering_unit_id,
        days_in_force = EXCLUDED.days_in_force,
        ordered_minutes = EXCLUDED.ordered_minutes,
        performed_minutes = EXCLUDED.performed_minutes,
        declined_minutes = EXCLUDED.declined_minutes,
        absent_minutes = EXCLUDED.absent_minutes,
        deviation_minutes = EXCLUDED.deviation_minutes,
        deviation_percent = EXCLUDED.deviation_percent,
        status = EXCLUDED.status,
        billing_deadline = EXCLUDED.billing_deadline,
        checked_at = EXCLUDED.checked_at,
        frozen_at = CASE
            WHEN %(past_deadline)s AND (
                EXCLUDED.status = %(within)s OR r.decision <> '' OR r.explanation_category = ''
            ) THEN EXCLUDED.checked_at
        END
    WHERE r.frozen_at IS NULL
    RETURNING (r.xmax = 0) AS inserted, (r.frozen_at IS NOT NULL) AS frozen
)
SELECT count(*), count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE frozen)
FROM upserted
"""

# The month's open rows this run did not touch: orders no longer in force during the month
# (ended or superseded from an earlier day after the last check). Dropped unless explained: an
# explanation is the provider's word and is kept, with the figures it explained.
_STALE_SQL = """
DELETE FROM uppfoljning_monthlytimeresult r
USING ramtid_client c, bestallning_order o
WHERE r.client_id = c.id
  AND o.id = r.order_id
  AND c.municipality_id = %(municipality)s
  AND r.month = %(first)s
  AND r.frozen_at IS NULL
  AND r.explanation_category = ''
  AND NOT (
      o.status = ANY(%(issued)s)
      AND o.valid_from <= %(last)s
      AND (o.valid_to IS NULL OR o.valid_to >= %(first)s)
  )
"""

# 004 §4.1.3: over or under for `consecutive_months_before_review` months in a row without an
# approved explanation → one individual review for the client's officer.
#
# Counted per client, not per order: a change order in the middle of a run is the same client.
# A client's month counts when one of its results is over or under without an approved
# explanation; a month within tolerance, a month whose deviation was approved, or a month with
# no result (no order in force) ends the run. Runs are found as islands: consecutive counting
# months share (months since year 0 − row number). The review's key names the client and the
# run's first month, so a run that goes on creates nothing new, and the check run again for the
# same month creates nothing new (ON CONFLICT (key) DO NOTHING).
#
# The rule is applied once the month's billing deadline has passed: only then is it known
# whether the month's explanation was approved (the explanation comes after the check).
_REVIEWS_SQL = """
WITH candidates AS (
    SELECT DISTINCT r.client_id
    FROM uppfoljning_monthlytimeresult r
    JOIN ramtid_client c ON c.id = r.client_id
    WHERE r.month = %(first)s
      AND c.municipality_id = %(municipality)s
      AND r.status IN (%(over)s, %(under)s)
      AND r.decision <> %(approved)s
),
counting AS (
    SELECT r.client_id, r.month
    FROM uppfoljning_monthlytimeresult r
    JOIN candidates USING (client_id)
    WHERE r.month <= %(first)s
    GROUP BY r.client_id, r.month
    HAVING bool_or(r.status IN (%(over)s, %(under)s) AND r.decision <> %(approved)s)
),
islands AS (
    SELECT client_id, month,
           (extract(year FROM month) * 12 + extract(month FROM month))::int
           - row_number() OVER (PARTITION BY client_id ORDER BY month) AS island
    FROM counting
),
runs AS (
    SELECT client_id, min(month) AS first_month, max(month) AS last_month, count(*) AS months
    FROM islands
    GROUP BY client_id, island
),
created AS (
    INSERT INTO uppfoljning_individualreview (
        key, client_id, order_id, ordering_unit_id, reason, due_on, created_at,
        interventions_work, needs_met, decision_must_change, client_took_part, client_satisfied,
        contacted_contact_person, contacted_others, outcome
    )
    SELECT 'time_deviation:' || runs.client_id || ':' || to_char(runs.first_month, 'YYYY-MM'),
           runs.client_id,
           (SELECT max(r.order_id) FROM uppfoljning_monthlytimeresult r
            WHERE r.client_id = runs.client_id AND r.month = %(first)s),
           c.ordering_unit_id, %(reason)s, %(due_on)s, now(),
           '', '', '', '', '', false, '', ''
    FROM runs
    JOIN ramtid_client c ON c.id = runs.client_id
    WHERE runs.last_month = %(first)s AND runs.months >= %(months)s
    ON CONFLICT (key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM created
"""


@dataclass(frozen=True)
class CheckSummary:
    """What one run of the check did for a municipality and month."""

    municipality: str
    month: datetime.date
    billing_deadline: datetime.date
    written: int  # rows inserted or updated
    created: int  # of which new
    frozen: int  # rows frozen by this run
    removed: int  # open rows of orders no longer in force, dropped
    reviews: int  # individual reviews opened by the three-month rule

    def __str__(self) -> str:
        return _(
            "%(municipality)s %(month)s: %(written)d beställningar kontrollerade (%(created)d "
            "nya), %(frozen)d låsta, %(removed)d borttagna, %(reviews)d nya "
            "individuppföljningar. Sista dag för beslut: %(deadline)s."
        ) % {
            "municipality": self.municipality,
            "month": f"{self.month:%Y-%m}",
            "written": self.written,
            "created": self.created,
            "frozen": self.frozen,
            "removed": self.removed,
            "reviews": self.reviews,
            "deadline": self.billing_deadline.isoformat(),
        }


def lock_key(municipality_id: int, month: datetime.date) -> str:
    return f"uppfoljning.monthly:{municipality_id}:{month:%Y-%m}"


@transaction.atomic
def run_monthly_check(
    *, municipality: Municipality, month: datetime.date, today: datetime.date | None = None
) -> CheckSummary:
    """The monthly time check of one municipality and month (the month's first day, or any day
    of it). Idempotent: run again, it updates the open rows and creates nothing twice. `today`
    (the municipality's local date, default today) decides whether the deadline has passed."""
    month = first_of_month(month)
    today = today or timezone.localdate()
    deadline = billing_deadline(month, municipality.billing_day)
    past_deadline = today > deadline
    last = month.replace(day=days_in_month(month))
    params = {
        "municipality": municipality.pk,
        "first": month,
        "last": last,
        "month_days": days_in_month(month),
        "issued": list(ISSUED_STATUSES),
        "performed": VisitStatus.PERFORMED.value,
        "declined": VisitStatus.DECLINED.value,
        "absent": VisitStatus.ABSENT.value,
        "tolerance_percent": municipality.time_tolerance_percent,
        "tolerance_minutes": municipality.time_tolerance_minutes,
        "within": TimeStatus.WITHIN.value,
        "over": TimeStatus.OVER.value,
        "under": TimeStatus.UNDER.value,
        "deadline": deadline,
        "past_deadline": past_deadline,
        "approved": ExplanationDecision.APPROVED.value,
        "reason": ReviewReason.TIME_DEVIATION.value,
        "due_on": today + datetime.timedelta(days=REVIEW_DUE_DAYS),
        "months": municipality.consecutive_months_before_review,
    }
    with connection.cursor() as cursor:
        # Two runs for the same municipality and month (beat and a manual run, a redelivered
        # task) wait for each other: the second sees what the first committed.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [lock_key(municipality.pk, month)],
        )
        cursor.execute(_CHECK_SQL, params)
        written, created, frozen = cursor.fetchone()
        cursor.execute(_STALE_SQL, params)
        removed = cursor.rowcount
        reviews = 0
        if past_deadline:
            cursor.execute(_REVIEWS_SQL, params)
            reviews = cursor.fetchone()[0]
    return CheckSummary(
        municipality=str(municipality),
        month=month,
        billing_deadline=deadline,
        written=written,
        created=created,
        frozen=frozen,
        removed=removed,
        reviews=reviews,
    )


@dataclass(frozen=True)
class ContinuitySummary:
    """What one run of the continuity step wrote for a municipality and month."""

    month: datetime.date
    written: int  # result rows whose continuity changed


@transaction.atomic
def store_continuity(*, municipality: Municipality, month: datetime.date) -> ContinuitySummary:
    """Staff continuity on the month's result rows (uppfoljning.continuity, 003): for each row,
    the different staff of the order's provider the client met in the busiest 14-day window
    ending in the month, and that window's last day; null without performed visits. Two
    statements for the municipality and month, whatever its size: one reads the visits and
    finds the rows whose figures changed, one writes those rows.

    The same rule as the check's figures: a frozen row is not changed, except one the check
    froze (or created frozen) in this same transaction. Run it right after `run_monthly_check`,
    in its transaction (`run_month`); alone, it updates the open rows."""
    month = first_of_month(month)
    sql, params = continuity.store_sql(municipality.pk, month)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [lock_key(municipality.pk, month)],
        )
        cursor.execute(sql, params)
        changed = cursor.fetchall()
        if changed:
            ids, staff, ends = (list(column) for column in zip(*changed, strict=True))
            cursor.execute(continuity.store_write_sql(), {"ids": ids, "staff": staff, "ends": ends})
    return ContinuitySummary(month=month, written=len(changed))


@transaction.atomic
def run_month(
    *, municipality: Municipality, month: datetime.date, today: datetime.date | None = None
) -> CheckSummary:
    """What beat runs for a municipality and month: the time check, then staff continuity on the
    rows it wrote, in one transaction (README "Staff continuity" has each step's time)."""
    summary = run_monthly_check(municipality=municipality, month=month, today=today)
    store_continuity(municipality=municipality, month=month)
    return summary


def municipalities_due(today: datetime.date | None = None) -> list[tuple[int, datetime.date]]:
    """The (municipality id, month) pairs to check today, oldest month first.

    - The previous month, from the municipality's `monthly_check_day` (004 §4.1.2: never before
      it) every day up to and including the day after its billing deadline: late visits are
      counted while explanations can still be given, and the day after the deadline freezes the
      month and applies the three-month rule.
    - Any earlier month with open rows past their deadline that the check would now freeze (an
      explanation decided late, a day the job did not run).
    Checking a month again is harmless (run_monthly_check is idempotent), so this errs on the
    side of checking.
    """
    today = today or timezone.localdate()
    month = previous_month(today)
    due: set[tuple[int, datetime.date]] = set()
    rules = Municipality.objects.filter(monthly_check_day__lte=today.day).values_list(
        "pk", "monthly_check_day", "billing_day"
    )
    for pk, check_day, billing_day in rules:
        last_day = billing_deadline(month, billing_day) + datetime.timedelta(days=1)
        if today.day == check_day or today <= last_day:
            due.add((pk, month))
    freezable = (
        MonthlyTimeResult.objects.filter(frozen_at__isnull=True, billing_deadline__lt=today)
        .filter(Q(status=TimeStatus.WITHIN) | ~Q(decision="") | Q(explanation_category=""))
        .values_list("client__municipality_id", "month")
        .distinct()
    )
    due.update(freezable)
    return sorted(due, key=lambda pair: (pair[1], pair[0]))


# ---------------------------------------------------------------------------------------------
# Reads, scoped to the user


def results_visible_to(user: User) -> QuerySet[MonthlyTimeResult]:
    """Provider staff see their provider's rows; officers and unit managers their units'.
    Fee officers read only the over-time list (`over_time_visible_to`), never these pages."""
    if not user.is_authenticated:
        return MonthlyTimeResult.objects.none()
    visible = Q(pk__in=[])
    unit_ids = core_permissions.ordering_unit_ids(user)
    if unit_ids:
        visible |= Q(ordering_unit_id__in=unit_ids)
    provider_ids = core_permissions.provider_ids(user)
    if provider_ids:
        # While the provider sees the client (issue 10: the order's grace, ramtid.selectors).
        visible |= provider_sees(provider_ids, client="client", provider="provider")
    return MonthlyTimeResult.objects.filter(visible).select_related(
        "client", "provider", "ordering_unit", "order", "explained_by", "decided_by"
    )


def sees_time_results(user: User) -> bool:
    """Whether the user has the time-check pages: provider staff, officers and unit managers."""
    return bool(core_permissions.ordering_unit_ids(user) or core_permissions.provider_ids(user))


def needs_explanation(today: datetime.date | None = None) -> Q:
    """Over or under, open, the deadline not passed, and no explanation or a rejected one: the
    provider's to explain (what ResultState.needs_explanation says of one row, in SQL)."""
    return (
        Q(status__in=DEVIATING, frozen_at__isnull=True)
        & Q(billing_deadline__gte=today or timezone.localdate())
        & (Q(explanation_category="") | Q(decision=ExplanationDecision.REJECTED))
    )


def needs_decision() -> Q:
    """Over or under, explained, not decided, open: the officer's to decide."""
    return Q(status__in=DEVIATING, frozen_at__isnull=True, decision="") & ~Q(
        explanation_category=""
    )


def over_time_q() -> Q:
    """More time performed than ordered, whatever the tolerance: the fee officers' over-time
    rule (004 §4.1.2), also the liaison pack's invoicing questions."""
    return Q(performed_minutes__gt=F("ordered_minutes"))


def over_time_visible_to(user: User) -> QuerySet[MonthlyTimeResult]:
    """The fee officers' list (004 §4.1.2): every order of their municipalities whose performed
    time exceeded the ordered time, whatever the tolerance. Figures only: the client and the
    provider are joined, nothing of the order's plan or interventions."""
    municipality_ids = fee_officer_municipality_ids(user) if user.is_authenticated else set()
    if not municipality_ids:
        return MonthlyTimeResult.objects.none()
    return (
        MonthlyTimeResult.objects.filter(client__municipality_id__in=municipality_ids)
        .filter(over_time_q())
        .select_related("client", "provider")
    )


def latest_month(queryset: QuerySet[MonthlyTimeResult]) -> datetime.date | None:
    return queryset.aggregate(latest=Max("month"))["latest"]


# ---------------------------------------------------------------------------------------------
# What a row allows (for the pages, the API and the services)


@dataclass(frozen=True)
class ResultState:
    """A result's stage as the booleans the pages and the API ask about."""

    deviating: bool
    explained: bool
    decided: bool
    approved: bool
    rejected: bool
    frozen: bool
    past_deadline: bool

    @classmethod
    def of(cls, result: MonthlyTimeResult, today: datetime.date | None = None) -> ResultState:
        today = today or timezone.localdate()
        return cls(
            deviating=result.status in DEVIATING,
            explained=bool(result.explanation_category),
            decided=bool(result.decision),
            approved=result.decision == ExplanationDecision.APPROVED,
            rejected=result.decision == ExplanationDecision.REJECTED,
            frozen=result.frozen_at is not None,
            past_deadline=today > result.billing_deadline,
        )

    @property
    def explainable(self) -> bool:
        """The provider may explain (again after a rejection) until the deadline."""
        return self.deviating and not self.frozen and not self.past_deadline and not self.approved

    @property
    def decidable(self) -> bool:
        """The officer decides an explanation not yet decided, until the month is frozen."""
        return self.deviating and self.explained and not self.decided and not self.frozen

    @property
    def needs_explanation(self) -> bool:
        return self.explainable and (not self.explained or self.rejected)

    @property
    def needs_decision(self) -> bool:
        return self.decidable


def frozen_reason(result: MonthlyTimeResult) -> str:
    """Why a frozen month can no longer change, in the words the page shows."""
    if result.frozen_at is None:
        return ""
    deadline = result.billing_deadline.isoformat()
    if result.decision == ExplanationDecision.APPROVED:
        why = _("förklaringen är godkänd")
    elif result.decision == ExplanationDecision.REJECTED:
        why = _("förklaringen är avslagen")
    elif result.status == TimeStatus.WITHIN:
        why = _("tiden är inom toleransen")
    else:
        why = _("månaden förklarades inte före sista dagen")
    return _(
        "Månaden är låst sedan %(frozen)s: sista dag för beslut (%(deadline)s) har passerat och "
        "%(why)s. Tidsuppföljningen ändrar den inte längre."
    ) % {
        "frozen": timezone.localtime(result.frozen_at).date().isoformat(),
        "deadline": deadline,
        "why": why,
    }


# ---------------------------------------------------------------------------------------------
# Writes


@transaction.atomic
def explain_month(
    *, result: MonthlyTimeResult, by: User, category: str, text: str
) -> MonthlyTimeResult:
    """The provider's explanation of a month over or under (004 §4.1.2): a reason category and
    a text, before the billing deadline. It may be changed until the officer decides, and given
    anew after a rejection (which clears the rejection)."""
    result = MonthlyTimeResult.objects.select_for_update().get(pk=result.pk)
    state = ResultState.of(result)
    if state.frozen:
        raise ValidationError(_("Månaden är låst och kan inte längre förklaras."))
    if not state.deviating:
        raise ValidationError(_("Tiden är inom toleransen: månaden behöver ingen förklaring."))
    if state.past_deadline:
        raise ValidationError(
            _("Sista dag för förklaringar var %(date)s.") % {"date": result.billing_deadline}
        )
    if state.approved:
        raise ValidationError(_("Förklaringen är redan godkänd av handläggaren."))
    errors = {}
    if category not in ExplanationCategory.values:
        errors["category"] = _("Välj en orsak till avvikelsen.")
    if not (text or "").strip():
        errors["text"] = _("Beskriv varför tiden avviker från den beställda.")
    if errors:
        raise ValidationError(errors)
    result.explanation_category = category
    result.explanation_text = text.strip()
    result.explained_by = by
    result.explained_at = timezone.now()
    result.decision = ""
    result.decision_reason = ""
    result.decided_by = None
    result.decided_at = None
    result.save(
        update_fields=[
            "explanation_category",
            "explanation_text",
            "explained_by",
            "explained_at",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
    )
    return result


@transaction.atomic
def decide_month(
    *, result: MonthlyTimeResult, by: User, decision: str, reason: str = ""
) -> MonthlyTimeResult:
    """The officer approves or rejects the provider's explanation (as a rule approves a
    reasonable one, 004 §4.1.2); a rejection says why. Possible until the month is frozen."""
    result = MonthlyTimeResult.objects.select_for_update().get(pk=result.pk)
    state = ResultState.of(result)
    if state.frozen:
        raise ValidationError(_("Månaden är låst och kan inte längre beslutas."))
    if not state.deviating:
        raise ValidationError(_("Tiden är inom toleransen: månaden behöver inget beslut."))
    if not state.explained:
        raise ValidationError(_("Utföraren har inte förklarat avvikelsen ännu."))
    if state.decided:
        raise ValidationError(
            _("Förklaringen är redan %(decision)s.")
            % {"decision": result.get_decision_display().lower()}
        )
    if decision not in ExplanationDecision.values:
        raise ValidationError({"decision": _("Välj att godkänna eller avslå förklaringen.")})
    if decision == ExplanationDecision.REJECTED and not (reason or "").strip():
        raise ValidationError({"reason": _("Skriv varför förklaringen avslås.")})
    result.decision = decision
    result.decision_reason = (reason or "").strip()
    result.decided_by = by
    result.decided_at = timezone.now()
    result.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    return result
