"""Pure rules for implementation plans: the coverage check against the order, deadlines and the
readable difference between two versions. No database here."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass

from genomforandeplan.choices import DeadlineStatus

# ---------------------------------------------------------------------------------------------
# Coverage: does the plan carry what the order orders, and nothing it does not? (002)


@dataclass(frozen=True)
class Item:
    """An ordered or planned intervention, as the coverage check compares them. An ordered care
    package (omvårdnadspaket) carries its contents in `parts`: (type id, name) of each."""

    type_id: int
    name: str
    period: str
    occasions: int | None
    every_n_weeks: int = 1
    parts: tuple[tuple[int, str], ...] = ()

    def frequency_key(self) -> tuple:
        return (
            self.period,
            self.occasions,
            self.every_n_weeks if self.period == "every_n_weeks" else 1,
        )


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


def _expected_part_frequencies(packages: list[Item]) -> dict[int, Item]:
    """What a plan that writes a package out should say for each part: the package's frequency,
    summed over the packages that share the part (morning and evening both hold hygiene)."""
    expected: dict[int, Item] = {}
    for package in packages:
        for type_id, name in package.parts:
            known = expected.get(type_id)
            if known is None:
                expected[type_id] = Item(
                    type_id, name, package.period, package.occasions, package.every_n_weeks
                )
            elif known.period == package.period and known.every_n_weeks == package.every_n_weeks:
                occasions = (known.occasions or 0) + (package.occasions or 0)
                expected[type_id] = Item(
                    type_id, name, known.period, occasions or None, known.every_n_weeks
                )
            else:
                expected[type_id] = Item(type_id, name, "", None)  # no single frequency to match
    return expected


def coverage_gaps(
    *,
    ordered: list[Item],
    planned: list[Item],
    ordered_daily_visits: int | None,
    planned_daily_visits: int | None,
    frequency_text,
) -> list[Gap]:
    """Missing from the plan, planned but not ordered, frequency mismatches and daily visits.

    A care package is covered by the package itself or by its parts written out one by one
    (004 §2.4.2: the package is one time for several personal-care tasks at the same visit);
    a part written out is then not "not ordered". `frequency_text(item)` words a frequency the
    way the order does.
    """
    gaps = []
    ordered_by_type = {item.type_id: item for item in ordered}
    planned_by_type = {item.type_id: item for item in planned}
    written_out = [
        item for item in ordered if item.parts and item.type_id not in planned_by_type
    ]  # packages the plan does not name: their parts may stand in for them
    part_of = {type_id: package for package in written_out for type_id, _name in package.parts}
    for type_id, item in ordered_by_type.items():
        if type_id in planned_by_type:
            continue
        if item.parts and item in written_out:
            missing_parts = [
                (part_id, name) for part_id, name in item.parts if part_id not in planned_by_type
            ]
            if len(missing_parts) < len(item.parts):
                for part_id, name in missing_parts:
                    gaps.append(
                        Gap(
                            f"missing-{part_id}",
                            MISSING,
                            f"Saknas i planen: {name} (ingår i {item.name})",
                        )
                    )
                continue
        gaps.append(Gap(f"missing-{type_id}", MISSING, f"Saknas i planen: {item.name}"))
    for type_id, item in planned_by_type.items():
        if type_id not in ordered_by_type and type_id not in part_of:
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
    expected = _expected_part_frequencies(written_out)
    for type_id, want in expected.items():
        plan_item = planned_by_type.get(type_id)
        if plan_item is None or type_id in ordered_by_type or not want.period:
            continue
        if want.frequency_key() != plan_item.frequency_key():
            packages = ", ".join(p.name for p in written_out if type_id in dict(p.parts))
            gaps.append(
                Gap(
                    f"frequency-{type_id}",
                    FREQUENCY,
                    f"{plan_item.name}: planen säger {frequency_text(plan_item)}, "
                    f"beställningen {frequency_text(want)} (i {packages})",
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
# What completing a plan requires (004 §3.2.2, §3.2.8, §3.2.9). The page labels each field by
# what it is needed for from these same requirements, so the label and the rule cannot part.

NEEDED_TO_COMPLETE = "krävs för att slutföra"


@dataclass(frozen=True)
class Requirement:
    fields: tuple[str, ...]
    needed_for: str


PARTICIPATION = Requirement(
    ("participants", "meeting_place", "client_influence"),
    "krävs för att slutföra, om brukaren deltog",
)
DEVIATION = Requirement(
    ("deviation_reason", "deviation_helper"), "krävs för att slutföra, om brukaren inte deltog"
)
APPROVAL = Requirement(("client_approved_on", "client_approval_how"), NEEDED_TO_COMPLETE)
GAP_REASON = Requirement(("reason",), "krävs för att slutföra, om planen inte rättas")
ITEMS = Requirement(("items",), NEEDED_TO_COMPLETE)


def needed_for_labels() -> dict[str, str]:
    """{field name: what it is needed for}, for the plan page's labels."""
    return {
        name: requirement.needed_for
        for requirement in (PARTICIPATION, DEVIATION, APPROVAL)
        for name in requirement.fields
    }


