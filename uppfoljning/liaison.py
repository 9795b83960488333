"""Liaison meetings (avstämningsmöten) between an ordering unit and its providers, 002
"Samverkan med hemtjänstutförare":

    "handläggarna träffar de utförare som har 20 eller fler ärenden tre gånger per år [...]
    De har även telefonmöten med utförare som har sex till 19 ärenden. Några av ämnena som tas
    upp vid avstämningsmötena är: rambeställningar, avböjda besök, genomförandeplaner,
    synpunkter och klagomål samt fakturafrågor." Möten "sker tre tillfällen per år i januari,
    maj och september", and "inför mötet ska handläggarna ta fram exempel på bra respektive
    mindre bra genomförandeplaner".

A meeting is between one ordering unit and one provider (a pair): the unit meets the providers
that serve its clients, and a provider meets each unit that orders from it. The rules:

- A pair's clients (ärenden) are the unit's clients with an order sent to the provider in force
  today (valid from today or earlier, not ended before today).
- 20 or more clients: a meeting in January, May and September. 6 to 19: a phone meeting, in the
  same months (the seed names no months for the phone meetings; the routine's months are used).
  Fewer than 6: no meeting is required (the seed says nothing of them); the pack is there for
  whoever wants one.
- The next meeting month is the first January, May or September from this month on that has no
  meeting recorded in it or later. A meeting month that passed without a recorded meeting is
  shown as missed.
- The pack covers, by default, the four months since the meeting month before the next one
  (from its first day to today): what happened since the last meeting round. Any period may be
  asked for.

The pack follows the seed's agenda, each part read through the part's own selectors and figures
(nothing here repeats a rule): the orders (bestallning), the plans (genomforandeplan.reports:
the coverage report's totals and rows for the pair, with the most urgent examples and good
ones), declined and deviating time (MonthlyTimeResult), complaints (uppfoljning.complaints),
and invoicing questions (the over-time orders, as the fee officers' list reads them).

Who: the unit's officers and unit managers for their units' clients at the provider, and the
provider's coordinators for their provider (the other party of the meeting, while the provider
sees the client). Contact persons, fee officers, administrators and log reviewers have no pack
(uppfoljning.permissions). The unit's officers and managers record meetings; the coordinator
reads them.

Scale (a provider with 6,000 clients): every figure is counted in SQL, the examples are at most
EXAMPLES rows each, and the pack reads a fixed number of queries whatever the numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.choices import OrderStatus
from bestallning.models import Order
from bestallning.selectors import orders_visible_to
from bestallning.states import ISSUED_STATUSES
from genomforandeplan import reports
from genomforandeplan.choices import DeadlineStatus, ReviewOutcome
from ramtid.models import OrderingUnit, Provider, User
from uppfoljning import complaints, monthly, permissions
from uppfoljning.choices import (
    ComplaintCategory,
    ExplanationDecision,
    LiaisonMeetingKind,
    TimeStatus,
)
from uppfoljning.continuity import ContinuityFigures, continuity_figures
from uppfoljning.models import Complaint, LiaisonMeeting, MonthlyTimeResult
from uppfoljning.partitions import first_of_month

MEETING_MONTHS = (1, 5, 9)  # 002: "januari, maj och september"
MEETING_MIN_CLIENTS = 20  # 002: "20 eller fler ärenden"
PHONE_MIN_CLIENTS = 6  # 002: "telefonmöten med utförare som har sex till 19 ärenden"
MONTHS_BETWEEN_MEETINGS = 4
# Examples to discuss per part of the pack: the most urgent few, never the whole list (the plan
# report and the worklists have the whole lists).
EXAMPLES = 5
# A meeting's notes and participants, at most (a page of minutes is far less).
TEXT_MAX = 10_000
# The pairs on the list: those with an order in force or ended within this many days.
RECENT_DAYS = 365

# ---------------------------------------------------------------------------------------------
# Rules (no database)


def meeting_kind(clients: int) -> LiaisonMeetingKind | None:
    """How the unit meets a provider with this many of its clients: a meeting (20 or more), a
    phone meeting (6 to 19), or none required (fewer than 6)."""
    if clients >= MEETING_MIN_CLIENTS:
        return LiaisonMeetingKind.MEETING
    if clients >= PHONE_MIN_CLIENTS:
        return LiaisonMeetingKind.PHONE
    return None


def _add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def meeting_months_from(month: datetime.date) -> Iterator[datetime.date]:
    """The meeting months (their first days) from `month`'s month on, without end."""
    month = first_of_month(month)
    while True:
        if month.month in MEETING_MONTHS:
            yield month
        month = _add_months(month, 1)


