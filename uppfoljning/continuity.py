"""Staff continuity (personalkontinuitet), 003: how many different staff a client meets in two
weeks. Stockholm's goal is at most ten in any 14-day window (Municipality.continuity_goal).

For a month, every 14-day window that ends on a day of the month is counted: the window ending
on day d holds the days d-13 … d, so the first windows reach 13 days back into the previous
month (and its partition). Only performed visits count (status `performed`); a declined or
absent visit met nobody. A staff member is the provider's pseudonymous code *at that provider*
(two providers' systems may use the same code for different people): for the officer a client
who changes provider mid-window meets both providers' staff, which is what the client lives
through; a provider counts only its own staff.

How it is counted, in one SQL statement, without joining each visit to the 14 windows it lies in
(2.5 M visits × 14 windows would be 35 M rows to hash for a Stockholm month):

1. The month's visits and the 13 days before, sorted once by client, provider, staff and day.
2. With lag/lead over that order, a staff member's visits at a client form runs in which the next
   visit comes at most 14 days after the previous one. A visit on day v is in the windows ending
   on v … v+13, so a run from day a to day b is in exactly the windows ending on a … b+13. Each
   run gives two events: +1 on day a and -1 on day b+14 (rows inside a run give none).
3. Per client, the running sum of the events by day is the number of different staff in the
   window ending that day; its largest value in the month, and the first day it is reached, is
   the answer.

Cost: one scan of the month's partition and the last 13 days of the previous one (≈ 3 M rows at
Stockholm's size), one sort of those rows, and a small sum over the events (a few per client
and staff member). README "Staff continuity" has the figures.

The monthly check stores each order's figure (its provider's staff) on its result rows for the
whole municipality at once (`store_sql`, by a bitmask of days per staff member, without the
sort); the dashboard and the liaison pack read them through `continuity_figures`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Concat

from ramtid.models import Client, Municipality, User
from uppfoljning import permissions
from uppfoljning.choices import VisitStatus
from uppfoljning.complaints import Median
from uppfoljning.models import MonthlyTimeResult, PerformedVisit
from uppfoljning.partitions import first_of_month, next_month

WINDOW_DAYS = 14
PAGE_SIZE = 50


@dataclass(frozen=True)
class Continuity:
    """A client's busiest 14-day window ending in the month: its number of different staff and
    its dates (the first such window when several have the same number)."""

    client_id: int
    staff: int
    window_start: datetime.date
    window_end: datetime.date
    goal: int

    @property
    def over_goal(self) -> bool:
        return self.staff > self.goal


@dataclass
class ContinuityPage:
    """One page of the clients over the goal in a month, the worst first, and their number."""

    rows: list[Continuity]
    total: int
    number: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _bounds(month: datetime.date) -> dict:
    """The month's first and last day, and the visits to read: from local midnight 13 days
    before the month to local midnight after it, in the month's and the previous partition."""
    first = first_of_month(month)
    following = next_month(first)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    read_from = first - datetime.timedelta(days=WINDOW_DAYS - 1)
    return {
        "first": first,
        "last": following - datetime.timedelta(days=1),
        "months": [first_of_month(read_from), first],
        "read_from": datetime.datetime.combine(read_from, datetime.time(), zone),
        "read_to": datetime.datetime.combine(following, datetime.time(), zone),
        "tz": settings.TIME_ZONE,
        "performed": VisitStatus.PERFORMED.value,
        "gap": WINDOW_DAYS,
    }


# The peaks per client: (client_id, staff, window_end). `{scope}` is a condition on the visits
# `v` built from constants in this module (never from input); its values are parameters.
#
# Each CTE is read once, so PostgreSQL inlines them into one plan (nothing is materialised).
# Events before the month are moved to its first day: only the windows ending in the month are
# asked about, and the count on the first day is the sum of everything before it. The staff code
# is sorted byte-wise (COLLATE "C"): only equality matters, and a locale's collation is slower.
_PEAKS = """
WITH runs AS (
    SELECT v.client_id, d.day,
           d.day - lag(d.day) OVER w AS gap_before,
           lead(d.day) OVER w - d.day AS gap_after
    FROM {visits} v
    CROSS JOIN LATERAL (SELECT (v.start AT TIME ZONE %(tz)s)::date AS day) d
    WHERE v.month = ANY(%(months)s::date[]) AND v.status = %(performed)s
      AND v.start >= %(read_from)s AND v.start < %(read_to)s AND ({scope})
    WINDOW w AS (PARTITION BY v.client_id, v.provider_id, v.staff COLLATE "C" ORDER BY d.day)
), events AS (
    SELECT r.client_id, GREATEST(e.at, %(first)s::date) AS at, e.delta
    FROM runs r
    CROSS JOIN LATERAL (
        VALUES (r.day, 1, r.gap_before), (r.day + %(gap)s, -1, r.gap_after)
    ) e (at, delta, gap)
    WHERE (r.gap_before IS NULL OR r.gap_before > %(gap)s
           OR r.gap_after IS NULL OR r.gap_after > %(gap)s)
      AND (e.gap IS NULL OR e.gap > %(gap)s) AND e.at <= %(last)s
), counts AS (
    -- The default frame (RANGE … CURRENT ROW) takes in every event of the same day.
    SELECT client_id, at, sum(delta) OVER (PARTITION BY client_id ORDER BY at) AS staff
    FROM events
), peaks AS (
    SELECT DISTINCT ON (client_id) client_id, staff::int AS staff, at AS window_end
    FROM counts
    ORDER BY client_id, staff DESC, at
)
"""


