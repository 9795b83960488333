"""Granted hours for equality statistics (003: "jämställda biståndsbeslut"; DOMAIN.md §6: compare
the hours granted to women and men), per gender, intervention category and officer.

What is counted, and why. A gender-equality review asks whether women and men with like needs
are granted like help: the figure to compare is the time a client is granted per month, in
total and per kind of help. The hours are the orders' ordered time (beställd tid: what the
decision grants, broken down into interventions, 004 §2.4), because only the order says how
much of the time is personal care and how much service; the decision's frame has no such
split. Each ordered intervention's minutes per month are computed as the order page computes
them (bestallning.ordered_time: frequency × time per occasion, double staffing twice, converted
with the client's municipality's days and weeks per month, rounded half up once per
intervention), so an order's parts add up to its total and the categories to the whole.

Over a period the figures are averaged by the days each order was in force in it, rather than
taken on one day: a review of a year must count the client whose help ended in March, and a
client helped for a month of the year must weigh a twelfth of one helped all year:

- clients: the different clients with an order in force on at least one day of the period (with
  an intervention of the group's category, when grouped by category);
- hours_per_month: the group's granted hours per month, averaged over the period:
  Σ (an order's minutes per month × its days in force in the period) ÷ the period's days ÷ 60.
  For a period in which nothing changed it is simply the sum of the orders' monthly hours;
- mean_per_client: the hours per month of a client while she had an order in force:
  Σ (minutes per month × days in force) ÷ Σ (each client's days with an order in force) ÷ 60.
  This, not hours_per_month ÷ clients, is the figure to compare between women and men: it is
  not lowered for a group whose clients came and went during the period;
- average_clients: the clients in force on an average day of the period (client days ÷ days).

A client with orders at two providers at once gets both orders' hours, her days counted once; a
change order mid-period continues the days of the order it supersedes. Orders count when issued
(sent, received, executed, superseded or ended: bestallning.states.ISSUED), never drafts.
"Officer" is the officer who wrote the order (Order.ordered_by), as on the managers' dashboard.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from bestallning.choices import Period
from bestallning.models import Order, OrderedIntervention
from bestallning.states import ISSUED_STATUSES
from ramtid.models import Client, InterventionType, Municipality, User

# group → (the key's names, their SQL over the rows of `parts` below)
GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "gender": (("gender", "p.gender"),),
    "category": (("category", "p.category"),),
    "officer": (("officer", "p.officer"), ("officer_name", "p.officer_name")),
}


@dataclass(frozen=True)
class GrantedHours:
    """One group's granted hours in the period. `key` holds the group's values ({"gender":
    "female"}, {"category": "personal_care"}, {"officer": 7, "officer_name": "Anna Berg"}, {}
    for the total)."""

    key: dict
    clients: int
    hours_per_month: float
    mean_per_client: float
    average_clients: float


# One statement. `parts`: each ordered intervention of an order in force in the period, with its
# minutes per month (ordered_time.exact_minutes_per_month, rounded half up: numeric arithmetic is
# exact here, the division last) and the order's days in the period. `per_client`: per group and
# client, minutes × days and the days covered (the union of the orders' days, range_agg).
_SQL = """
WITH chosen AS (
    SELECT o.id, o.client_id, c.gender, o.ordered_by_id AS officer,
           concat_ws(' ', u.first_name, u.last_name) AS officer_name,
           daterange(GREATEST(o.valid_from, %(start)s), LEAST(COALESCE(o.valid_to, %(end)s),
                     %(end)s), '[]') AS days,
           m.days_per_month, m.weeks_per_month
    FROM {orders} o
    JOIN {clients} c ON c.id = o.client_id
    JOIN {municipalities} m ON m.id = c.municipality_id
    JOIN {users} u ON u.id = o.ordered_by_id
    WHERE o.id IN ({scoped})
      AND o.status = ANY(%(issued)s)
      AND o.valid_from <= %(end)s AND (o.valid_to IS NULL OR o.valid_to >= %(start)s)
), parts AS (
    SELECT ch.*, t.category,
           floor(
               i.minutes * (CASE WHEN i.double_staffing THEN 2 ELSE 1 END) * i.occasions
               * CASE i.period
                     WHEN %(per_day)s THEN ch.days_per_month * COALESCE(NULLIF(
                         (SELECT count(DISTINCT d) FROM unnest(i.weekdays) d), 0), 7) / 7
                     WHEN %(per_week)s THEN ch.weeks_per_month
                     ELSE ch.weeks_per_month / i.every_n_weeks
                 END
               + 0.5
           )::bigint AS minutes
    FROM chosen ch
    JOIN {interventions} i ON i.order_id = ch.id
    JOIN {types} t ON t.id = i.intervention_type_id
    WHERE i.occasions IS NOT NULL AND i.minutes > 0
), per_client AS (
    SELECT {select_keys} p.client_id,
           sum(p.minutes * (upper(p.days) - lower(p.days))) AS minute_days,
           range_agg(p.days) AS covered
    FROM parts p
    GROUP BY {group_keys} p.client_id
)
SELECT {outer_keys} count(*) AS clients,
       COALESCE(sum(minute_days), 0) AS minute_days,
       COALESCE(sum((SELECT sum(upper(r) - lower(r)) FROM unnest(covered) r)), 0) AS client_days