def next_meeting_month(today: datetime.date, last_held_on: datetime.date | None) -> datetime.date:
    """The first meeting month from this month on with no meeting held in it or later: this
    month's round until its meeting is recorded, then the next."""
    for month in meeting_months_from(today):
        if last_held_on is None or last_held_on < month:
            return month
    raise AssertionError("unreachable")  # pragma: no cover - the months never end


def missed_meeting_month(
    today: datetime.date, last_held_on: datetime.date | None
) -> datetime.date | None:
    """The latest meeting month before this month, when no meeting was held in it or since."""
    month = _add_months(first_of_month(today), -1)
    while month.month not in MEETING_MONTHS:
        month = _add_months(month, -1)
    if last_held_on is None or last_held_on < month:
        return month
    return None


def default_period(
    today: datetime.date, last_held_on: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """From the first day of the meeting month before the next one, to today: the four months
    the coming meeting looks back on."""
    upcoming = next_meeting_month(today, last_held_on)
    return _add_months(upcoming, -MONTHS_BETWEEN_MEETINGS), today


def in_force_q(day: datetime.date, prefix: str = "") -> Q:
    """Orders in force on `day` (the issued ones: callers filter on status)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def overlaps_q(start: datetime.date, end: datetime.date) -> Q:
    """Orders in force on some day from `start` to `end`."""
    return Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gte=start))


# ---------------------------------------------------------------------------------------------
# Who and which pairs


def sees_liaison(user: User) -> bool:
    return bool(permissions.liaison_unit_ids(user) or permissions.liaison_provider_ids(user))


def liaison_orders(user: User) -> QuerySet[Order]:
    """The issued orders the user's packs read: her units' clients' orders (an officer or a
    unit manager), her provider's orders while it sees the client (a coordinator)."""
    units = permissions.liaison_unit_ids(user)
    providers = permissions.liaison_provider_ids(user)
    return orders_visible_to(user).filter(
        Q(client__ordering_unit_id__in=units) | Q(provider_id__in=providers),
        status__in=ISSUED_STATUSES,
    )


def meetings_visible_to(user: User) -> QuerySet[LiaisonMeeting]:
    """Her units' meetings (an officer or a unit manager), her provider's (a coordinator)."""
    units = permissions.liaison_unit_ids(user)
    providers = permissions.liaison_provider_ids(user)
    if not (units or providers):
        return LiaisonMeeting.objects.none()
    return LiaisonMeeting.objects.filter(
        Q(ordering_unit_id__in=units) | Q(provider_id__in=providers)
    ).select_related("ordering_unit", "provider", "recorded_by")


@dataclass(frozen=True)
class Pair:
    """One ordering unit and one provider that meet, as the list shows them."""

    unit: OrderingUnit
    provider: Provider
    clients: int
    last_meeting: LiaisonMeeting | None
    today: datetime.date

    @property
    def kind(self) -> LiaisonMeetingKind | None:
        return meeting_kind(self.clients)

    @property
    def last_held_on(self) -> datetime.date | None:
        return self.last_meeting.held_on if self.last_meeting else None

    @property
    def next_month(self) -> datetime.date | None:
        return next_meeting_month(self.today, self.last_held_on) if self.kind else None

    @property
    def missed_month(self) -> datetime.date | None:
        return missed_meeting_month(self.today, self.last_held_on) if self.kind else None


