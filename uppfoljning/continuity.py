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
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from ramtid.models import Client, Municipality, User
from uppfoljning import permissions
from uppfoljning.choices import VisitStatus
from uppfoljning.models import PerformedVisit
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
