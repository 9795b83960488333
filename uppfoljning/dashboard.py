"""The managers' dashboard (översikt, issue 11; DOMAIN.md §6–7): does ramtid work? For a period
of months, per provider and per officer, with totals.

Who: the unit manager for her ordering units' clients, the provider's coordinator (the
provider's manager) for her provider's orders (permissions.dashboard_unit_ids,
dashboard_provider_ids). Nobody else has it: officers have their worklists, contact persons,
fee officers and administrators read no unit's figures.

What, and from where (each the same rule as the page it comes from):

    plans            the plan coverage report's figures (genomforandeplan.reports: its facts,
                     `with_total_facts`, and each figure of `Totals` as `TOTALS_SQL`) for the
                     orders executed in the period, plus the median days from start to plan
    time             MonthlyTimeResult of the period's months: hours ordered and performed (the
                     chart), months over and under, explanations waiting for the officer's
                     decision (monthly.needs_decision)
    reviews          individual reviews not done whose day has passed (today, not the period):
                     the unit's only, as providers never see reviews
    quality          orders sent in the period and the warnings sending found (Order
                     .quality_warnings): orders with warnings, warnings per such order
    complaints       complaints received in the period (complaints.complaint_figures), per
                     provider; a complaint about the unit's own handling has no provider

"Per officer" is the officer who wrote the order (Order.ordered_by) for the order's figures,
and the client's responsible officer for the reviews. Complaints have no officer.

Scale (a unit of 2,800 clients, a provider of 6,000): each family is one query, whatever the
number of rows: the facts of every row in a subquery, counted with COUNT(*) FILTER in GROUPING
SETS (per provider, per officer, per month, and the total at once), so that each row's facts
are computed once. Every figure links to the clients behind it (`figure_rows`), selected by the
same subquery and the same condition, so a figure and its list always agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bestallning import statistics
from bestallning.models import Order, OrderedIntervention
from bestallning.selectors import orders_visible_to
from bestallning.states import ISSUED_STATUSES
from genomforandeplan import reports
from ramtid.choices import InterventionCategory
from ramtid.models import Client, Provider, User
from uppfoljning import complaints, continuity, monthly, permissions
from uppfoljning.models import Complaint, IndividualReview, MonthlyTimeResult
from uppfoljning.reviews import reviews_visible_to

PER_PAGE = 50
PERIOD_MONTHS = 12
# The longest period one may ask for: ten years of months keeps the chart and the query bounded.
MAX_MONTHS = 120


# ---------------------------------------------------------------------------------------------
# The period: whole months


def add_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From the first day of `first` to the last day of `last` (both first days of months)."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.date:
        return self.first

    @property
    def end(self) -> datetime.date:
        return add_months(self.last, 1) - datetime.timedelta(days=1)

    @property
    def months(self) -> list[datetime.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, n) for n in range(count + 1)]

    def query(self) -> dict[str, str]:
        return {"fran": f"{self.first:%Y-%m}", "till": f"{self.last:%Y-%m}"}


def default_period(today: datetime.date | None = None) -> Period:
    """The twelve months up to and including this one (this month so far: what was executed,
    sent or received this month shows at once)."""
    this_month = (today or timezone.localdate()).replace(day=1)
    return Period(add_months(this_month, 1 - PERIOD_MONTHS), this_month)


# ---------------------------------------------------------------------------------------------
# Whose figures


@dataclass(frozen=True)
class Scope:
    units: frozenset[int]
    providers: frozenset[int]

    def orders(self, user: User) -> QuerySet[Order]:
        """The issued orders of the units' clients and to the providers, read through
        orders_visible_to (so a provider sees only the orders of clients it sees today)."""
        return orders_visible_to(user).filter(
            Q(client__ordering_unit_id__in=self.units) | Q(provider_id__in=self.providers),
            status__in=ISSUED_STATUSES,
        )

    def time_results(self, user: User) -> QuerySet[MonthlyTimeResult]:
        return monthly.results_visible_to(user).filter(
            Q(ordering_unit_id__in=self.units) | Q(provider_id__in=self.providers)
        )

    def reviews(self, user: User) -> QuerySet[IndividualReview]:
        """The units' reviews (a provider's manager has none)."""
        return reviews_visible_to(user).filter(ordering_unit_id__in=self.units)

    def complaints(self, user: User) -> QuerySet[Complaint]:
        return complaints.complaints_visible_to(user).filter(
            Q(client__ordering_unit_id__in=self.units) | Q(provider_id__in=self.providers)
        )


def scope_of(user: User) -> Scope | None:
    """The user's dashboard scope, None when she has no dashboard (a 404)."""
    if not permissions.sees_dashboard(user):
        return None
    return Scope(
        frozenset(permissions.dashboard_unit_ids(user)),
        frozenset(permissions.dashboard_provider_ids(user)),
    )


