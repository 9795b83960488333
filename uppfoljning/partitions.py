"""The visits table's monthly partitions (PostgreSQL declarative partitioning).

`uppfoljning_performedvisit` is partitioned by range on `month`; each calendar month is its own
table, `uppfoljning_performedvisit_YYYYMM`, made when the first visit of that month is imported.
The monthly check reads one partition; removing a month past its retention period is a DROP of
one table, not a DELETE of millions of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

PARENT = "uppfoljning_performedvisit"


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{PARENT}_{month:%Y%m}"


def ensure_month_partitions(months: Iterable[datetime.date]) -> list[str]:
    """Create the partitions of these months that do not exist yet; returns the names created.

    Only the owner of the visits table may attach a partition to it, and the application runs as
    a role that owns nothing (ramtid/database_roles.py): it asks the owner's SECURITY DEFINER
    function `ramtid_ensure_visit_partition`, which takes a transaction-level advisory lock so
    that two imports meeting here create each month once. Call it inside the import's
    transaction.
    """
    wanted = sorted({first_of_month(m) for m in months})
    created = []
    with connection.cursor() as cursor:
        for month in wanted:
            cursor.execute("SELECT ramtid_ensure_visit_partition(%s)", [month])
            if cursor.fetchone()[0]:
                created.append(partition_name(month))
    return created


def month_partitions() -> list[tuple[datetime.date, str]]:
    """The months that have a partition, oldest first, with the partition's name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    return [(datetime.date(int(n[-6:-2]), int(n[-2:]), 1), n) for n in names if n[-6:].isdigit()]