FROM per_client
{outer_group}
"""


def granted_hours(
    orders: QuerySet[Order],
    *,
    start: datetime.date,
    end: datetime.date,
    group_by: Sequence[str] = (),
) -> list[GrantedHours]:
    """Granted hours per month of `orders` (a selector's, already scoped to the user) in force
    from `start` to `end` inclusive, per group (GROUPS: "gender", "category", "officer", any
    combination in that order of keys; none: one row for the total), in one query whatever
    their number. What is counted: this module's docstring. A group without clients has no
    row; rows come ordered by their key."""
    if end < start:
        raise ValueError("end before start")
    keys = [pair for group in group_by for pair in GROUPS[group]]
    names = [name for name, _sql in keys]
    try:
        scoped_sql, scoped_params = orders.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none(): a user who sees no orders
        return []
    sql = _SQL.format(
        orders=Order._meta.db_table,
        clients=Client._meta.db_table,
        municipalities=Municipality._meta.db_table,
        users=User._meta.db_table,
        interventions=OrderedIntervention._meta.db_table,
        types=InterventionType._meta.db_table,
        # The scoped queryset's own SQL, its %s placeholders made named ones below.
        scoped=_named(scoped_sql, len(scoped_params)),
        select_keys="".join(f"{expression} AS {name}, " for name, expression in keys),
        group_keys="".join(f"{expression}, " for _name, expression in keys),
        outer_keys="".join(f"{name}, " for name in names),
        outer_group=(f"GROUP BY {', '.join(names)} ORDER BY {', '.join(names)}" if names else ""),
    )
    params = {
        "start": start,
        "end": end,
        "issued": list(ISSUED_STATUSES),
        "per_day": Period.PER_DAY.value,
        "per_week": Period.PER_WEEK.value,
        **{f"scoped_{index}": value for index, value in enumerate(scoped_params)},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    days = (end - start).days + 1
    figures = []
    for row in rows:
        *values, clients, minute_days, client_days = row
        if not clients:
            continue
        figures.append(
            GrantedHours(
                key=dict(zip(names, values, strict=True)),
                clients=clients,
                hours_per_month=float(minute_days) / days / 60,
                mean_per_client=float(minute_days) / float(client_days) / 60,
                average_clients=float(client_days) / days,
            )
        )
    return figures


def _named(sql: str, count: int) -> str:
    """A compiled queryset's SQL with its positional placeholders (%s) as %(scoped_0)s …, and
    literal percent signs kept, so that it can sit in a statement with named parameters."""
    parts = sql.replace("%%", "\0").split("%s")
    if len(parts) != count + 1:
        raise ValueError("unexpected placeholders in the scoped queryset")
    named = parts[0]
    for index, part in enumerate(parts[1:]):
        named += f"%(scoped_{index})s{part}"
    return named.replace("\0", "%%")