def chosen_provider(user: User, scope: Scope, pk: int | None) -> Provider | None:
    """The provider of a link (`utforare`): one of the scope's, or one that has orders for the
    units' clients. Any other is a 404 (raised by the caller on LookupError)."""
    if pk is None:
        return None
    in_scope = Q(pk__in=scope.providers) | Q(pk__in=scope.orders(user).values("provider_id"))
    provider = Provider.objects.filter(in_scope, pk=pk).first()
    if provider is None:
        raise LookupError(pk)
    return provider


def chosen_officer(user: User, scope: Scope, pk: int | None) -> User | None:
    """The officer of a link (`handlaggare`): one who ordered in the scope, or the responsible
    officer of a unit's client. Any other is a 404."""
    if pk is None:
        return None
    in_scope = Q(pk__in=scope.orders(user).values("ordered_by_id"))
    if scope.units:
        in_scope |= Q(
            pk__in=Client.objects.filter(ordering_unit_id__in=scope.units).values(
                "responsible_officer_id"
            )
        )
    officer = User.objects.filter(in_scope, pk=pk).first()
    if officer is None:
        raise LookupError(pk)
    return officer


# ---------------------------------------------------------------------------------------------
# Grouping sets: one query counts per provider, per officer, per month and in total

# The grouping columns every source selects (and their names), by the dimension they group.
KEYS: dict[str, tuple[str, ...]] = {
    "provider": ("g_provider", "g_provider_name"),
    "officer": ("g_officer", "g_officer_first", "g_officer_last"),
    "month": ("g_month",),
}


def _keys(provider: str, officer: str) -> dict:
    """The grouping columns for a source whose provider and officer are these paths."""
    return {
        "g_provider": F(f"{provider}_id"),
        "g_provider_name": F(f"{provider}__name"),
        "g_officer": F(f"{officer}_id"),
        "g_officer_first": F(f"{officer}__first_name"),
        "g_officer_last": F(f"{officer}__last_name"),
    }


@dataclass
class Grouped:
    """One query's rows: the total, and a list of rows per dimension (a dict per row: its key
    columns and the aggregates)."""

    total: dict
    by: dict[str, list[dict]] = field(default_factory=dict)


