"""Pure rules for decisions and orders: frequencies (their validation and wording) and order
diffs. Ordered time is in bestallning/ordered_time.py.

No database here: these are plain functions on plain values, tested in microseconds and with
hypothesis (STYLE.md). The order-quality lint is in bestallning/quality.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bestallning.choices import Period
from ramtid.formatting import hhmm

ALL_WEEKDAYS = frozenset(range(1, 8))
WEEKDAY_NAMES = {1: "mån", 2: "tis", 3: "ons", 4: "tors", 5: "fre", 6: "lör", 7: "sön"}

# ---------------------------------------------------------------------------------------------
# Frequencies (004 §2.4.4: the provider must follow the frequency decided)


@dataclass(frozen=True)
class Frequency:
    """How often an ordered intervention is given and how long each occasion takes.

    per_day: `occasions` a day on the chosen `weekdays` (1 = Monday … 7 = Sunday);
    per_week: `occasions` a week; every_n_weeks: `occasions` every `every_n_weeks` weeks.
    Double staffing (dubbelbemanning) means two staff at once, so the time counts twice.
    """

    period: Period
    occasions: int
    minutes: int
    weekdays: frozenset[int] = ALL_WEEKDAYS
    every_n_weeks: int = 1
    double_staffing: bool = False

    def staff_minutes_per_occasion(self) -> int:
        return self.minutes * (2 if self.double_staffing else 1)


# ---------------------------------------------------------------------------------------------
# One frequency validation, for orders, plans, their forms and serializers, and the visit import

OCCASIONS = (1, 24)  # per day, per week, or per period of several weeks
EVERY_N_WEEKS = (2, 52)  # "var n:te vecka": 1 would be every week, which is "per vecka"
MINUTES = (1, 600)  # minutes per occasion


def frequency_errors(
    *,
    period: str | None,
    occasions: int | None,
    every_n_weeks: int | None = None,
    weekdays: Iterable[int] | None = None,
    minutes: int | None = None,
    occasions_required: bool = True,
) -> dict[str, str]:
    """{field: Swedish message} for what is wrong with a frequency; empty when it is right.

    A draft order may leave the number of occasions for later (it is needed to send); a plan
    item may not (occasions_required). Weekdays matter only per day, the number of weeks only
    for "var n:te vecka".
    """
    errors = {}
    if period not in Period.values:
        errors["period"] = "Välj hur ofta: per dag, per vecka eller var n:te vecka."
    if occasions is None:
        if occasions_required:
            errors["occasions"] = "Ange hur många gånger insatsen ges."
    elif not OCCASIONS[0] <= occasions <= OCCASIONS[1]:
        errors["occasions"] = f"Ange antal tillfällen mellan {OCCASIONS[0]} och {OCCASIONS[1]}."
    if period == Period.PER_DAY and weekdays is not None:
        days = set(weekdays)
        if not days or not days <= ALL_WEEKDAYS:
            errors["weekdays"] = "Välj minst en veckodag."
    if period == Period.EVERY_N_WEEKS and not (
        every_n_weeks is not None and EVERY_N_WEEKS[0] <= every_n_weeks <= EVERY_N_WEEKS[1]
    ):
        low, high = EVERY_N_WEEKS
        message = f"Ange hur många veckor det går mellan tillfällena ({low}–{high})."
        errors["every_n_weeks"] = message
    if minutes is not None and not MINUTES[0] <= minutes <= MINUTES[1]:
        errors["minutes"] = f"Ange minuter per tillfälle mellan {MINUTES[0]} och {MINUTES[1]}."
    return errors


# ---------------------------------------------------------------------------------------------
# The decision (004 §2.2)


def decision_kind(categories: set[str]) -> str:
    """The kind of a decision from the categories of the interventions it grants."""
    if categories == {"service"}:
        return "service"
    if {"service", "personal_care"} <= categories:
        return "personal_care_and_service"
    return "personal_care"


@dataclass(frozen=True)
class OrderedKind:
    """An ordered intervention as the check against the decision sees it: a care package
    carries the ids of its contents."""

    type_id: int
    name: str
    parts: tuple[int, ...] = ()


def decision_mismatches(
    granted: dict[int, str], ordered: Iterable[OrderedKind]
) -> tuple[list[str], list[str]]:
    """(granted but not ordered, ordered but not granted), by name, for an order against its
    decision. A care package covers the granted interventions it contains, and is itself granted
    when all of them are. A decision that lists no interventions is not checked."""
    if not granted:
        return [], []
    ordered = list(ordered)
    covered = {item.type_id for item in ordered} | {p for item in ordered for p in item.parts}
    not_ordered = [name for type_id, name in granted.items() if type_id not in covered]
    not_granted = [
        item.name
        for item in ordered
        if item.type_id not in granted
        and not (item.parts and all(part in granted for part in item.parts))
    ]
    return not_ordered, not_granted


# ---------------------------------------------------------------------------------------------
# What sending an order requires. The order page labels each field by what it is needed for
# from here, so that the label and the rule live in one place.

NEEDED_TO_SEND = "krävs för att skicka"
SEND_REQUIRED_FIELDS = ("daily_visits", "occasions", "life_area")


@dataclass(frozen=True)
class SendFacts:
    daily_visits: int | None
    interventions: tuple[tuple[str, int | None, bool], ...]  # (name, occasions, has life area)
    total_minutes: int
    frame_minutes: int
    decision_refused: bool = False
    decision_withdrawn: bool = False
    decision_awaiting_manager: bool = False
    decision_rejected_by_manager: bool = False


def sending_blockers(facts: SendFacts) -> list[str]:
    """What stops the order from being sent, in words the officer can act on: the decided
    frequencies (001: legal certainty), the life areas, and the decision's frame — the hours
    the decision grants are the frame the order must keep within (004 §2.4.3)."""
    blockers = []
    if facts.daily_visits is None:
        blockers.append("Antal besök per dag saknas (ange 0 om brukaren inte har dagliga besök).")
    if not facts.interventions:
        blockers.append("Beställningen har inga beställda insatser.")
    for name, occasions, has_life_area in facts.interventions:
        if not occasions:
            blockers.append(f"{name} saknar fast frekvens (antal tillfällen).")
        if not has_life_area:
            blockers.append(f"{name} saknar livsområde.")
    if facts.total_minutes > facts.frame_minutes:
        blockers.append(
            f"Beställningen är på {hhmm(facts.total_minutes)} timmar/månad, mer än beslutets "
            f"{hhmm(facts.frame_minutes)} timmar/månad. Minska den beställda tiden, eller ändra "
            "beslutet först: är de nya timmarna över din delegation går ändringen till "
            "enhetschefen."
        )
    if facts.decision_refused:
        blockers.append("Beslutet är ett avslag: det finns inget att beställa.")
    if facts.decision_withdrawn:
        blockers.append("Beslutet är återkallat. Bygg beställningen på ett gällande beslut.")
    elif facts.decision_awaiting_manager:
        blockers.append(
            "Beslutet är över handläggarens delegation och väntar på enhetschefens godkännande."
        )
    elif facts.decision_rejected_by_manager:
        blockers.append("Enhetschefen har inte godkänt beslutet.")
    return blockers


# ---------------------------------------------------------------------------------------------
# Frequency wording, as in 004 Bilaga 4

_NUMBER_WORDS = {
    1: "en",
    2: "två",
    3: "tre",
    4: "fyra",
    5: "fem",
    6: "sex",
    7: "sju",
    8: "åtta",
    9: "nio",
    10: "tio",
}
_EVERY_NTH_WEEK = {
    1: "varje vecka",
    2: "varannan vecka",
    3: "var tredje vecka",
    4: "var fjärde vecka",
    5: "var femte vecka",
    6: "var sjätte vecka",
    7: "var sjunde vecka",
    8: "var åttonde vecka",
}


def every_nth_week(n: int) -> str:
    return _EVERY_NTH_WEEK.get(n, f"var {n}:e vecka")


def times(n: int) -> str:
    """'en gång', 'två gånger', '12 gånger'."""
    word = _NUMBER_WORDS.get(n, str(n))
    return f"{word} gång" if n == 1 else f"{word} gånger"


def weekday_text(weekdays: frozenset[int]) -> str:
    names = ", ".join(WEEKDAY_NAMES[d] for d in sorted(weekdays))
    return f"Alla dagar {names}" if weekdays == ALL_WEEKDAYS else names


def decimal_hours(minutes: int) -> str:
    """Hours with at most two decimals and a Swedish decimal comma: 12 → '0,2', 90 → '1,5'."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()
    text = f"{hours:f}"
    return text.replace(".", ",")


