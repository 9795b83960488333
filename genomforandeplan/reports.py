"""The plan coverage report (issue 11; 002 "Uppföljning av beställning"): the Östermalm
inspection's question answered live, for any period, ordering unit or provider.

    "Av de 15 akter som granskades innehöll tio en genomförandeplan. Två av planerna var
    upprättade inom 15 dagar och en av planerna motsvarade behoven som framkom av beställningen."

Which orders: the executed orders (the provider recorded the start, `executed_on`) whose start
falls within the period, both days included: the inspection's reading, a file counts for the
period the help began in. Superseded and ended orders count too, as they were executed.

Who: the officers and unit managers for their units' clients, the provider's coordinators for
their provider's orders (while the provider sees the client, ramtid.selectors.provider_sees);
nobody else (contact persons, fee officers, administrators: a 404).

The figures, and their denominators as the inspection wrote them:

    har plan            a plan version was completed against the order (the client approved it,
                        004 §3.2.8; the ordering unit sees a plan from then on); of all the orders
    i tid               the plan was ready within the municipality's days of the start
                        (selectors.with_plan_deadline: the one deadline rule); of the plans
    täcker helt         the coverage check (rules.coverage_gaps, as on the plan page) finds no
                        difference between the plan and the order; of the plans that still
                        follow the order (the plan's order is this one). A plan completed since
                        against a later order (a change order superseded this one) is judged
                        against that order on its own row: the frozen versions keep frequencies
                        as text only, so the old version cannot be checked again. With no change
                        orders in the period the denominator is the plans, as the inspection's.
    godkänd             the newest version completed against the order was approved by the officer

Scale (a unit of 2,800 clients, a provider of 6,000): the totals are one aggregate query, with
the coverage check in SQL (`PlanCoversOrder`, tested equal to rules.coverage_gaps) stored on
each plan when it is written (services.refresh_coverage) and read from there; rows come
50 a page, and the coverage details (which interventions are missing, not ordered, or at
another frequency) are computed by rules.coverage_gaps only for the rows shown, in a fixed
number of queries per page or per export chunk.
"""

from __future__ import annotations

import datetime
import string
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.models import Order, OrderedIntervention
from bestallning.selectors import orders_visible_to
from bestallning.states import ISSUED_STATUSES
from genomforandeplan import rules, selectors, services
from genomforandeplan.choices import DeadlineStatus, ReviewOutcome
from genomforandeplan.models import ImplementationPlan, PlanItem, PlanVersion
from ramtid import permissions
from ramtid.choices import Role
from ramtid.models import InterventionType, OrderingUnit, Provider, User

PER_PAGE = 50
# The PDF is for reading and for a meeting: the totals and the most urgent rows, at most this
# many (about five landscape pages); the whole list is the CSV or the Excel file.
PDF_MAX_ROWS = 100
# Rows per round of queries in an export: the coverage details are computed a chunk at a time.
EXPORT_CHUNK = 500

# The roles that read the report: the ordering unit's officers and managers, the provider's
# coordinators. Contact persons write plans for their own clients and read no unit's figures.
UNIT_ROLES = frozenset({Role.CASE_OFFICER, Role.UNIT_MANAGER})
PROVIDER_ROLES = frozenset({Role.PROVIDER_COORDINATOR})


# ---------------------------------------------------------------------------------------------
# Who sees what


def report_scope(user: User) -> tuple[set[int], set[int]]:
    """(the ordering units whose clients' orders the user reports on, the providers whose
    orders she reports on)."""
    return (
        permissions.ordering_unit_ids(user, UNIT_ROLES),
        permissions.provider_ids(user, PROVIDER_ROLES),
    )


def sees_plan_report(user: User) -> bool:
    units, providers = report_scope(user)
    return bool(units or providers)


def deadline_days(user: User) -> list[int]:
    """The plan deadlines, in days, of the municipalities the user reports in (14 in Järfälla,
    15 in Stockholm), for the report's note: from the roles already read, no query."""
    roles = UNIT_ROLES | PROVIDER_ROLES
    memberships = [m for m in permissions.memberships(user) if m.role in roles]
    return sorted({m.municipality.plan_deadline_days for m in memberships})