def grouping_sets(
    facts: QuerySet, *, dimensions: Sequence[str], aggregates: dict[str, str]
) -> Grouped:
    """Count `facts` (a values() queryset selecting the KEYS of `dimensions` and the columns the
    aggregates name) per each dimension and in total, in one query."""
    try:
        inner, params = facts.order_by().query.sql_with_params()
    except EmptyResultSet:  # a scope that can hold nothing: zeros, without a query
        return Grouped(total=dict.fromkeys(aggregates, 0), by={d: [] for d in dimensions})
    columns = [column for dimension in dimensions for column in KEYS[dimension]]
    firsts = ", ".join(KEYS[dimension][0] for dimension in dimensions)
    sets = ", ".join(f"({', '.join(KEYS[dimension])})" for dimension in dimensions)
    selected = ", ".join(
        [*columns, f"GROUPING({firsts}) AS grouping_bits"]
        + [f"{sql} AS {name}" for name, sql in aggregates.items()]
    )
    # OFFSET 0: the facts a subquery planned on its own, each row's facts computed once.
    sql = (
        f"SELECT {selected} FROM ({inner} OFFSET 0) AS facts "  # noqa: S608 - our own SQL
        f"GROUP BY GROUPING SETS ({sets}, ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    grouped = Grouped(total=dict.fromkeys(aggregates, 0), by={d: [] for d in dimensions})
    everything = (1 << len(dimensions)) - 1
    for row in rows:
        bits = row.pop("grouping_bits")
        if bits == everything:
            grouped.total = row
            continue
        for position, dimension in enumerate(dimensions):
            if not bits & (1 << (len(dimensions) - 1 - position)):
                grouped.by[dimension].append(row)
    return grouped


def _count(condition: str) -> str:
    return f"COUNT(*) FILTER (WHERE {condition})"


def _rows_behind(
    model: type[Model], facts: QuerySet, condition: str, provider: int | None, officer: int | None
) -> QuerySet:
    """The `model` rows (row_id in the facts) that a figure counts: the same subquery, the same
    condition, for one provider and/or officer when given."""
    try:
        inner, params = facts.order_by().query.sql_with_params()
    except EmptyResultSet:
        return model.objects.none()
    where, extra = [f"({condition})"], []
    if provider is not None:
        where.append("g_provider = %s")
        extra.append(provider)
    if officer is not None:
        where.append("g_officer = %s")
        extra.append(officer)
    # OFFSET 0 keeps the facts a subquery planned on its own, as in the grouped query (pulled
    # up into the condition, the planner misjudged the rows of the plan deadline's CASE and
    # joined every client of the municipality with them); the ids then come as an array
    # computed once and are fetched by primary key (as `IN (subquery)` every order of the
    # municipality was compared with them).
    facts_sql = (
        f"SELECT row_id FROM ({inner} OFFSET 0) AS facts "  # noqa: S608
        f"WHERE {' AND '.join(where)}"
    )
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # Values as parameters; the text is ours (the facts' SQL and our conditions).
    behind = RawSQL(  # noqa: S611
        f"{table}.{pk} = ANY(ARRAY({facts_sql}))",
        (*params, *extra),
        output_field=BooleanField(),
    )
    return model.objects.filter(behind)


# ---------------------------------------------------------------------------------------------
# The sources


class JsonbArrayLength(Func):
    function = "jsonb_array_length"
    output_field = IntegerField()


def plan_facts(user: User, scope: Scope, period: Period, today: datetime.date) -> QuerySet:
    """The orders executed in the period with the coverage report's facts, one row each."""
    orders = scope.orders(user).filter(executed_on__gte=period.start, executed_on__lte=period.end)
    return reports.with_total_facts(orders, today).values(
        "executed_on",
        "plan_ready_on",
        "plan_deadline",
        "report_outcome",
        "report_follows",
        "report_covers",
        row_id=F("pk"),
        **_keys("provider", "ordered_by"),
    )


def time_facts(user: User, scope: Scope, period: Period) -> QuerySet:
    """The monthly time results of the period's months, one row each."""
    return (
        scope.time_results(user)
        .filter(month__gte=period.first, month__lte=period.last)
        .values(
            "ordered_minutes",
            "performed_minutes",
            "status",
            row_id=F("pk"),
            g_month=F("month"),
            to_decide=ExpressionWrapper(monthly.needs_decision(), output_field=BooleanField()),
            **_keys("provider", "order__ordered_by"),
        )
    )


def review_facts(user: User, scope: Scope, today: datetime.date) -> QuerySet:
    """The units' individual reviews not done whose last day has passed, one row each."""
    return (
        scope.reviews(user)
        .filter(done_on__isnull=True, due_on__lt=today)
        .values(row_id=F("pk"), **_keys("order__provider", "client__responsible_officer"))
    )


def quality_facts(user: User, scope: Scope, period: Period) -> QuerySet:
    """The orders sent in the period with the number of warnings sending found, one row each."""
    return (
        scope.orders(user)
        .filter(sent_at__date__gte=period.start, sent_at__date__lte=period.end)
        .values(
            row_id=F("pk"),
            warnings=JsonbArrayLength(F("quality_warnings")),
            **_keys("provider", "ordered_by"),
        )
    )


# ---------------------------------------------------------------------------------------------
# The figures, each with its condition and the list of clients behind it

PLAN_SQL = {
    **reports.TOTALS_SQL,
    "not_covering": f"{reports.TOTALS_SQL['assessed']} AND NOT report_covers",
}
TIME_SQL = {
    "results": "TRUE",
    "over": "status = 'over'",
    "under": "status = 'under'",
    "to_decide": "to_decide",
}
REVIEW_SQL = {"overdue": "TRUE"}
QUALITY_SQL = {"sent": "TRUE", "with_warnings": "warnings > 0"}


@dataclass(frozen=True)
class Figure:
    """A figure a link may name (its key in the path): its source, its condition there, and its
    words."""

    source: str
    name: str
    label: str


FIGURES: dict[str, Figure] = {
    "verkstallda": Figure("plans", "orders", _("Verkställda beställningar")),
    "med-plan": Figure("plans", "with_plan", _("Verkställda beställningar med plan")),
    "plan-i-tid": Figure("plans", "on_time", _("Planer klara i tid")),
    "plan-sen": Figure("plans", "late", _("Planer klara för sent")),
    "plan-saknas": Figure("plans", "missing", _("Planer som saknas, tidsfristen har gått ut")),
    "plan-ej-klar": Figure("plans", "not_due", _("Planer inte klara, tid kvar")),
    "plan-aterskickad": Figure("plans", "returned", _("Planer återsända till utföraren")),
    "plan-tacker-helt": Figure("plans", "covering", _("Planer som täcker beställningen helt")),
    "plan-tacker-inte": Figure(
        "plans", "not_covering", _("Planer som inte täcker beställningen helt")
    ),
    "tid-over": Figure("time", "over", _("Månader med överskriden tid")),
    "tid-under": Figure("time", "under", _("Månader med underskriden tid")),
    "tid-att-besluta": Figure("time", "to_decide", _("Förklaringar som väntar på beslut")),
    "uppfoljning-forsenad": Figure("reviews", "overdue", _("Försenade individuppföljningar")),
    "kvalitetsvarningar": Figure(
        "quality", "with_warnings", _("Beställningar med kvalitetsvarningar")
    ),
    "klagomal": Figure("complaints", "received", _("Klagomål som kommit in")),
    "klagomal-sena": Figure("complaints", "late", _("Klagomål besvarade för sent eller inte alls")),
    "klagomal-obesvarade": Figure("complaints", "open", _("Klagomål som inte är besvarade")),
    "kontinuitet-over-malet": Figure(
        "continuity", "over_goal", _("Brukare som mötte fler personal än målet på 14 dagar")
    ),
    "beviljat-kvinnor": Figure("granted", "female", _("Kvinnor med beviljad tid")),
    "beviljat-man": Figure("granted", "male", _("Män med beviljad tid")),
}
# The figure keys by source and name, for the template's links.
FIGURE_KEYS = {(figure.source, figure.name): key for key, figure in FIGURES.items()}


# ---------------------------------------------------------------------------------------------
# The dashboard: one query per family


@dataclass(frozen=True)
class PlanFigures:
    totals: reports.Totals
    median_days: float | None

    @property
    def share_with_plan(self) -> float | None:
        return _share(self.totals.with_plan, self.totals.orders)

    @property
    def share_on_time(self) -> float | None:
        return _share(self.totals.on_time, self.totals.with_plan)

    @property
    def share_covering(self) -> float | None:
        return _share(self.totals.covering, self.totals.assessed)

    @property
    def not_covering(self) -> int:
        return self.totals.assessed - self.totals.covering


@dataclass(frozen=True)
class TimeFigures:
    results: int
    ordered_hours: float
    performed_hours: float
    over: int
    under: int
    to_decide: int

    @property
    def performed_share(self) -> float | None:
        """Performed in percent of ordered."""
        return _share(self.performed_hours, self.ordered_hours)


@dataclass(frozen=True)
class QualityFigures:
    sent: int
    with_warnings: int
    warnings: int

    @property
    def per_order(self) -> float | None:
        """Warnings per order that has any."""
        return None if not self.with_warnings else self.warnings / self.with_warnings

    @property
    def share_with_warnings(self) -> float | None:
        return _share(self.with_warnings, self.sent)


def _share(part: float, whole: float) -> float | None:
    return None if not whole else 100 * part / whole


@dataclass
class Row:
    """One line of a table: a provider, an officer, a month, or the total (`key` None)."""

    key: int | datetime.date | None
    name: str
    figures: object
    total: bool = False
    links: dict = field(default_factory=dict)
    label: str = ""


def _name(dimension: str, row: dict) -> str:
    if dimension == "provider":
        return row["g_provider_name"] or str(_("Ingen utförare"))
    if dimension == "officer":
        name = f"{row['g_officer_first'] or ''} {row['g_officer_last'] or ''}".strip()
        return name or str(_("Ingen ansvarig handläggare"))
    return f"{row['g_month']:%Y-%m}"


def _key(dimension: str, row: dict):
    return row[KEYS[dimension][0]]


def _rows(grouped: Grouped, dimension: str, build) -> list[Row]:
    rows = [Row(_key(dimension, r), _name(dimension, r), build(r)) for r in grouped.by[dimension]]
    if dimension == "month":
        return sorted(rows, key=lambda row: row.key)
    return sorted(rows, key=lambda row: (row.key is None, row.name.casefold(), row.key or 0))


def _plans(row: dict) -> PlanFigures:
    counts = {name: row[name] or 0 for name in reports.Totals.__dataclass_fields__}
    return PlanFigures(reports.Totals(**counts), row["median_days"])


def _time(row: dict) -> TimeFigures:
    return TimeFigures(
        results=row.get("results") or 0,
        ordered_hours=float(row.get("ordered_hours") or 0),
        performed_hours=float(row.get("performed_hours") or 0),
        over=row.get("over") or 0,
        under=row.get("under") or 0,
        to_decide=row.get("to_decide") or 0,
    )


def _quality(row: dict) -> QualityFigures:
    return QualityFigures(row["sent"] or 0, row["with_warnings"] or 0, row["warnings"] or 0)


@dataclass
class Section:
    """A family's figures: the total and the rows per dimension."""

    total: object
    by: dict[str, list[Row]]
    links: dict = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, list[Row]]:
        """Each dimension's rows with the total last (the tables' last line)."""
        total = Row(None, str(_("Totalt")), self.total, total=True, links=self.links)
        return {dimension: [*rows, total] for dimension, rows in self.by.items()}