def _scope(user: User) -> tuple[str, dict]:
    """Which visits the user's figures count: the officer's and the unit manager's the visits of
    their units' clients (all providers), a provider's only its own visits. Nothing otherwise."""
    conditions, params = [], {}
    unit_ids = permissions.continuity_unit_ids(user)
    if unit_ids:
        conditions.append(
            "v.client_id IN (SELECT id FROM {clients} WHERE ordering_unit_id = ANY(%(units)s))"
        )
        params["units"] = sorted(unit_ids)
    provider_ids = permissions.continuity_provider_ids(user)
    if provider_ids:
        conditions.append("v.provider_id = ANY(%(providers)s)")
        params["providers"] = sorted(provider_ids)
    return (" OR ".join(conditions) or "FALSE"), params


def _query(scope: str, tail: str) -> str:
    tables = {
        "visits": PerformedVisit._meta.db_table,
        "clients": Client._meta.db_table,
        "municipalities": Municipality._meta.db_table,
    }
    return _PEAKS.format(scope=scope.format(**tables), **tables) + tail.format(**tables)


# The monthly check's figures (uppfoljning.monthly.store_continuity), per result row, i.e. per
# order (client and provider), the provider's own staff, for all the municipality's rows at once.
# The same count as _PEAKS (and tested equal to continuity_for_client), by another route that
# needs no sort of the visits, so that the step after the check stays cheap at Stockholm's size:
#
# 1. Each staff member's visits at a client (per provider) become one bigint, a bit per day
#    she came: bit i is the i-th day from 13 days before the month (at most 31 + 13 = 44 days).
#    A hash aggregate (bit_or) over the month's visits, which PostgreSQL runs in parallel.
# 2. Spread each bit over the 13 days after it (four shifts): bit i of the result is then set
#    when she came on one of the days i-13 … i, i.e. she is in the window ending on day i.
# 3. Per client and provider, for each day of the month, count the staff whose bit is set; the
#    largest count, and the first day it is reached, is the answer.
#
# The statement returns the result rows to write and their figures (store_write_sql writes
# them): only the rows the check may still change, open ones and those this transaction's check
# wrote (a row the check froze, or created frozen, just now has checked_at = now(), the
# transaction's time), and of those only the rows whose figures changed. A row without performed
# visits gets null. `{day_counts}` is built here from the month's length.
_STORE_SQL = """
WITH staff AS (
    SELECT v.client_id, v.provider_id,
           bit_or(1::bigint << ((v.start AT TIME ZONE %(tz)s)::date - %(read_from_day)s)) AS seen
    FROM {visits} v
    WHERE v.month = ANY(%(months)s::date[]) AND v.status = %(performed)s
      AND v.start >= %(read_from)s AND v.start < %(read_to)s
      AND v.client_id IN (SELECT id FROM {clients} WHERE municipality_id = %(municipality)s)
    GROUP BY v.client_id, v.provider_id, v.staff COLLATE "C"
), spread AS (
    SELECT client_id, provider_id, s3 | (s3 << 6) AS windows
    FROM staff
    CROSS JOIN LATERAL (SELECT seen | (seen << 1) AS s1) a
    CROSS JOIN LATERAL (SELECT s1 | (s1 << 2) AS s2) b
    CROSS JOIN LATERAL (SELECT s2 | (s2 << 4) AS s3) c
), per_day AS (
    SELECT client_id, provider_id, ARRAY[{day_counts}]::int[] AS staff_on
    FROM spread
    GROUP BY client_id, provider_id
), peaks AS (
    SELECT client_id, provider_id, top.staff,
           %(first)s::date + array_position(staff_on, top.staff) - 1 AS window_end
    FROM per_day
    CROSS JOIN LATERAL (SELECT max(n) AS staff FROM unnest(staff_on) n) top
), measured AS (
    SELECT r.id, p.staff, p.window_end
    FROM {results} r
    JOIN {clients} c ON c.id = r.client_id
    LEFT JOIN peaks p ON p.client_id = r.client_id AND p.provider_id = r.provider_id
    WHERE r.month = %(first)s AND c.municipality_id = %(municipality)s
      AND (r.frozen_at IS NULL OR r.checked_at = now())
      AND (r.continuity_staff IS DISTINCT FROM p.staff
           OR r.continuity_window_end IS DISTINCT FROM p.window_end)
)
SELECT id, staff, window_end FROM measured
"""