@dataclass(frozen=True)
class CompletionFacts:
    """What the completion check reads of a plan, as plain values."""

    participants: tuple[str, ...]
    meeting_place: str
    client_influence: str
    deviation_reason: str
    deviation_helper: str
    client_approved_on: datetime.date | None
    client_approval_how: str
    item_count: int
    gaps: tuple[Gap, ...]
    reasons: dict
    order_starts: datetime.date
    previous_approval: datetime.date | None
    today: datetime.date


@dataclass(frozen=True)
class Blocker:
    """One thing that stops completion; `field` names the field to fix ("" for the plan)."""

    field: str
    message: str


def completion_blockers(facts: CompletionFacts) -> list[Blocker]:
    """Participation or the reason it was not possible, every gap fixed or explained, at least
    one intervention, and the client's approval: when and how, on a date that can be true."""
    blockers = []
    took_part = all([facts.participants, facts.meeting_place, facts.client_influence.strip()])
    deviation = bool(facts.deviation_reason.strip()) and bool(facts.deviation_helper.strip())
    if not took_part and not deviation:
        blockers.append(
            Blocker(
                "participants",
                "Delaktighet saknas: ange vem som deltog, var och hur brukaren påverkade planen – "
                "eller, om brukaren inte kunde eller ville delta, varför och vem som hjälpte "
                "till.",
            )
        )
    for gap in unexplained(list(facts.gaps), facts.reasons):
        blockers.append(
            Blocker(f"reason_{gap.key}", f"{gap.message}. Rätta planen eller skriv ett skäl.")
        )
    if not facts.item_count:
        blockers.append(Blocker("items", "Planen har inga insatser."))
    day = facts.client_approved_on
    if day is None:
        blockers.append(Blocker("client_approved_on", "Ange datum då brukaren godkände planen."))
    elif day > facts.today:
        blockers.append(
            Blocker(
                "client_approved_on",
                "Datumet då brukaren godkände planen kan inte vara i framtiden.",
            )
        )
    elif day < facts.order_starts:
        blockers.append(
            Blocker(
                "client_approved_on",
                f"Brukaren kan inte ha godkänt planen före {facts.order_starts:%Y-%m-%d}, då "
                "beställningen började gälla.",
            )
        )
    elif facts.previous_approval is not None and day < facts.previous_approval:
        blockers.append(
            Blocker(
                "client_approved_on",
                f"Brukaren kan inte ha godkänt den här versionen före "
                f"{facts.previous_approval:%Y-%m-%d}, då förra versionen godkändes.",
            )
        )
    if not facts.client_approval_how.strip():
        blockers.append(Blocker("client_approval_how", "Skriv hur brukaren godkände planen."))
    return blockers


# ---------------------------------------------------------------------------------------------
# Deadlines


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def contact_person_due(*, starts: datetime.date, days: int) -> datetime.date:
    """The contact person and deputy are offered within `days` of the start (004 §3.2.3)."""
    return add_days(starts, days)


@dataclass(frozen=True)
class Deadline:
    """A plan's deadline for an executed order: due on the start plus the municipality's days
    (004 §3.2.4); on time, late (by how many days) or missing (not ready and past due). It is
    computed in SQL (genomforandeplan.selectors.with_plan_deadline), so lists count it in the
    database; this is how a page holds the result."""

    due: datetime.date
    status: DeadlineStatus
    days_late: int = 0

    @property
    def on_time(self) -> bool:
        return self.status == DeadlineStatus.ON_TIME

    @property
    def late(self) -> bool:
        """Ready, but after the deadline."""
        return self.status == DeadlineStatus.LATE

    @property
    def missing(self) -> bool:
        """Not ready, and the deadline has passed."""
        return self.status == DeadlineStatus.MISSING

    @property
    def not_due(self) -> bool:
        return self.status == DeadlineStatus.NOT_DUE


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