@dataclass
class Dashboard:
    period: Period
    scope: Scope
    plans: Section
    time: Section
    reviews: Section | None
    quality: Section
    complaints: Section
    continuity: Section
    granted: GrantedSection | None  # None: the page loads it in a second request


def plan_section(user, scope, period, today) -> Section:
    aggregates = {name: _count(sql) for name, sql in reports.TOTALS_SQL.items()}
    aggregates["median_days"] = (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY plan_ready_on - executed_on) "
        f"FILTER (WHERE {reports.TOTALS_SQL['with_plan']})"
    )
    grouped = grouping_sets(
        plan_facts(user, scope, period, today),
        dimensions=("provider", "officer"),
        aggregates=aggregates,
    )
    return Section(
        _plans(grouped.total), {d: _rows(grouped, d, _plans) for d in ("provider", "officer")}
    )


def time_section(user, scope, period) -> Section:
    aggregates = {name: _count(sql) for name, sql in TIME_SQL.items()}
    aggregates["ordered_hours"] = "SUM(ordered_minutes) / 60.0"
    aggregates["performed_hours"] = "SUM(performed_minutes) / 60.0"
    dimensions = ("month", "provider", "officer")
    grouped = grouping_sets(
        time_facts(user, scope, period), dimensions=dimensions, aggregates=aggregates
    )
    by = {d: _rows(grouped, d, _time) for d in dimensions}
    # Every month of the period on the chart, a month without results as zero.
    known = {row.key: row for row in by["month"]}
    by["month"] = [
        known.get(month) or Row(month, f"{month:%Y-%m}", _time({})) for month in period.months
    ]
    return Section(_time(grouped.total), by)


