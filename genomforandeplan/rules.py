"""Pure rules for implementation plans: the coverage check against the order, deadlines and the
readable difference between two versions. No database here."""

from __future__ import annotations

import calendar
import datetime
import difflib
from dataclasses import dataclass

from genomforandeplan.choices import DeadlineStatus

# ---------------------------------------------------------------------------------------------
# Coverage: does the plan carry what the order orders, and nothing it does not? (002)


@dataclass(frozen=True)
class Item:
    """An ordered or planned intervention, as the coverage check compares them."""

    type_id: int
    name: str
    period: str
    occasions: int | None
    every_n_weeks: int = 1

    def frequency_key(self) -> tuple:
        return (self.period, self.occasions, self.every_n_weeks if self.period == "every_n_weeks"
                else 1)  # fmt: skip


@dataclass(frozen=True)
class Gap:
    """One difference between plan and order. `key` is stable, so a reason given for it is kept
    while the gap remains, and is not asked for again."""

    key: str
    kind: str
    message: str


MISSING = "missing"
EXTRA = "extra"
FREQUENCY = "frequency"
DAILY_VISITS = "daily_visits"


def coverage_gaps(
    *,
    ordered: list[Item],
    planned: list[Item],
    ordered_daily_visits: int | None,
    planned_daily_visits: int | None,
    frequency_text,
) -> list[Gap]:
    """Missing from the plan, planned but not ordered, frequency mismatches and daily visits.

    `frequency_text(item)` words a frequency the way the order does.
    """
    gaps = []
    ordered_by_type = {item.type_id: item for item in ordered}
    planned_by_type = {item.type_id: item for item in planned}
    for type_id, item in ordered_by_type.items():
        if type_id not in planned_by_type:
            gaps.append(Gap(f"missing-{type_id}", MISSING, f"Saknas i planen: {item.name}"))
    for type_id, item in planned_by_type.items():
        if type_id not in ordered_by_type:
            gaps.append(
                Gap(f"extra-{type_id}", EXTRA, f"Finns i planen men är inte beställt: {item.name}")
            )
    for type_id in ordered_by_type.keys() & planned_by_type.keys():
        order_item, plan_item = ordered_by_type[type_id], planned_by_type[type_id]
        if order_item.frequency_key() != plan_item.frequency_key():
            gaps.append(
                Gap(
                    f"frequency-{type_id}",
                    FREQUENCY,
                    f"{plan_item.name}: planen säger {frequency_text(plan_item)}, "
                    f"beställningen {frequency_text(order_item)}",
                )
            )
    if (ordered_daily_visits or 0) != (planned_daily_visits or 0):
        gaps.append(
            Gap(
                "daily_visits",
                DAILY_VISITS,
                f"Dagliga besök: planen har {planned_daily_visits or 0} per dag, beställningen "
                f"{ordered_daily_visits or 0}",
            )
        )
    return sorted(gaps, key=lambda gap: gap.key)


def unexplained(gaps: list[Gap], reasons: dict[str, str]) -> list[Gap]:
    """The gaps that have neither been fixed nor given a reason."""
    return [gap for gap in gaps if not (reasons.get(gap.key) or "").strip()]


# ---------------------------------------------------------------------------------------------
# Deadlines


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when shorter (31 Aug + 6 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    due: datetime.date
    status: DeadlineStatus
    days_late: int = 0


def plan_deadline(
    *,
    executed_on: datetime.date,
    deadline_days: int,
    ready_on: datetime.date | None,
    today: datetime.date,
) -> Deadline:
    """The plan is due `deadline_days` after the start (14 in Järfälla, 15 in Stockholm): on time,
    late (by how many days) or missing (not ready and past due)."""
    due = add_days(executed_on, deadline_days)
    if ready_on is not None:
        if ready_on <= due:
            return Deadline(due, DeadlineStatus.ON_TIME)
        return Deadline(due, DeadlineStatus.LATE, (ready_on - due).days)
    if today > due:
        return Deadline(due, DeadlineStatus.MISSING, (today - due).days)
    return Deadline(due, DeadlineStatus.NOT_DUE)


# ---------------------------------------------------------------------------------------------
# Comparing versions


@dataclass(frozen=True)
class VersionChange:
    what: str
    before: str
    after: str
    lines: tuple[tuple[str, str], ...]  # ("-"|"+"|" ", text) for a readable diff


def diff_versions(before: dict[str, str], after: dict[str, str]) -> list[VersionChange]:
    """Compare two flattened snapshots ({label: text}) heading by heading, line by line."""
    changes = []
    for label in list(dict.fromkeys([*before, *after])):
        old, new = before.get(label, ""), after.get(label, "")
        if old == new:
            continue
        lines = tuple(
            (line[0], line[2:])
            for line in difflib.ndiff(old.splitlines(), new.splitlines())
            if line[:1] in ("-", "+", " ")
        )
        changes.append(VersionChange(label, old, new, lines))
    return changes
