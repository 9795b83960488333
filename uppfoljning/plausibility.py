"""Plausibility of the visits (issue 9 §1): flags, never rejections. Computed in SQL when read,
from the visits table's indexes (visit_client_start, visit_staff_start), so nothing is stored
that an import would have to keep up to date.

- `overlap`: the same staff code registered at two clients at overlapping times (the provider's
  staff codes are the provider's own, so only its visits are compared).
- `long`: a visit longer than four hours.
- `absent_day`: a visit performed on a day the client was recorded absent (a `frånvaro` visit
  that day).

Only performed visits are flagged: a declined or absent visit is a registration of time not
spent, which is neither too long nor at two places at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ramtid.formatting import hhmm
from uppfoljning.choices import VisitStatus
from uppfoljning.models import PerformedVisit
from uppfoljning.partitions import next_month

LONG_MINUTES = 4 * 60
# A visit is at most 16 hours (the import refuses longer ones): an overlapping visit of the same
# staff member starts at most this long before the one it overlaps.
MAX_VISIT = datetime.timedelta(hours=16)
PROVIDER_LIST_LIMIT = 200

OVERLAP, LONG, ABSENT_DAY = "overlap", "long", "absent_day"


@dataclass(frozen=True)
class Flag:
    kind: str
    external_id: str
    start: datetime.datetime
    end: datetime.datetime
    staff: str
    minutes: int
    client_id: int

    @property
    def message(self) -> str:
        if self.kind == OVERLAP:
            return _("Personalen %(staff)s var registrerad hos en annan brukare samtidigt.") % {
                "staff": self.staff
            }
        if self.kind == LONG:
            return _("Besöket är längre än fyra timmar (%(length)s).") % {
                "length": hhmm(self.minutes)
            }
        return _("Utfört besök en dag då brukaren var registrerad som frånvarande.")


def _previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


# The visits of one client and month the reader sees (all, or only some providers'), each with
# the flags it raises. The overlap probes visit_staff_start for each of the client's visits (a few
# hundred a month); the other months' partitions are named so the probe prunes to three.
_CLIENT_SQL = """
WITH mine AS (
    SELECT provider_id, month, external_id, client_id, start, "end", minutes, staff, status
    FROM uppfoljning_performedvisit
    WHERE client_id = %(client)s AND month = %(month)s
      AND (%(all_providers)s OR provider_id = ANY(%(providers)s))
)
SELECT f.kind, m.external_id, m.start, m."end", m.staff, m.minutes, m.client_id
FROM mine m
CROSS JOIN LATERAL (VALUES
    ('overlap', EXISTS (
        SELECT 1 FROM uppfoljning_performedvisit o
        WHERE o.provider_id = m.provider_id AND o.staff = m.staff
          AND o.start > m.start - %(max_visit)s AND o.start < m."end" AND o."end" > m.start
          AND o.client_id <> m.client_id AND o.status = 'performed'
          AND o.month IN (%(previous)s, %(month)s, %(next)s))),
    ('long', m.minutes > %(long)s),
    ('absent_day', EXISTS (
        SELECT 1 FROM mine a
        WHERE a.status = 'absent'
          AND (a.start AT TIME ZONE %(tz)s)::date = (m.start AT TIME ZONE %(tz)s)::date))
) AS f (kind, raised)
WHERE m.status = 'performed' AND f.raised
ORDER BY m.start, m.external_id, f.kind
"""


def client_month_flags(
    *, client_id: int, month: datetime.date, provider_ids: set[int] | None
) -> list[Flag]:
    """The flags of a client's month; `provider_ids` None for all providers' visits (the
    officer), else only those providers' (a provider sees its own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CLIENT_SQL,
            {
                "client": client_id,
                "month": month,
                "previous": _previous_month(month),
                "next": next_month(month),
                "all_providers": provider_ids is None,
                "providers": sorted(provider_ids or []),
                "max_visit": MAX_VISIT,
                "long": LONG_MINUTES,
                "tz": settings.TIME_ZONE,
            },
        )
        return [Flag(*row) for row in cursor.fetchall()]


# A provider's month, bounded: the first flags by start, and how many there are. The overlap
# here compares each visit with the staff member's visits before it (one ordered pass over
# visit_staff_start, not a join of the month with itself): a visit is flagged when it starts
# before the latest end so far and the visit just before it was at another client.
_PROVIDER_SQL = """
WITH month_visits AS (
    SELECT external_id, client_id, start, "end", minutes, staff, status
    FROM uppfoljning_performedvisit
    WHERE provider_id = %(provider)s AND month = %(month)s
),
performed AS (SELECT * FROM month_visits WHERE status = 'performed'),
ordered AS (
    SELECT p.*,
           max(p."end") OVER w AS latest_end,
           lag(p.client_id) OVER (PARTITION BY p.staff ORDER BY p.start, p.external_id)
               AS previous_client
    FROM performed p
    WINDOW w AS (PARTITION BY p.staff ORDER BY p.start, p.external_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
absent_days AS (
    SELECT DISTINCT client_id, (start AT TIME ZONE %(tz)s)::date AS day
    FROM month_visits WHERE status = 'absent'
),
flags AS (
    SELECT 'overlap' AS kind, external_id, start, "end", staff, minutes, client_id FROM ordered
    WHERE latest_end > start AND previous_client <> client_id
    UNION ALL
    SELECT 'long', external_id, start, "end", staff, minutes, client_id FROM performed
    WHERE minutes > %(long)s
    UNION ALL
    SELECT 'absent_day', p.external_id, p.start, p."end", p.staff, p.minutes, p.client_id
    FROM performed p
    JOIN absent_days a ON a.client_id = p.client_id
        AND a.day = (p.start AT TIME ZONE %(tz)s)::date
)
SELECT kind, external_id, start, "end", staff, minutes, client_id, count(*) OVER ()
FROM flags ORDER BY start, external_id, kind LIMIT %(limit)s
"""


def provider_month_flags(
    *, provider_id: int, month: datetime.date, limit: int = PROVIDER_LIST_LIMIT
) -> tuple[list[Flag], int]:
    """The first `limit` flags of a provider's month, by start, and their total."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PROVIDER_SQL,
            {
                "provider": provider_id,
                "month": month,
                "long": LONG_MINUTES,
                "tz": settings.TIME_ZONE,
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    total = rows[0][-1] if rows else 0
    return [Flag(*row[:-1]) for row in rows], total


def month_totals(*, client_id: int, month: datetime.date, provider_ids: set[int] | None) -> dict:
    """Minutes and visits of a client's month by status, for the visits the reader sees."""
    visits = PerformedVisit.objects.filter(client_id=client_id, month=month)
    if provider_ids is not None:
        visits = visits.filter(provider_id__in=provider_ids)
    rows = visits.values("status").annotate(minutes=Sum("minutes"), visits=Count("external_id"))
    totals = {s.value: {"minutes": 0, "visits": 0, "label": s.label} for s in VisitStatus}
    for row in rows:
        totals[row["status"]].update(minutes=row["minutes"], visits=row["visits"])
    return totals
