"""The officer's individual reviews (individuppföljning), 004 §4.1.4 and 002 "Rutiner": when
they fall due, what completing one records, and who sees them.

A review is due
- at least every `review_interval_months` (12) from the day the client's help started, or from
  the client's last completed review when that is later (YEARLY, key
  "yearly:<client>:<due date>"). "Started" is the first execution in the chain of orders now in
  force (an order and the orders it superseded): a change of order does not restart the year,
  and a client who comes back after a break starts a new one.
- `first_review_after_months` (Stockholm: 2) after an order is executed, where the municipality
  has that rule (AFTER_EXECUTION, key "after_execution:<order>"). Only for the first order
  executed under a decision at a provider: a change order under the same decision (an added
  intervention) is not a new start, a new decision or a new provider is. Only while the client
  has an order in force; not when the client has had a review completed since the execution,
  and not for executions whose review fell due more than AFTER_EXECUTION_LOOKBACK_DAYS ago (so
  that switching the rule on does not bury the officers in reviews of long-running cases).
- when the provider reports a change of need (bestallning.NeedChangeReport): due
  NEED_CHANGE_DUE_DAYS after the report (NEED_CHANGE, key "need_change:<report>"), unless a
  review was completed on or after the report's day, or a need-change review of the client is
  already open (it covers the new report too).
- when the time deviates several months in a row (TIME_DEVIATION, key
  "time_deviation:<client>:<YYYY-MM>"): created by the monthly check (uppfoljning.monthly).

`create_due_reviews` runs every morning after the plan check (uppfoljning.tasks) and creates
the reviews due within REVIEW_HORIZON_DAYS, so that they are on the officer's worklist (which
shows those due within 30 days) in time. Each kind is one INSERT … SELECT … ON CONFLICT (key)
DO NOTHING: running it again, or twice at once, creates nothing new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.models import NeedChangeReport, Order
from bestallning.states import ACTIVE_STATUSES
from ramtid.models import Client, Municipality, User
from uppfoljning import permissions
from uppfoljning.choices import ReviewOutcome, ReviewReason
from uppfoljning.models import IndividualReview

# A review is created this long before it is due: the worklist shows the reviews due within 30
# days, and two more weeks leave room for a morning job that did not run.
REVIEW_HORIZON_DAYS = 45
# A change of need is followed up within a month of the report ("sooner when needs change").
NEED_CHANGE_DUE_DAYS = 30
# Reports older than this and executions whose follow-up fell due longer ago get no review when
# the job first sees them (a new installation, a rule switched on): they are history.
NEED_CHANGE_LOOKBACK_DAYS = 90
AFTER_EXECUTION_LOOKBACK_DAYS = 90

# The five questions of 004 §4.1.4, in the order the form asks them.
QUESTIONS = (
    "interventions_work",
    "needs_met",
    "decision_must_change",
    "client_took_part",
    "client_satisfied",
)


@dataclass(frozen=True)
class DueReviews:
    """What one run of `create_due_reviews` did."""

    yearly: int = 0
    after_execution: int = 0
    need_change: int = 0
    moved: int = 0  # open reviews moved to the unit their client now belongs to

    @property
    def created(self) -> int:
        return self.yearly + self.after_execution + self.need_change


# ---------------------------------------------------------------------------------------------
# Creating the reviews that fall due

_TABLES = {
    "review": IndividualReview._meta.db_table,
    "order": Order._meta.db_table,
    "client": Client._meta.db_table,
    "municipality": Municipality._meta.db_table,
    "report": NeedChangeReport._meta.db_table,
}

# The columns of a new, open review, and their values after the selected key, client, order,
# unit, reason and due date (a raw INSERT gets none of Django's field defaults).
_INSERT = """
INSERT INTO {review} (
    key, client_id, order_id, ordering_unit_id, reason, due_on, created_at,
    interventions_work, needs_met, decision_must_change, client_took_part, client_satisfied,
    contacted_contact_person, contacted_others, outcome, done_on, done_by_id
)
SELECT key, client_id, order_id, ordering_unit_id, reason, due_on, now(),
       '', '', '', '', '', FALSE, '', '', NULL, NULL