def occasion_text(frequency: Frequency) -> str:
    """The fixed frequency of a granted intervention: 'två gånger per vecka'."""
    if frequency.period == Period.PER_DAY:
        days = (
            "" if frequency.weekdays == ALL_WEEKDAYS else f" ({weekday_text(frequency.weekdays)})"
        )
        return f"{times(frequency.occasions)} per dag{days}"
    if frequency.period == Period.PER_WEEK:
        return f"{times(frequency.occasions)} per vecka"
    return f"{times(frequency.occasions)} {every_nth_week(frequency.every_n_weeks)}"


def time_text(frequency: Frequency) -> str:
    """The ordered time: '0,2 timmar/dag, varje vecka, Alla dagar mån, …' or '1 timmar/vecka'."""
    minutes = frequency.minutes * frequency.occasions
    if frequency.period == Period.PER_DAY:
        days = weekday_text(frequency.weekdays)
        return f"{decimal_hours(minutes)} timmar/dag, varje vecka, {days}"
    if frequency.period == Period.PER_WEEK:
        return f"{decimal_hours(minutes)} timmar/vecka, varje vecka"
    return f"{decimal_hours(minutes)} timmar {every_nth_week(frequency.every_n_weeks)}"


# ---------------------------------------------------------------------------------------------
# What changed between two orders (the provider sees it when a new order supersedes an old one)


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def diff_snapshots(before: dict, after: dict) -> list[Change]:
    """Compare two order snapshots: {"fields": {label: text}, "interventions": {name: {label:
    text}}}. Interventions are matched by name; added and removed ones are changes too."""
    changes = [
        Change(label, before["fields"].get(label, ""), value)
        for label, value in after["fields"].items()
        if before["fields"].get(label, "") != value
    ]
    old, new = before["interventions"], after["interventions"]
    for name in new.keys() - old.keys():
        changes.append(Change(name, "", "Ny insats: " + _describe(new[name])))
    for name in old.keys() - new.keys():
        changes.append(Change(name, _describe(old[name]), "Insatsen har tagits bort"))
    for name in sorted(old.keys() & new.keys()):
        for label, value in new[name].items():
            if old[name].get(label, "") != value:
                changes.append(Change(f"{name}: {label}", old[name].get(label, ""), value))
    return changes


def _describe(parts: dict) -> str:
    return "; ".join(f"{label} {value}" for label, value in parts.items() if value)