def report_orders_visible_to(user: User) -> QuerySet[Order]:
    """The executed orders the user reports on, read through orders_visible_to (so a provider
    sees only the orders of the clients it sees today)."""
    units, providers = report_scope(user)
    return orders_visible_to(user).filter(
        Q(client__ordering_unit_id__in=units) | Q(provider_id__in=providers),
        status__in=ISSUED_STATUSES,
        executed_on__isnull=False,
    )


def report_units(user: User) -> QuerySet[OrderingUnit]:
    """The units the user may filter the report by: her own, and those whose clients' orders
    are in her report (a provider's coordinator: the units that order from it)."""
    units, _providers = report_scope(user)
    in_report = report_orders_visible_to(user).values("client__ordering_unit_id")
    return OrderingUnit.objects.filter(Q(pk__in=units) | Q(pk__in=in_report)).order_by("name")


def report_providers(user: User) -> QuerySet[Provider]:
    """The providers the user may filter the report by: her own, and those the orders in her
    report were sent to (an officer: the providers that serve her units' clients)."""
    _units, providers = report_scope(user)
    in_report = report_orders_visible_to(user).values("provider_id")
    return Provider.objects.filter(Q(pk__in=providers) | Q(pk__in=in_report)).order_by("name")


# ---------------------------------------------------------------------------------------------
# The period and the filters


@dataclass(frozen=True)
class ReportFilter:
    """The orders executed from `start` to `end` (both days included), of one unit and/or one
    provider when given (already checked to be among the user's: report_units/report_providers)."""

    start: datetime.date
    end: datetime.date
    unit: OrderingUnit | None = None
    provider: Provider | None = None


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve months: from the same day a year ago (28 February for a 29th) to today."""
    today = today or timezone.localdate()
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + datetime.timedelta(days=1), today


def report_orders(user: User, report: ReportFilter) -> QuerySet[Order]:
    # What the rows show of an order, joined (the orders' selector joins more).
    orders = (
        report_orders_visible_to(user)
        .filter(executed_on__gte=report.start, executed_on__lte=report.end)
        .select_related(None)
        .select_related("client__ordering_unit", "provider")
    )
    if report.unit is not None:
        orders = orders.filter(client__ordering_unit=report.unit)
    if report.provider is not None:
        orders = orders.filter(provider=report.provider)
    return orders


# ---------------------------------------------------------------------------------------------
# The facts of each order, in SQL


def with_report_facts(orders: QuerySet[Order], today: datetime.date | None = None) -> QuerySet:
    """Orders annotated, in SQL, with the deadline of selectors.with_plan_deadline (plan_due,
    plan_ready_on, plan_deadline, plan_days_late) and:

    report_plan_id       the client's plan at the provider, if one is started
    report_follows       that plan follows this order: it was last started or completed against
                         it (a plan's order is its client's, at its provider: a plan follows at
                         most one order, and an order has at most one plan following it)
    report_outcome       the officer's review of the newest version completed against this
                         order: approved, returned, or null (not reviewed yet, or no plan)
    report_earlier_plan  the plan has a version, but none against this order (a change order
                         the plan has not been revised for)
    """
    pair_plan = ImplementationPlan.objects.filter(
        client=OuterRef("client"), provider=OuterRef("provider")
    ).order_by()
    return selectors.with_plan_deadline(orders, today).annotate(
        report_plan_id=Subquery(pair_plan.values("pk")[:1]),
        report_follows=Exists(ImplementationPlan.objects.filter(order=OuterRef("pk"))),
        report_outcome=_newest_outcome(),
        report_earlier_plan=Case(
            When(plan_ready_on__isnull=True, then=Exists(_with_version(pair_plan))),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _newest_outcome() -> Subquery:
    return Subquery(
        PlanVersion.objects.filter(order=OuterRef("pk"))
        .order_by("-number")
        .values("review__outcome")[:1]
    )


def _with_version(plans: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    return plans.filter(Exists(PlanVersion.objects.filter(plan=OuterRef("pk"))))


_DEADLINE_RANK = {
    DeadlineStatus.MISSING: 0,
    DeadlineStatus.LATE: 1,
    DeadlineStatus.NOT_DUE: 2,
    DeadlineStatus.ON_TIME: 3,
}


def by_urgency(orders: QuerySet) -> QuerySet:
    """Most urgent first: plans missing (the longest overdue first), plans ready late (the
    latest first), plans not ready yet (the first due first), plans ready on time; then by
    start, client and order."""
    rank = Case(
        *(When(plan_deadline=status, then=Value(n)) for status, n in _DEADLINE_RANK.items()),
        default=Value(len(_DEADLINE_RANK)),
        output_field=IntegerField(),
    )
    return orders.alias(report_rank=rank).order_by(
        "report_rank",
        F("plan_days_late").desc(),
        "plan_due",
        "executed_on",
        "client__last_name",
        "client__first_name",
        "pk",
    )


# The tables the coverage check reads, by their names in the database.
_T = {
    "plan": ImplementationPlan._meta.db_table,
    "item": PlanItem._meta.db_table,
    "ordered": OrderedIntervention._meta.db_table,
    "type": InterventionType._meta.db_table,
    "parts": OrderedIntervention.care_package_contents.through._meta.db_table,
}


def _frequency(alias: str) -> str:
    """Item.frequency_key in SQL: (period, occasions, every n weeks when that is the period)."""
    return (
        f"({alias}.period, {alias}.occasions, "
        f"CASE WHEN {alias}.period = 'every_n_weeks' THEN {alias}.every_n_weeks ELSE 1 END)"
    )


def _last_of_type(alias: str, table: str, owner: str, owner_ref: str) -> str:
    """No later row of the same intervention: the check reads an order or a plan as a dict by
    intervention, in which a repeated intervention's last row (by position, id) wins."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {table} later WHERE later.{owner} = {owner_ref} "  # noqa: S608
        f"AND later.intervention_type_id = {alias}.intervention_type_id "
        f"AND (later.position, later.id) > ({alias}.position, {alias}.id))"
    )