FROM due
ON CONFLICT (key) DO NOTHING
"""

_YEARLY = """
WITH RECURSIVE in_force AS (
    SELECT o.id, o.client_id, o.valid_from
    FROM {order} o
    WHERE o.status = ANY(%(active)s) AND o.valid_from <= %(today)s
      AND (o.valid_to IS NULL OR o.valid_to >= %(today)s)
), chain AS (
    -- each order in force and the orders it superseded, back to the first
    SELECT f.client_id, o.supersedes_id, o.executed_on
    FROM in_force f JOIN {order} o ON o.id = f.id
    UNION ALL
    SELECT chain.client_id, o.supersedes_id, o.executed_on
    FROM chain JOIN {order} o ON o.id = chain.supersedes_id
), started AS (
    SELECT client_id, min(executed_on) AS started_on
    FROM chain GROUP BY client_id HAVING min(executed_on) IS NOT NULL
), newest AS (
    SELECT DISTINCT ON (client_id) client_id, id AS order_id
    FROM in_force ORDER BY client_id, valid_from DESC, id DESC
), last_done AS (
    SELECT client_id, max(done_on) AS done_on
    FROM {review} WHERE done_on IS NOT NULL GROUP BY client_id
), due AS (
    SELECT 'yearly:' || s.client_id || ':' || to_char(d.due_on, 'YYYY-MM-DD') AS key,
           s.client_id, n.order_id, c.ordering_unit_id, %(reason)s AS reason, d.due_on
    FROM started s
    JOIN newest n ON n.client_id = s.client_id
    JOIN {client} c ON c.id = s.client_id
    JOIN {municipality} m ON m.id = c.municipality_id
    LEFT JOIN last_done l ON l.client_id = s.client_id
    CROSS JOIN LATERAL (
        -- GREATEST ignores a null: no review yet counts from the start
        SELECT (GREATEST(s.started_on, l.done_on)
                + make_interval(months => m.review_interval_months))::date AS due_on
    ) d
    WHERE d.due_on <= %(horizon)s
      AND NOT EXISTS (
          SELECT 1 FROM {review} r
          WHERE r.client_id = s.client_id AND r.reason = %(reason)s AND r.done_on IS NULL
      )
)
"""

_AFTER_EXECUTION = """
WITH due AS (
    SELECT 'after_execution:' || o.id AS key, o.client_id, o.id AS order_id,
           c.ordering_unit_id, %(reason)s AS reason, d.due_on
    FROM {order} o
    JOIN {client} c ON c.id = o.client_id
    JOIN {municipality} m ON m.id = c.municipality_id
    CROSS JOIN LATERAL (
        SELECT (o.executed_on + make_interval(months => m.first_review_after_months))::date
            AS due_on
    ) d
    WHERE m.first_review_after_months IS NOT NULL
      AND o.executed_on IS NOT NULL
      AND d.due_on <= %(horizon)s AND d.due_on >= %(lookback)s
      -- the first order executed under its decision at its provider (not a change of it)
      AND NOT EXISTS (
          SELECT 1 FROM {order} earlier
          WHERE earlier.client_id = o.client_id AND earlier.provider_id = o.provider_id
            AND earlier.decision_id = o.decision_id AND earlier.executed_on IS NOT NULL
            AND (earlier.executed_on, earlier.id) < (o.executed_on, o.id)
      )
      -- the client still has help
      AND EXISTS (
          SELECT 1 FROM {order} f
          WHERE f.client_id = o.client_id AND f.status = ANY(%(active)s)
            AND f.valid_from <= %(today)s AND (f.valid_to IS NULL OR f.valid_to >= %(today)s)
      )
      AND NOT EXISTS (
          SELECT 1 FROM {review} r
          WHERE r.client_id = o.client_id AND r.done_on >= o.executed_on
      )
)
"""

_NEED_CHANGE = """
WITH due AS (
    SELECT 'need_change:' || n.id AS key, o.client_id, o.id AS order_id, c.ordering_unit_id,
           %(reason)s AS reason, r.reported_on + %(need_change_days)s AS due_on
    FROM {report} n
    JOIN {order} o ON o.id = n.order_id
    JOIN {client} c ON c.id = o.client_id
    CROSS JOIN LATERAL (
        SELECT (n.reported_at AT TIME ZONE %(tz)s)::date AS reported_on
    ) r
    WHERE n.reported_at >= %(reported_after)s
      AND NOT EXISTS (
          SELECT 1 FROM {review} finished
          WHERE finished.client_id = o.client_id AND finished.done_on >= r.reported_on
      )
      AND NOT EXISTS (
          SELECT 1 FROM {review} pending
          WHERE pending.client_id = o.client_id AND pending.reason = %(reason)s
            AND pending.done_on IS NULL
      )
)
"""

# A client moved to another unit takes their open reviews along (the new unit's officers make
# them; the old unit no longer sees the client).
_MOVE = """
UPDATE {review} r SET ordering_unit_id = c.ordering_unit_id
FROM {client} c
WHERE c.id = r.client_id AND r.done_on IS NULL AND r.ordering_unit_id <> c.ordering_unit_id
"""


def _insert(cursor, sql: str, params: dict) -> int:
    cursor.execute((sql + _INSERT).format(**_TABLES), params)
    return cursor.rowcount


@transaction.atomic
def create_due_reviews(*, today: datetime.date | None = None) -> DueReviews:
    """Create the reviews that fall due within REVIEW_HORIZON_DAYS of `today` (default: the
    Swedish date), set-based: one statement per kind. Idempotent (stable keys); two runs at once
    wait for each other (a transaction-level advisory lock)."""
    today = today or timezone.localdate()
    zone = timezone.get_default_timezone()
    reported_from = today - datetime.timedelta(days=NEED_CHANGE_LOOKBACK_DAYS)
    params = {
        "today": today,
        "horizon": today + datetime.timedelta(days=REVIEW_HORIZON_DAYS),
        "lookback": today - datetime.timedelta(days=AFTER_EXECUTION_LOOKBACK_DAYS),
        "active": list(ACTIVE_STATUSES),
        "tz": settings.TIME_ZONE,
        "need_change_days": NEED_CHANGE_DUE_DAYS,
        "reported_after": datetime.datetime.combine(reported_from, datetime.time(), zone),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_TABLES["review"]])
        cursor.execute(_MOVE.format(**_TABLES))
        moved = cursor.rowcount
        yearly = _insert(cursor, _YEARLY, {**params, "reason": ReviewReason.YEARLY.value})
        after = _insert(
            cursor, _AFTER_EXECUTION, {**params, "reason": ReviewReason.AFTER_EXECUTION.value}
        )
        need = _insert(cursor, _NEED_CHANGE, {**params, "reason": ReviewReason.NEED_CHANGE.value})
    return DueReviews(yearly=yearly, after_execution=after, need_change=need, moved=moved)


# ---------------------------------------------------------------------------------------------
# Completing a review


def _field_label(name: str) -> str:
    return str(IndividualReview._meta.get_field(name).verbose_name)


def review_errors(data: dict, *, today: datetime.date) -> dict[str, str]:
    """What is missing or wrong in a completed review's answers, by field, in Swedish."""
    errors = {}
    for name in QUESTIONS:
        if not str(data.get(name) or "").strip():
            errors[name] = _("Svara på frågan ”%(question)s”") % {"question": _field_label(name)}
    if data.get("contacted_contact_person") is not True:
        errors["contacted_contact_person"] = _(
            "Bekräfta att du har haft kontakt med brukarens kontaktman: en individuppföljning "
            "görs alltid tillsammans med kontaktmannen."
        )
    if data.get("outcome") not in ReviewOutcome.values:
        errors["outcome"] = _(
            "Välj utfall: oförändrat, ny beställning eller att beslutet omprövas."
        )
    done_on = data.get("done_on") or today
    if not isinstance(done_on, datetime.date):
        errors["done_on"] = _("Ange datum för uppföljningen som ÅÅÅÅ-MM-DD.")
    elif done_on > today:
        errors["done_on"] = _("Uppföljningen kan inte vara gjord i framtiden.")
    return errors