def review_section(user, scope, today) -> Section | None:
    if not scope.units:
        return None
    grouped = grouping_sets(
        review_facts(user, scope, today),
        dimensions=("provider", "officer"),
        aggregates={"overdue": "COUNT(*)"},
    )

    def build(row):
        return row["overdue"] or 0

    return Section(build(grouped.total), {d: _rows(grouped, d, build) for d in grouped.by})


def quality_section(user, scope, period) -> Section:
    aggregates = {name: _count(sql) for name, sql in QUALITY_SQL.items()}
    aggregates["warnings"] = "COALESCE(SUM(warnings), 0)"
    grouped = grouping_sets(
        quality_facts(user, scope, period),
        dimensions=("provider", "officer"),
        aggregates=aggregates,
    )
    return Section(
        _quality(grouped.total), {d: _rows(grouped, d, _quality) for d in ("provider", "officer")}
    )


def complaint_section(user, scope, period, today) -> Section:
    """complaints.complaint_figures per provider and in total (two queries: it groups one way
    at a time). A complaint about the unit's own handling has no provider."""
    scoped = scope.complaints(user)
    kwargs = {"start": period.start, "end": period.end, "today": today}
    total = complaints.complaint_figures(scoped, **kwargs)
    per_provider = complaints.complaint_figures(scoped, group_by=("provider",), **kwargs)
    rows = [
        Row(
            figures.key["provider"],
            figures.key["provider__name"] or str(_("Beställarenhetens egen handläggning")),
            figures,
        )
        for figures in per_provider
    ]
    rows.sort(key=lambda row: (row.key is None, row.name.casefold()))
    return Section(total[0] if total else None, {"provider": rows})