# The rows `_STORE_SQL` found, written by id in one statement. Reading and writing apart lets
# PostgreSQL read the visits in parallel, which it never does inside an UPDATE (its parallel
# workers cannot write): at Stockholm's size the read is most of the cost.
_STORE_WRITE_SQL = """
UPDATE {results} r
SET continuity_staff = w.staff, continuity_window_end = w.window_end
FROM unnest(%(ids)s::bigint[], %(staff)s::int[], %(ends)s::date[]) AS w (id, staff, window_end)
WHERE r.id = w.id
"""


def store_write_sql() -> str:
    """The statement that writes the rows `store_sql` found: parameters `ids`, `staff` and
    `ends`, three lists in the same order."""
    return _STORE_WRITE_SQL.format(results=MonthlyTimeResult._meta.db_table)


def store_sql(municipality_id: int, month: datetime.date) -> tuple[str, dict]:
    """The statement that finds the municipality's result rows of `month` whose
    `continuity_staff` and `continuity_window_end` are to be written, with their figures, and its
    parameters (run by uppfoljning.monthly, which writes them with store_write_sql)."""
    bounds = _bounds(month)
    days = (bounds["last"] - bounds["first"]).days + 1
    # The window ending on the month's day j (0, 1, …) is bit j + 13 of `windows`.
    day_counts = ", ".join(
        f"count(*) FILTER (WHERE windows & {1 << (day + WINDOW_DAYS - 1)}::bigint <> 0)"
        for day in range(days)
    )
    sql = _STORE_SQL.format(
        visits=PerformedVisit._meta.db_table,
        clients=Client._meta.db_table,
        results=MonthlyTimeResult._meta.db_table,
        day_counts=day_counts,
    )
    read_from_day = bounds["first"] - datetime.timedelta(days=WINDOW_DAYS - 1)
    return sql, {**bounds, "municipality": municipality_id, "read_from_day": read_from_day}


def continuity_for_client(
    client: Client, month: datetime.date, *, provider_ids: set[int] | None = None
) -> Continuity | None:
    """The client's busiest 14-day window ending in `month`; None without performed visits in
    the month or the 13 days before it. `provider_ids` narrows to those providers' staff (what
    a provider sees). Reads the client's visits through the index on (client, start)."""
    params = {**_bounds(month), "client": client.pk}
    scope = "v.client_id = %(client)s"
    if provider_ids is not None:
        scope += " AND v.provider_id = ANY(%(providers)s)"
        params["providers"] = sorted(provider_ids)
    sql = _query(scope, "SELECT client_id, staff, window_end FROM peaks")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    _client_id, staff, end = row
    return Continuity(
        client_id=client.pk,
        staff=staff,
        window_start=end - datetime.timedelta(days=WINDOW_DAYS - 1),
        window_end=end,
        goal=client.municipality.continuity_goal,
    )


_OVER_GOAL = """
SELECT p.client_id, p.staff, p.window_end, m.continuity_goal, count(*) OVER () AS total
FROM peaks p
JOIN {clients} c ON c.id = p.client_id
JOIN {municipalities} m ON m.id = c.municipality_id
WHERE p.staff > m.continuity_goal
ORDER BY p.staff DESC, p.window_end, p.client_id
LIMIT %(limit)s OFFSET %(offset)s
"""