@transaction.atomic
def complete_review(*, review: IndividualReview, by: User, data: dict) -> IndividualReview:
    """The officer records the review (004 §4.1.4): the five questions answered, the contact
    person contacted (always; others as free text), the outcome, the day and who.

    Every error is reported at once, by field, and nothing is saved unless all is well. A
    completed review counts as the client's review for the year: the next yearly review falls
    due `review_interval_months` after it, so the client's other open yearly review, created
    ahead of a due date that no longer holds, is withdrawn (its creation and removal stay in
    the review's history)."""
    review = IndividualReview.objects.select_for_update().get(pk=review.pk)
    if review.done_on is not None:
        raise ValidationError(
            _("Individuppföljningen är redan registrerad som genomförd %(date)s av %(who)s.")
            % {"date": f"{review.done_on:%Y-%m-%d}", "who": review.done_by}
        )
    today = timezone.localdate()
    errors = review_errors(data, today=today)
    if errors:
        raise ValidationError(errors)
    for name in QUESTIONS:
        setattr(review, name, data[name].strip())
    review.contacted_contact_person = True
    review.contacted_others = str(data.get("contacted_others") or "").strip()
    review.outcome = data["outcome"]
    review.done_on = data.get("done_on") or today
    review.done_by = by
    review.save(
        update_fields=[
            *QUESTIONS,
            "contacted_contact_person",
            "contacted_others",
            "outcome",
            "done_on",
            "done_by",
        ]
    )
    IndividualReview.objects.filter(
        client_id=review.client_id, reason=ReviewReason.YEARLY, done_on__isnull=True
    ).exclude(pk=review.pk).delete()
    return review


# ---------------------------------------------------------------------------------------------
# Reading


def reviews_visible_to(user: User) -> QuerySet[IndividualReview]:
    """The reviews of the clients of the user's units. Both the review's unit and the client's
    must be the user's: a client who has moved is the new unit's at once, before the morning
    job moves the open reviews along."""
    units = permissions.review_unit_ids(user)
    return IndividualReview.objects.filter(
        ordering_unit_id__in=units, client__ordering_unit_id__in=units
    ).select_related("client", "client__municipality", "order", "order__provider", "done_by")


def open_reviews(user: User) -> QuerySet[IndividualReview]:
    """The user's open reviews, the earliest due first (overdue ones are the earliest)."""
    return reviews_visible_to(user).filter(done_on__isnull=True).order_by("due_on", "pk")