def continuity_section(user, scope, period) -> Section:
    """Staff continuity against the goal (continuity.continuity_figures, from the monthly
    check's stored figures of the period's months): in total, per provider and per officer
    (three queries: distinct clients do not add up across groups)."""
    results = scope.time_results(user).filter(month__gte=period.first, month__lte=period.last)
    total = continuity.continuity_figures(results)
    by = {}
    for dimension, name_key in (("provider", "provider__name"), ("officer", "officer_name")):
        rows = [
            Row(figures.key[dimension], figures.key[name_key] or "–", figures)
            for figures in continuity.continuity_figures(results, group_by=(dimension,))
        ]
        by[dimension] = sorted(rows, key=lambda row: (row.name.casefold(), row.key or 0))
    return Section(total[0] if total else None, by)


GENDERS = ("female", "male")


@dataclass
class GrantedRow:
    """Granted hours of women and men in one group (a category, an officer, or the total)."""

    key: object
    name: str
    by_gender: dict  # gender → statistics.GrantedHours
    total: bool = False
    links: dict = field(default_factory=dict)

    @property
    def female(self):
        return self.by_gender.get("female")

    @property
    def male(self):
        return self.by_gender.get("male")


@dataclass
class GrantedSection:
    total: GrantedRow
    by: dict[str, list[GrantedRow]]
    links: dict = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, list[GrantedRow]]:
        return {dimension: [*rows, self.total] for dimension, rows in self.by.items()}


def granted_for(scope: Scope) -> bool:
    """Whether the scope has the granted hours of women and men: the ordering unit's (003: the
    unit's decisions are to be equal for women and men). A provider decides nothing; its
    manager gets no figures about the municipality's officers' decisions."""
    return bool(scope.units)


def granted_section(user, scope, period) -> GrantedSection:
    """Granted hours of women and men (statistics.granted_hours, 003's gender-equal decisions):
    in total, per intervention category and per officer; three queries."""
    orders = scope.orders(user)
    kwargs = {"start": period.start, "end": period.end}
    total = GrantedRow(None, str(_("Totalt")), {}, total=True)
    for figures in statistics.granted_hours(orders, group_by=("gender",), **kwargs):
        total.by_gender[figures.key["gender"]] = figures
    by: dict[str, list[GrantedRow]] = {}
    labels = dict(InterventionCategory.choices)
    for dimension, name_key in (("category", "category"), ("officer", "officer_name")):
        rows: dict = {}
        for figures in statistics.granted_hours(orders, group_by=("gender", dimension), **kwargs):
            key = figures.key[dimension]
            name = labels.get(key, key) if dimension == "category" else figures.key[name_key]
            row = rows.setdefault(key, GrantedRow(key, str(name or "–"), {}))
            row.by_gender[figures.key["gender"]] = figures
        by[dimension] = sorted(rows.values(), key=lambda row: row.name.casefold())
    return GrantedSection(total, by)