def clients_over_goal(
    user: User, month: datetime.date, *, page: int = 1, per_page: int = PAGE_SIZE
) -> ContinuityPage:
    """The clients the user follows whose busiest window in `month` had more different staff
    than their municipality's goal, the most staff first, one page of them and their number:
    counted, ordered and cut in one SQL statement."""
    scope, scope_params = _scope(user)
    page = max(1, page)
    params = {
        **_bounds(month),
        **scope_params,
        "limit": per_page,
        "offset": (page - 1) * per_page,
    }
    with connection.cursor() as cursor:
        cursor.execute(_query(scope, _OVER_GOAL), params)
        fetched = cursor.fetchall()
    if not fetched and page > 1:
        # A page past the end (the list shrank, or a hand-made address): the last page.
        total = _count_over_goal(scope, params)
        last = max(1, -(-total // per_page))
        if last < page:
            return clients_over_goal(user, month, page=last, per_page=per_page)
    rows = [
        Continuity(
            client_id=client_id,
            staff=staff,
            window_start=end - datetime.timedelta(days=WINDOW_DAYS - 1),
            window_end=end,
            goal=goal,
        )
        for client_id, staff, end, goal, _total in fetched
    ]
    total = fetched[0][4] if fetched else 0
    return ContinuityPage(rows=rows, total=total, number=page, per_page=per_page)


def _count_over_goal(scope: str, params: dict) -> int:
    sql = _query(
        scope,
        "SELECT count(*) FROM peaks p JOIN {clients} c ON c.id = p.client_id "
        "JOIN {municipalities} m ON m.id = c.municipality_id WHERE p.staff > m.continuity_goal",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------------
# Figures for the dashboard and the liaison pack, from the monthly check's stored rows

FIGURE_GROUPS = {
    "provider": ("provider", "provider__name"),
    "ordering_unit": ("ordering_unit", "ordering_unit__name"),
    "officer": ("officer", "officer_name"),
    "month": ("month",),
}


@dataclass(frozen=True)
class ContinuityFigures:
    """One group's staff continuity in the result rows given. `key` holds the group's values
    ({"provider": 3, "provider__name": "Lindgårdens Omsorg AB"}, {"officer": 7, "officer_name":
    "Anna Berg"}, {"month": date(2026, 11, 1)}, {} for the total)."""

    key: dict
    rows: int  # result rows (orders × months) in the group
    rows_measured: int  # of which with performed visits (continuity_staff not null)
    clients_measured: int  # different clients among the measured rows
    clients_over_goal: int  # different clients with a measured row above their goal
    median_staff: float | None  # median continuity_staff of the measured rows
    max_staff: int | None

    @property
    def share_over_goal(self) -> float | None:
        """Clients over the goal as a share of the clients measured (0–1), None if none."""
        return self.clients_over_goal / self.clients_measured if self.clients_measured else None


def continuity_figures(
    results: QuerySet[MonthlyTimeResult], *, group_by: Sequence[str] = ()
) -> list[ContinuityFigures]:
    """Staff continuity as the monthly check stored it on `results` (already scoped to the user
    and filtered to the period by the caller), per group, in one query.

    Groups (FIGURE_GROUPS), any combination in this order of keys: "provider", "ordering_unit",
    "officer" (the officer who wrote the order, Order.ordered_by, as on the dashboard), "month";
    none gives one row for the total. A group with no result rows has no row.

    Each result row is one order and month, and its figure counts the staff of the order's
    provider only (`continuity_staff`, null without performed visits). Per group:

    - rows, rows_measured: the result rows, and those with a figure;
    - clients_measured: the different clients among the measured rows (a client with two
      providers, or measured in several months, counts once per group);
    - clients_over_goal: the different clients with at least one measured row above their
      municipality's goal (`Municipality.continuity_goal`; the goal itself is not over it);
    - median_staff, max_staff: of `continuity_staff` over the measured rows (null if none).

    A frozen row keeps the figure of the check that froze it; rows checked before continuity was
    stored (uppfoljning 0006) and then frozen have none and count as not measured.
    """
    fields = [name for group in group_by for name in FIGURE_GROUPS[group]]
    queryset = results.order_by()
    if "officer" in group_by:
        queryset = queryset.annotate(
            officer=F("order__ordered_by"),
            officer_name=Concat(
                "order__ordered_by__first_name",
                Value(" "),
                "order__ordered_by__last_name",
                output_field=CharField(),
            ),
        )
    measured = Q(continuity_staff__isnull=False)
    aggregates = {
        "rows": Count("pk"),
        "rows_measured": Count("pk", filter=measured),
        "clients_measured": Count("client", distinct=True, filter=measured),
        "clients_over_goal": Count(
            "client",
            distinct=True,
            filter=Q(continuity_staff__gt=F("client__municipality__continuity_goal")),
        ),
        "median_staff": Median("continuity_staff", filter=measured),
        "max_staff": Max("continuity_staff"),
    }
    if fields:
        rows = list(queryset.values(*fields).annotate(**aggregates).order_by(*fields))
    else:
        rows = [queryset.aggregate(**aggregates)]
    counts = ("rows", "rows_measured", "clients_measured", "clients_over_goal")
    return [
        ContinuityFigures(
            key={name: row[name] for name in fields},
            median_staff=row["median_staff"],
            max_staff=row["max_staff"],
            **{name: row[name] for name in counts},
        )
        for row in rows
        if row["rows"]
    ]