def liaison_pairs(user: User, today: datetime.date | None = None) -> list[Pair]:
    """The user's pairs, those with an order in force or ended in the last RECENT_DAYS, each
    with its clients today and its last recorded meeting: four queries, whatever the numbers.
    The most clients first (the meetings first, then the phone meetings)."""
    today = today or timezone.localdate()
    recent = Q(valid_to__isnull=True) | Q(valid_to__gte=today - datetime.timedelta(RECENT_DAYS))
    rows = list(
        liaison_orders(user)
        .filter(recent)
        .order_by()
        .values("client__ordering_unit_id", "provider_id")
        .annotate(clients=Count("client_id", distinct=True, filter=in_force_q(today)))
    )
    if not rows:
        return []
    unit_ids = {row["client__ordering_unit_id"] for row in rows}
    provider_ids = {row["provider_id"] for row in rows}
    units = OrderingUnit.objects.in_bulk(unit_ids)
    providers = Provider.objects.in_bulk(provider_ids)
    latest = {
        (meeting.ordering_unit_id, meeting.provider_id): meeting
        for meeting in meetings_visible_to(user)
        .filter(ordering_unit_id__in=unit_ids, provider_id__in=provider_ids)
        .order_by("ordering_unit_id", "provider_id", "-held_on", "-pk")
        .distinct("ordering_unit_id", "provider_id")
    }
    pairs = [
        Pair(
            unit=units[row["client__ordering_unit_id"]],
            provider=providers[row["provider_id"]],
            clients=row["clients"],
            last_meeting=latest.get((row["client__ordering_unit_id"], row["provider_id"])),
            today=today,
        )
        for row in rows
    ]
    return sorted(pairs, key=lambda p: (-p.clients, p.unit.name, p.provider.name, p.provider.pk))


def liaison_pair(
    user: User, unit_pk: int, provider_pk: int
) -> tuple[OrderingUnit, Provider] | None:
    """The unit and the provider of one of the user's pairs; None when it is not one of hers
    (another organisation's, or a pair that never had an order): the caller's 404."""
    if (
        not liaison_orders(user)
        .filter(client__ordering_unit_id=unit_pk, provider_id=provider_pk)
        .exists()
    ):
        return None
    unit = OrderingUnit.objects.select_related("municipality").get(pk=unit_pk)
    return unit, Provider.objects.get(pk=provider_pk)


def liaison_pack_clients_now(
    user: User, unit: OrderingUnit, provider: Provider, today: datetime.date | None = None
) -> int:
    """The pair's clients today: what decides the kind of meeting."""
    today = today or timezone.localdate()
    return (
        liaison_orders(user)
        .filter(in_force_q(today), client__ordering_unit=unit, provider=provider)
        .order_by()
        .aggregate(clients=Count("client_id", distinct=True))["clients"]
    )


def last_held_on(user: User, unit: OrderingUnit, provider: Provider) -> datetime.date | None:
    return (
        meetings_visible_to(user)
        .filter(ordering_unit=unit, provider=provider)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )


# ---------------------------------------------------------------------------------------------
# The pack


@dataclass(frozen=True)
class OrderFigures:
    """The pair's orders: clients today (the schedule's count) and in the period, the orders in
    force some day of the period by their status now, and those sent and ended in it."""

    clients_now: int
    clients_in_period: int
    in_period: int
    sent: int
    received: int
    executed: int
    superseded: int
    ended: int
    new: int
    changes: int
    ended_in_period: int


@dataclass(frozen=True)
class TimeMonth:
    """One month's time results of the pair (all of them when `month` is None: the period)."""

    month: datetime.date | None
    results: int
    within: int
    over: int
    under: int
    # Minutes (the aggregates are not named as the columns, which they would shadow in SQL).
    ordered: int
    performed: int
    declined: int
    declined_orders: int
    absent: int
    unexplained: int
    to_decide: int
    approved: int
    rejected: int
    over_time: int
    over_time_minutes: int

    @property
    def deviating(self) -> int:
        return self.over + self.under


@dataclass
class Pack:
    unit: OrderingUnit
    provider: Provider
    start: datetime.date
    end: datetime.date
    today: datetime.date
    orders: OrderFigures
    plans: reports.Totals
    plan_examples: dict[str, list[reports.ReportRow]]
    time_months: list[TimeMonth]
    time_total: TimeMonth
    declined_examples: list[MonthlyTimeResult]
    deviation_examples: list[MonthlyTimeResult]
    over_time_examples: list[MonthlyTimeResult]
    complaints: complaints.ComplaintFigures | None
    complaints_by_category: list[tuple[str, complaints.ComplaintFigures]]
    complaint_examples: list[Complaint]
    meetings: list[LiaisonMeeting] = field(default_factory=list)
    # Staff continuity (uppfoljning.continuity) of the period's result rows: the total.
    continuity: ContinuityFigures | None = None

    @property
    def kind(self) -> LiaisonMeetingKind | None:
        return meeting_kind(self.orders.clients_now)

    def client_ids(self) -> list[int]:
        """Every client the pack names, for the access log."""
        ids = [row.order.client_id for rows in self.plan_examples.values() for row in rows]
        for results in (self.declined_examples, self.deviation_examples, self.over_time_examples):
            ids += [result.client_id for result in results]
        ids += [complaint.client_id for complaint in self.complaint_examples]
        return list(dict.fromkeys(ids))