def dashboard(
    user: User,
    scope: Scope,
    period: Period,
    today: datetime.date | None = None,
    *,
    with_granted: bool = True,
):
    """Every figure of the dashboard: twelve queries (eleven for a provider's manager),
    whatever the number of clients; nine (eight) without the granted hours, which the page
    loads in a request of its own. The granted hours are the ordering unit's only
    (`granted_for`)."""
    today = today or timezone.localdate()
    with_granted = with_granted and granted_for(scope)
    return Dashboard(
        period=period,
        scope=scope,
        plans=plan_section(user, scope, period, today),
        time=time_section(user, scope, period),
        reviews=review_section(user, scope, today),
        quality=quality_section(user, scope, period),
        complaints=complaint_section(user, scope, period, today),
        continuity=continuity_section(user, scope, period),
        granted=granted_section(user, scope, period) if with_granted else None,
    )


# ---------------------------------------------------------------------------------------------
# The rows behind a figure


def figure_rows(
    user: User,
    scope: Scope,
    figure: Figure,
    period: Period,
    *,
    provider: int | None = None,
    officer: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet:
    """The rows a figure counts (orders, time results, reviews or complaints, each with its
    client), by client name: the same facts and the same condition as the figure."""
    today = today or timezone.localdate()
    by_name = ("client__last_name", "client__first_name", "client_id", "pk")
    if figure.source == "plans":
        facts = plan_facts(user, scope, period, today)
        rows = _rows_behind(Order, facts, PLAN_SQL[figure.name], provider, officer)
        return rows.select_related("client", "provider", "ordered_by").order_by(*by_name)
    if figure.source == "time":
        facts = time_facts(user, scope, period)
        rows = _rows_behind(MonthlyTimeResult, facts, TIME_SQL[figure.name], provider, officer)
        return rows.select_related("client", "provider", "order__ordered_by").order_by(
            *by_name[:2], "month", *by_name[2:]
        )
    if figure.source == "reviews":
        if not scope.units:
            raise LookupError(figure.name)
        facts = review_facts(user, scope, today)
        rows = _rows_behind(IndividualReview, facts, REVIEW_SQL[figure.name], provider, officer)
        return rows.select_related(
            "client", "client__responsible_officer", "order__provider"
        ).order_by(*by_name)
    if figure.source == "quality":
        facts = quality_facts(user, scope, period)
        rows = _rows_behind(Order, facts, QUALITY_SQL[figure.name], provider, officer)
        return rows.select_related("client", "provider", "ordered_by").order_by(*by_name)
    if figure.source == "continuity":
        # continuity_figures' clients over the goal: a client once, at her highest month.
        rows = scope.time_results(user).filter(
            month__gte=period.first,
            month__lte=period.last,
            continuity_staff__gt=F("client__municipality__continuity_goal"),
        )
        if provider is not None:
            rows = rows.filter(provider_id=provider)
        if officer is not None:
            rows = rows.filter(order__ordered_by_id=officer)
        return rows.order_by(*by_name[:3], "-continuity_staff", "pk").distinct(*by_name[:3])
    if figure.source == "granted":
        if not granted_for(scope):
            raise LookupError(figure.name)
        # granted_hours' clients: an issued order in force on a day of the period with an
        # intervention that has time; a client once, at her first such order.
        timed = OrderedIntervention.objects.filter(
            order=OuterRef("pk"), occasions__isnull=False, minutes__gt=0
        )
        rows = (
            scope.orders(user)
            .filter(valid_from__lte=period.end, client__gender=figure.name)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
            .filter(Exists(timed))
            .select_related("client", "provider", "ordered_by")
        )
        if provider is not None:
            rows = rows.filter(provider_id=provider)
        if officer is not None:
            rows = rows.filter(ordered_by_id=officer)
        return rows.order_by(*by_name[:3], "valid_from", "pk").distinct(*by_name[:3])
    # Complaints: complaint_figures' own conditions, on the same scope.
    if officer is not None:
        raise LookupError(officer)  # complaints have no officer
    conditions = {
        "received": Q(),
        "late": complaints.late_q(today),
        "open": complaints.open_q(),
    }
    rows = scope.complaints(user).filter(
        conditions[figure.name], received_on__gte=period.start, received_on__lte=period.end
    )
    if provider is not None:
        rows = rows.filter(provider_id=provider)
    return rows.order_by(*by_name)