def _planned(plan_ref: str, type_ref: str, alias: str = "q2") -> str:
    return (
        f"EXISTS (SELECT 1 FROM {_T['item']} {alias} WHERE {alias}.plan_id = {plan_ref} "  # noqa: S608
        f"AND {alias}.intervention_type_id = {type_ref})"
    )


def _covers_sql() -> str:
    """rules.coverage_gaps(...) == [] for the plan that follows the order, as one boolean
    expression (the names in braces are filled in by PlanCoversOrder):

    the plan's daily visits are the order's (0 when empty); every ordered intervention is in the
    plan, or is a care package whose every part is (004 §2.4.2: the package written out);
    every planned intervention is ordered, or a part of a package the plan writes out; where
    both have an intervention, the same frequency; a part written out is planned as often as
    the packages that hold it together (when they share a period), as the check sums them.
    """
    t = _T
    order, plan = "{order}", "p.id"
    ordered_last = _last_of_type("o", t["ordered"], "order_id", order)
    planned_last = _last_of_type("q", t["item"], "plan_id", plan)
    # Packages of the order the plan does not name: their parts may stand in for them.
    written_out = (
        f"FROM {t['ordered']} w JOIN {t['type']} wt ON wt.id = w.intervention_type_id "
        f"JOIN {t['parts']} wc ON wc.orderedintervention_id = w.id "
        f"WHERE w.order_id = {order} AND wt.is_care_package "
        f"AND wc.interventiontype_id = q.intervention_type_id "
        f"AND NOT {_planned(plan, 'w.intervention_type_id')}"
    )
    return f"""EXISTS (
  SELECT 1 FROM {t["plan"]} p
  WHERE p.client_id = {{client}} AND p.provider_id = {{provider}} AND p.order_id = {order}
    AND COALESCE(p.planned_daily_visits, 0) = COALESCE({{daily_visits}}, 0)
    AND NOT EXISTS (
      SELECT 1 FROM {t["ordered"]} o JOIN {t["type"]} ot ON ot.id = o.intervention_type_id
      WHERE o.order_id = {order} AND {ordered_last}
        AND NOT {_planned(plan, "o.intervention_type_id")}
        AND NOT (
          ot.is_care_package
          AND EXISTS (SELECT 1 FROM {t["parts"]} c WHERE c.orderedintervention_id = o.id)
          AND NOT EXISTS (
            SELECT 1 FROM {t["parts"]} c WHERE c.orderedintervention_id = o.id
              AND NOT {_planned(plan, "c.interventiontype_id")})))
    AND NOT EXISTS (
      SELECT 1 FROM {t["item"]} q
      WHERE q.plan_id = {plan}
        AND NOT EXISTS (
          SELECT 1 FROM {t["ordered"]} o WHERE o.order_id = {order}
            AND o.intervention_type_id = q.intervention_type_id)
        AND NOT EXISTS (SELECT 1 {written_out}))
    AND NOT EXISTS (
      SELECT 1 FROM {t["ordered"]} o
        JOIN {t["item"]} q ON q.plan_id = {plan} AND q.intervention_type_id = o.intervention_type_id
      WHERE o.order_id = {order} AND {ordered_last} AND {planned_last}
        AND {_frequency("o")} IS DISTINCT FROM {_frequency("q")})
    AND NOT EXISTS (
      SELECT 1 FROM {t["item"]} q
      WHERE q.plan_id = {plan} AND {planned_last}
        AND NOT EXISTS (
          SELECT 1 FROM {t["ordered"]} o WHERE o.order_id = {order}
            AND o.intervention_type_id = q.intervention_type_id)
        AND EXISTS (
          SELECT 1 {written_out}
          HAVING COUNT(DISTINCT (w.period, w.every_n_weeks)) = 1
            AND (MIN(w.period), NULLIF(SUM(COALESCE(w.occasions, 0)), 0),
                 CASE WHEN MIN(w.period) = 'every_n_weeks' THEN MIN(w.every_n_weeks) ELSE 1 END)
              IS DISTINCT FROM {_frequency("q")})))"""  # noqa: S608 - our tables, no values