def _order_figures(user, unit, provider, start, end, today) -> OrderFigures:
    orders = liaison_orders(user).filter(client__ordering_unit=unit, provider=provider).order_by()
    in_period = overlaps_q(start, end)
    sent_in_period = Q(sent_at__date__gte=start, sent_at__date__lte=end)
    figures = orders.aggregate(
        clients_now=Count("client_id", distinct=True, filter=in_force_q(today)),
        clients_in_period=Count("client_id", distinct=True, filter=in_period),
        in_period=Count("pk", filter=in_period),
        **{
            status: Count("pk", filter=in_period & Q(status=status))
            for status in (
                OrderStatus.SENT,
                OrderStatus.RECEIVED,
                OrderStatus.EXECUTED,
                OrderStatus.SUPERSEDED,
                OrderStatus.ENDED,
            )
        },
        new=Count("pk", filter=sent_in_period),
        changes=Count("pk", filter=sent_in_period & Q(supersedes__isnull=False)),
        ended_in_period=Count(
            "pk", filter=Q(status=OrderStatus.ENDED, valid_to__gte=start, valid_to__lte=end)
        ),
    )
    return OrderFigures(**figures)


def _plan_examples(user, report: reports.ReportFilter, today) -> dict[str, list]:
    """The most urgent few of each kind (the coverage report's order, reports.by_urgency), and
    a few good ones (ready in time, approved, covering the order fully), newest first."""
    orders = reports.report_orders(user, report)
    facts = reports.with_report_facts(orders, today)
    ready = Q(plan_ready_on__isnull=False)
    chosen = {
        "missing": reports.by_urgency(facts.filter(plan_deadline=DeadlineStatus.MISSING)),
        "late": reports.by_urgency(facts.filter(plan_deadline=DeadlineStatus.LATE)),
        "returned": reports.by_urgency(facts.filter(ready, report_outcome=ReviewOutcome.RETURNED)),
        "good": facts.filter(
            plan_deadline=DeadlineStatus.ON_TIME,
            report_outcome=ReviewOutcome.APPROVED,
            report_follows=True,
        )
        .alias(report_covers=reports.plan_covers_order())
        .filter(report_covers=True)
        .order_by("-executed_on", "pk"),
    }
    picked = {kind: list(rows[:EXAMPLES]) for kind, rows in chosen.items()}
    # One round of coverage details for all the examples (reports.report_rows: four queries).
    rows = iter(reports.report_rows([order for orders in picked.values() for order in orders]))
    return {kind: [next(rows) for _order in orders] for kind, orders in picked.items()}


def _time_aggregates(today) -> dict:
    over_time = monthly.over_time_q()
    return {
        "results": Count("pk"),
        "within": Count("pk", filter=Q(status=TimeStatus.WITHIN)),
        "over": Count("pk", filter=Q(status=TimeStatus.OVER)),
        "under": Count("pk", filter=Q(status=TimeStatus.UNDER)),
        "ordered": Sum("ordered_minutes", default=0),
        "performed": Sum("performed_minutes", default=0),
        "declined": Sum("declined_minutes", default=0),
        "declined_orders": Count("pk", filter=Q(declined_minutes__gt=0)),
        "absent": Sum("absent_minutes", default=0),
        "unexplained": Count(
            "pk",
            filter=Q(status__in=monthly.DEVIATING)
            & (Q(explanation_category="") | Q(decision=ExplanationDecision.REJECTED)),
        ),
        "to_decide": Count("pk", filter=monthly.needs_decision()),
        "approved": Count("pk", filter=Q(decision=ExplanationDecision.APPROVED)),
        "rejected": Count("pk", filter=Q(decision=ExplanationDecision.REJECTED)),
        "over_time": Count("pk", filter=over_time),
        "over_time_minutes": Sum(
            F("performed_minutes") - F("ordered_minutes"), filter=over_time, default=0
        ),
    }


def _time_results(user, unit, provider, start, end) -> QuerySet[MonthlyTimeResult]:
    return monthly.results_visible_to(user).filter(
        ordering_unit=unit, provider=provider, month__gte=first_of_month(start), month__lte=end
    )