_COVERS_SQL = _covers_sql()


class PlanCoversOrder(Func):
    """True when the client's plan at the order's provider follows this order and the coverage
    check finds no difference between them (rules.coverage_gaps returns nothing): the check of
    the plan page, in SQL, so that a unit's or a provider's plans are counted in one query.
    tests/genomforandeplan/test_coverage_report.py holds it equal to rules.coverage_gaps over
    packages written out, summed and conflicting frequencies, repeated interventions and daily
    visits."""

    output_field = BooleanField()

    def __init__(self):
        super().__init__(F("pk"), F("client_id"), F("provider_id"), F("daily_visits"))

    _names = ("order", "client", "provider", "daily_visits")

    def as_sql(self, compiler, connection, **extra):
        sql, params = {}, {}
        for name, expression in zip(self._names, self.get_source_expressions(), strict=True):
            sql[name], params[name] = compiler.compile(expression)
        # Each column is named several times in the text: its parameters (none, for a column)
        # follow it each time it is named, in the text's order.
        template = _COVERS_SQL
        named = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name]
        return template.format(**sql), [value for name in named for value in params[name]]


def plan_covers_order() -> Exists:
    """PlanCoversOrder's answer as the plan stores it (ImplementationPlan.covers_order, kept by
    services.refresh_coverage with PlanCoversOrder itself), over an Order row: the client's plan
    at the order's provider follows this order and covers it fully. What the report's totals,
    the managers' dashboard and the liaison pack read: an index lookup per order, not the check.
    tests/genomforandeplan/test_stored_coverage.py holds the two equal after every write."""
    return Exists(
        ImplementationPlan.objects.filter(
            client=OuterRef("client_id"),
            provider=OuterRef("provider_id"),
            order=OuterRef("pk"),
            covers_order=True,
        )
    )


# ---------------------------------------------------------------------------------------------
# The totals: one aggregate query