def _complaint_examples(base: QuerySet[Complaint], start, end, today) -> list[Complaint]:
    """Late ones (unanswered after the deadline, or answered after it) received in the period or
    still overdue, then the open ones; the most overdue first."""
    late = (complaints.answered_late_q() & Q(received_on__gte=start, received_on__lte=end)) | (
        complaints.overdue_q(today)
    )
    rows = list(
        base.filter(late | complaints.open_q()).order_by(
            F("answered_on").asc(nulls_first=True), "answer_due", "pk"
        )[:EXAMPLES]
    )
    for complaint in rows:
        complaint.state = complaints.ComplaintState.of(complaint, today)
    return rows


def liaison_pack(
    user: User,
    *,
    unit: OrderingUnit,
    provider: Provider,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> Pack:
    """The pack for one of the user's pairs (liaison_pair) and a period, both days included."""
    today = today or timezone.localdate()
    report = reports.ReportFilter(start=start, end=end, unit=unit, provider=provider)
    results = _time_results(user, unit, provider, start, end)
    aggregates = _time_aggregates(today)
    months = [
        TimeMonth(**row)
        for row in results.order_by().values("month").annotate(**aggregates).order_by("month")
    ]
    total = TimeMonth(month=None, **results.order_by().aggregate(**aggregates))
    declined = list(
        results.filter(declined_minutes__gt=0).order_by("-declined_minutes", "month", "pk")[
            :EXAMPLES
        ]
    )
    deviations = list(
        results.filter(status__in=monthly.DEVIATING)
        .filter(Q(explanation_category="") | Q(decision=ExplanationDecision.REJECTED))
        .order_by(Abs("deviation_minutes").desc(), "month", "pk")[:EXAMPLES]
    )
    over_time = list(
        results.filter(monthly.over_time_q())
        .annotate(over_minutes=F("performed_minutes") - F("ordered_minutes"))
        .order_by("-over_minutes", "month", "pk")[:EXAMPLES]
    )
    for result in [*deviations, *over_time]:
        result.state = monthly.ResultState.of(result, today)
    complaint_base = complaints.complaints_visible_to(user).filter(
        ordering_unit=unit, provider=provider
    )
    continuity = continuity_figures(results)
    complaint_total = complaints.complaint_figures(
        complaint_base, start=start, end=end, today=today
    )
    return Pack(
        unit=unit,
        provider=provider,
        start=start,
        end=end,
        today=today,
        orders=_order_figures(user, unit, provider, start, end, today),
        plans=reports.report_totals(reports.report_orders(user, report), today),
        plan_examples=_plan_examples(user, report, today),
        time_months=months,
        time_total=total,
        declined_examples=declined,
        deviation_examples=deviations,
        over_time_examples=over_time,
        complaints=complaint_total[0] if complaint_total else None,
        complaints_by_category=[
            (ComplaintCategory(row.key["category"]).label, row)
            for row in complaints.complaint_figures(
                complaint_base, start=start, end=end, group_by=("category",), today=today
            )
        ],
        complaint_examples=_complaint_examples(complaint_base, start, end, today),
        continuity=continuity[0] if continuity else None,
        meetings=list(
            meetings_visible_to(user)
            .filter(ordering_unit=unit, provider=provider)
            .order_by("-held_on", "-pk")
        ),
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _text(value) -> str:
    return str(value or "").strip()


def _meeting_errors(*, held_on, kind, participants, notes, period_start, period_end, today):
    errors: dict[str, str] = {}
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = _("Ange mötesdagen som ÅÅÅÅ-MM-DD.")
    elif held_on > today:
        errors["held_on"] = _(
            "Mötesdagen kan inte vara senare än i dag. Registrera mötet när det har hållits."
        )
    if kind not in LiaisonMeetingKind.values:
        errors["kind"] = _("Välj om det var ett avstämningsmöte eller ett telefonmöte.")
    if not participants:
        errors["participants"] = _("Skriv vilka som deltog, från beställarenheten och utföraren.")
    elif len(participants) > TEXT_MAX:
        errors["participants"] = _("Deltagarna får vara högst %(max)s tecken.") % {"max": TEXT_MAX}
    if not notes:
        errors["notes"] = _("Skriv vad som togs upp och vad ni kom överens om.")
    elif len(notes) > TEXT_MAX:
        errors["notes"] = _("Anteckningarna får vara högst %(max)s tecken.") % {"max": TEXT_MAX}
    if not isinstance(period_start, datetime.date):
        errors["period_start"] = _("Ange underlagets första dag som ÅÅÅÅ-MM-DD.")
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = _("Ange underlagets sista dag som ÅÅÅÅ-MM-DD.")
    elif isinstance(period_start, datetime.date) and period_end < period_start:
        errors["period_end"] = _("Underlaget måste sluta samma dag som det börjar eller senare.")
    return errors


@transaction.atomic
def record_liaison_meeting(
    *,
    unit: OrderingUnit,
    provider: Provider,
    by: User,
    held_on: datetime.date,
    kind: str,
    participants: str,
    notes: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> LiaisonMeeting:
    """Record a meeting of the unit with the provider (one of the pair's, liaison_pair; the
    caller checks permissions.can_record_liaison_meeting). Every error is named by field at
    once; nothing is saved unless all is well. One meeting per pair and day: the same meeting
    sent twice by the same person is one meeting; another on that day is refused, naming who
    recorded it."""
    today = timezone.localdate()
    participants, notes = _text(participants), _text(notes)
    errors = _meeting_errors(
        held_on=held_on,
        kind=kind,
        participants=participants,
        notes=notes,
        period_start=period_start,
        period_end=period_end,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    fields = {
        "kind": kind,
        "participants": participants,
        "notes": notes,
        "period_start": period_start,
        "period_end": period_end,
    }
    existing = (
        LiaisonMeeting.objects.select_for_update()
        .filter(ordering_unit=unit, provider=provider, held_on=held_on)
        .select_related("recorded_by")
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                return LiaisonMeeting.objects.create(
                    ordering_unit=unit, provider=provider, held_on=held_on, recorded_by=by, **fields
                )
        except IntegrityError:  # someone recorded it between our look and our write
            existing = LiaisonMeeting.objects.select_related("recorded_by").get(
                ordering_unit=unit, provider=provider, held_on=held_on
            )
    if existing.recorded_by_id == by.pk and all(
        getattr(existing, name) == value for name, value in fields.items()
    ):
        return existing
    raise ValidationError(
        {
            "held_on": _(
                "Ett möte med %(provider)s den %(date)s är redan registrerat av %(who)s. "
                "Lägg till i det mötets anteckningar i stället."
            )
            % {
                "provider": provider.name,
                "date": f"{held_on:%Y-%m-%d}",
                "who": existing.recorded_by,
            }
        }
    )


def correctable(meeting: LiaisonMeeting, user: User, today: datetime.date | None = None) -> bool:
    """The one who recorded the meeting corrects it the same day (a slip, a name left out)."""
    today = today or timezone.localdate()
    return meeting.recorded_by_id == user.pk and timezone.localdate(meeting.recorded_at) == today


@transaction.atomic
def amend_liaison_meeting(
    *,
    meeting: LiaisonMeeting,
    by: User,
    notes: str,
    participants: str | None = None,
) -> LiaisonMeeting:
    """Change a recorded meeting: the one who recorded it replaces the participants and the
    notes the day she recorded it (correctable); after that, or for anyone else, `notes` is an
    addition appended under a dated line with the writer's name, and the rest stays as it was.
    The caller checks permissions.can_record_liaison_meeting."""
    meeting = LiaisonMeeting.objects.select_for_update().get(pk=meeting.pk)
    notes = _text(notes)
    errors: dict[str, str] = {}
    now = timezone.now()
    if correctable(meeting, by):
        participants = _text(participants if participants is not None else meeting.participants)
        errors = _meeting_errors(
            held_on=meeting.held_on,
            kind=meeting.kind,
            participants=participants,
            notes=notes,
            period_start=meeting.period_start,
            period_end=meeting.period_end,
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        if (participants, notes) == (meeting.participants, meeting.notes):
            return meeting
        meeting.participants, meeting.notes = participants, notes
    else:
        if not notes:
            raise ValidationError({"notes": _("Skriv det du vill lägga till i anteckningarna.")})
        addition = _("Tillägg %(date)s, %(who)s:") % {
            "date": f"{timezone.localdate(now):%Y-%m-%d}",
            "who": by,
        }
        added = f"{addition}\n{notes}"
        if meeting.notes.endswith(added):
            return meeting  # the same addition sent twice
        text = f"{meeting.notes}\n\n{added}"
        if len(text) > TEXT_MAX:
            raise ValidationError(
                {"notes": _("Anteckningarna får vara högst %(max)s tecken.") % {"max": TEXT_MAX}}
            )
        meeting.notes = text
    meeting.changed_at = now
    meeting.save(update_fields=["participants", "notes", "changed_at"])
    return meeting