@dataclass(frozen=True)
class Totals:
    orders: int = 0
    with_plan: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_due: int = 0
    approved: int = 0
    returned: int = 0
    awaiting_review: int = 0
    assessed: int = 0
    covering: int = 0

    @property
    def following_later_order(self) -> int:
        """Plans completed since against a later order: judged on that order's row."""
        return self.with_plan - self.assessed

    def text(self) -> str:
        """The inspection's sentence: "10 av 15 har plan, 2 av 10 i tid, 1 av 10 täcker
        beställningen helt"."""
        return (
            f"{self.with_plan} av {self.orders} har plan, "
            f"{self.on_time} av {self.with_plan} i tid, "
            f"{self.covering} av {self.assessed} täcker beställningen helt"
        )


def report_totals(orders: QuerySet[Order], today: datetime.date | None = None) -> Totals:
    """Every figure of the report in one aggregate query over `orders` (filtered, not yet
    annotated): the orders counted by their plan's deadline status, review, whether the plan
    follows them and whether it covers them, in at most 4 × 3 × 2 × 2 groups, which are then
    added up. Grouped rather than counted with a filter per figure, so that each order's facts
    are computed once (PostgreSQL would compute a subquery again for every filter naming it)."""
    groups = (
        with_total_facts(orders, today)
        .values("plan_deadline", "report_outcome", "report_follows", "report_covers")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(Totals.__dataclass_fields__, 0)
    for group in groups:
        count = group["count"]
        counts["orders"] += count
        status = DeadlineStatus(group["plan_deadline"])
        counts[_STATUS_FIELD[status]] += count
        if status not in (DeadlineStatus.ON_TIME, DeadlineStatus.LATE):
            continue  # no plan ready against the order
        counts["with_plan"] += count
        counts[_OUTCOME_FIELD[group["report_outcome"]]] += count
        if group["report_follows"]:
            counts["assessed"] += count
            counts["covering"] += count if group["report_covers"] else 0
    return Totals(**counts)


# ---------------------------------------------------------------------------------------------
# The same figures grouped (the managers' dashboard, uppfoljning.dashboard): one row per order
# with the facts report_totals groups on, and each figure of Totals as a condition over them


def with_total_facts(orders: QuerySet[Order], today: datetime.date | None = None) -> QuerySet:
    """`orders` annotated with the facts report_totals counts by: plan_deadline, plan_ready_on
    (selectors.with_plan_deadline), report_outcome, report_follows and report_covers (the
    coverage check, only where a plan was ready against the order)."""
    return selectors.with_plan_deadline(orders.order_by(), today).annotate(
        report_outcome=_newest_outcome(),
        report_follows=Exists(ImplementationPlan.objects.filter(order=OuterRef("pk"))),
        report_covers=Case(
            When(plan_ready_on__isnull=False, then=plan_covers_order()),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _sql_text(value: str) -> str:
    """One of our own choices' values as an SQL string literal (never the user's text)."""
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


_READY_STATUSES = (_sql_text(DeadlineStatus.ON_TIME), _sql_text(DeadlineStatus.LATE))
_READY = f"plan_deadline IN ({', '.join(_READY_STATUSES)})"

# Each figure of Totals as an SQL condition over the columns of with_total_facts (named as
# there): what report_totals adds up, written so that a grouped query counts each with
# COUNT(*) FILTER (WHERE ...) and a list of the orders behind a figure selects with WHERE.
# tests/uppfoljning/test_dashboard.py holds their counts equal to report_totals.
TOTALS_SQL: dict[str, str] = {
    "orders": "TRUE",
    "with_plan": _READY,
    "on_time": f"plan_deadline = {_sql_text(DeadlineStatus.ON_TIME)}",
    "late": f"plan_deadline = {_sql_text(DeadlineStatus.LATE)}",
    "missing": f"plan_deadline = {_sql_text(DeadlineStatus.MISSING)}",
    "not_due": f"plan_deadline = {_sql_text(DeadlineStatus.NOT_DUE)}",
    "approved": f"{_READY} AND report_outcome = {_sql_text(ReviewOutcome.APPROVED)}",
    "returned": f"{_READY} AND report_outcome = {_sql_text(ReviewOutcome.RETURNED)}",
    "awaiting_review": f"{_READY} AND report_outcome IS NULL",
    "assessed": f"{_READY} AND report_follows",
    "covering": f"{_READY} AND report_follows AND report_covers",
}


_STATUS_FIELD = {
    DeadlineStatus.ON_TIME: "on_time",
    DeadlineStatus.LATE: "late",
    DeadlineStatus.MISSING: "missing",
    DeadlineStatus.NOT_DUE: "not_due",
}
_OUTCOME_FIELD = {
    ReviewOutcome.APPROVED: "approved",
    ReviewOutcome.RETURNED: "returned",
    None: "awaiting_review",
}


# ---------------------------------------------------------------------------------------------
# The rows


@dataclass
class ReportRow:
    """One executed order with its plan's facts; `gaps` is the coverage check's list (empty:
    the plan covers the order fully), None when there is nothing to check (no plan ready
    against the order, or the plan now follows a later order)."""

    order: Order
    deadline: rules.Deadline
    ready_on: datetime.date | None
    plan_id: int | None
    outcome: str | None
    follows_order: bool
    earlier_plan: bool
    gaps: list[rules.Gap] | None = field(default=None)

    @property
    def client(self):
        return self.order.client

    @property
    def has_plan(self) -> bool:
        return self.ready_on is not None

    @property
    def days_to_ready(self) -> int | None:
        """Days from the start to the day the client approved the plan."""
        if self.ready_on is None:
            return None
        return (self.ready_on - self.order.executed_on).days

    @property
    def approved(self) -> bool:
        return self.has_plan and self.outcome == ReviewOutcome.APPROVED

    @property
    def returned(self) -> bool:
        return self.has_plan and self.outcome == ReviewOutcome.RETURNED

    @property
    def awaiting_review(self) -> bool:
        return self.has_plan and not self.outcome

    @property
    def plan_started(self) -> bool:
        """A plan is being written against this order, not yet ready."""
        return not self.has_plan and self.plan_id is not None and self.follows_order

    @property
    def assessed(self) -> bool:
        return self.gaps is not None

    @property
    def covers(self) -> bool | None:
        return None if self.gaps is None else not self.gaps

    @property
    def later_order(self) -> bool:
        """A plan was ready against this order, and has since been completed against a later
        one (a change order): its coverage is judged on that order's row."""
        return self.has_plan and not self.follows_order

    @property
    def plan_text(self) -> str:
        """The plan's state for the order, as the page, the PDF and the files say it."""
        if self.approved:
            return _("Godkänd")
        if self.returned:
            return _("Återsänd till utföraren")
        if self.awaiting_review:
            return _("Klar, väntar på granskning")
        if self.plan_started:
            return _("Ingen plan klar (påbörjad)")
        if self.earlier_plan:
            return _("Ingen plan klar (planen gäller en tidigare beställning)")
        return _("Ingen plan")

    @property
    def covers_text(self) -> str:
        if self.covers is None:
            return _("Bedöms mot den senare beställningen") if self.later_order else ""
        return _("Ja") if self.covers else _("Nej")

    def gaps_of(self, kind: str) -> list[rules.Gap]:
        return [gap for gap in self.gaps or [] if gap.kind == kind]

    @property
    def missing(self) -> list[rules.Gap]:
        return self.gaps_of(rules.MISSING)

    @property
    def not_ordered(self) -> list[rules.Gap]:
        return self.gaps_of(rules.EXTRA)

    @property
    def frequency(self) -> list[rules.Gap]:
        return self.gaps_of(rules.FREQUENCY)

    @property
    def daily_visits(self) -> list[rules.Gap]:
        return self.gaps_of(rules.DAILY_VISITS)


def report_rows(orders: list[Order]) -> list[ReportRow]:
    """The rows for orders annotated by with_report_facts, with the coverage check for those
    with a plan ready against them that still follows them: four queries for any number of
    rows (coverage_by_order)."""
    rows = [
        ReportRow(
            order=order,
            deadline=selectors.deadline_of(order),
            ready_on=order.plan_ready_on,
            plan_id=order.report_plan_id,
            outcome=order.report_outcome,
            follows_order=order.report_follows,
            earlier_plan=order.report_earlier_plan,
        )
        for order in orders
    ]
    to_check = [row for row in rows if row.has_plan and row.follows_order]
    gaps = coverage_by_order([(row.order, row.plan_id) for row in to_check])
    for row in to_check:
        row.gaps = gaps[row.order.pk]
    return rows


def coverage_by_order(pairs: list[tuple[Order, int]]) -> dict[int, list[rules.Gap]]:
    """services.coverage for many (order, plan id) pairs in four queries: {order id: the gaps
    between the plan and the order}. The rule is rules.coverage_gaps, fed as services feeds it
    (an ordered care package with its contents, names as the catalogue's, the frequency worded
    by services.frequency_text), but from plain values rather than model instances: an export
    of a whole unit checks thousands of plans (tests hold the two equal)."""
    if not pairs:
        return {}
    order_ids = [order.pk for order, _plan in pairs]
    ordered_rows = list(
        OrderedIntervention.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "position", "id")
        .values_list(
            "pk",
            "order_id",
            "intervention_type_id",
            "intervention_type__name",
            "intervention_type__is_care_package",
            "period",
            "occasions",
            "every_n_weeks",
        )
    )
    through = OrderedIntervention.care_package_contents.through
    parts: dict[int, list[tuple[int, str]]] = {}
    package_ids = [row[0] for row in ordered_rows if row[4]]
    for item_id, type_id, name in (
        through.objects.filter(orderedintervention_id__in=package_ids)
        .order_by(*(f"interventiontype__{key}" for key in InterventionType._meta.ordering))
        .values_list("orderedintervention_id", "interventiontype_id", "interventiontype__name")
    ):
        parts.setdefault(item_id, []).append((type_id, name))
    ordered: dict[int, list[rules.Item]] = {pk: [] for pk in order_ids}
    for pk, order_id, type_id, name, _package, period, occasions, every in ordered_rows:
        ordered[order_id].append(
            rules.Item(type_id, name, period, occasions, every, tuple(parts.get(pk, ())))
        )
    plan_ids = [plan for _order, plan in pairs]
    planned: dict[int, list[rules.Item]] = {pk: [] for pk in plan_ids}
    for plan_id, type_id, name, period, occasions, every in (
        PlanItem.objects.filter(plan_id__in=plan_ids)
        .order_by("plan_id", "position", "id")
        .values_list(
            "plan_id",
            "intervention_type_id",
            "intervention_type__name",
            "period",
            "occasions",
            "every_n_weeks",
        )
    ):
        planned[plan_id].append(rules.Item(type_id, name, period, occasions, every))
    daily_visits = dict(
        ImplementationPlan.objects.filter(pk__in=plan_ids).values_list("pk", "planned_daily_visits")
    )
    return {
        order.pk: rules.coverage_gaps(
            ordered=ordered[order.pk],
            planned=planned[plan],
            ordered_daily_visits=order.daily_visits,
            planned_daily_visits=daily_visits[plan],
            frequency_text=services.frequency_text,
        )
        for order, plan in pairs
    }


def export_order(orders: QuerySet[Order]) -> tuple[list[int], list[int]]:
    """(the ids of the orders in the report's order, the ids of their clients) in one query:
    what an export writes, and whom its access-log row names, before a row is written."""
    pairs = list(orders.values_list("pk", "client_id"))
    return [pk for pk, _client in pairs], [client for _pk, client in pairs]


def rows_in_chunks(
    orders: QuerySet[Order], order_ids: list[int], chunk: int = EXPORT_CHUNK
) -> Iterator[ReportRow]:
    """The rows of these orders (annotated by with_report_facts) in the given order, `chunk` at
    a time: five queries a chunk, whatever the size of the export."""
    for start in range(0, len(order_ids), chunk):
        part = order_ids[start : start + chunk]
        by_pk = orders.order_by().in_bulk(part)
        yield from report_rows([by_pk[pk] for pk in part])
