"""Pure rules for decisions and orders: the time basis, frequency wording and order quality.

No database here: these are plain functions on plain values, tested in microseconds and with
hypothesis (STYLE.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from bestallning.choices import Period

ALL_WEEKDAYS = frozenset(range(1, 8))
WEEKDAY_NAMES = {1: "mån", 2: "tis", 3: "ons", 4: "tors", 5: "fre", 6: "lör", 7: "sön"}

# ---------------------------------------------------------------------------------------------
# The time basis (beräkningsunderlag), 004 §2.4–2.4.3


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


@dataclass(frozen=True)
class MonthConversion:
    """A municipality's conversion from days and weeks to months (municipal settings)."""

    days_per_month: Decimal
    weeks_per_month: Decimal


def exact_minutes_per_month(frequency: Frequency, month: MonthConversion) -> Fraction:
    per_occasion = Fraction(frequency.staff_minutes_per_occasion() * frequency.occasions)
    if frequency.period == Period.PER_DAY:
        days = Fraction(month.days_per_month) * Fraction(len(frequency.weekdays), 7)
        return per_occasion * days
    weeks = Fraction(month.weeks_per_month)
    if frequency.period == Period.PER_WEEK:
        return per_occasion * weeks
    return per_occasion * weeks / frequency.every_n_weeks


def round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


@dataclass(frozen=True)
class TimeBasis:
    """Minutes per month per intervention, each rounded once to whole minutes, and their sum.

    The total is the sum of the rounded parts, so what the officer sees adds up exactly: the
    rounding never drifts between the parts and the frame.
    """

    parts: tuple[int, ...]
    double_staffing_minutes: int = 0
    total: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "total", sum(self.parts))


def time_basis(frequencies: Iterable[Frequency], month: MonthConversion) -> TimeBasis:
    frequencies = list(frequencies)
    parts = tuple(round_half_up(exact_minutes_per_month(f, month)) for f in frequencies)
    doubled = sum(
        round_half_up(exact_minutes_per_month(f, month) / 2)
        for f in frequencies
        if f.double_staffing
    )
    return TimeBasis(parts=parts, double_staffing_minutes=doubled)


def hhmm(minutes: int) -> str:
    """Minutes as HH:MM, the form of 'Beställd kvantitet: 51:36 timmar/månad'."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


# ---------------------------------------------------------------------------------------------
# Frequency wording, as in 004 Bilaga 4

_NUMBER_WORDS = {1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju",
                 8: "åtta", 9: "nio", 10: "tio"}  # fmt: skip
_EVERY_NTH_WEEK = {1: "varje vecka", 2: "varannan vecka", 3: "var tredje vecka",
                   4: "var fjärde vecka", 5: "var femte vecka", 6: "var sjätte vecka",
                   7: "var sjunde vecka", 8: "var åttonde vecka"}  # fmt: skip


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
# Order quality (002 "Beställningar", "Bedömning"): warnings that do not block sending


@dataclass(frozen=True)
class QualityWarning:
    field: str
    field_label: str
    kind: str
    message: str
    suggestion: str

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "field_label": self.field_label,
            "kind": self.kind,
            "message": self.message,
            "suggestion": self.suggestion,
        }


CLOCK_TIME = "clock_time"
TIME_OF_DAY = "time_of_day"
STEP_BY_STEP = "step_by_step"
GENERIC_GOAL = "generic_goal"
MISSING_GOAL = "missing_goal"

WARNING_KIND_LABELS = {
    CLOCK_TIME: "Klockslag",
    TIME_OF_DAY: "Tid på dygnet kopplad till uppgift",
    STEP_BY_STEP: "Steg-för-steg-instruktion",
    GENERIC_GOAL: "Generellt mål",
    MISSING_GOAL: "Insats utan individuellt mål",
}

_CLOCK = re.compile(r"\bkl(?:ockan|\.)?\s*\d{1,2}\b|\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b", re.I)
_TIME_OF_DAY = re.compile(
    r"\b(morgon(?:en)?|förmiddag(?:en)?|lunch(?:en|tid)?|eftermiddag(?:en)?|kväll(?:en)?|"
    r"natt(?:en)?|frukost(?:en)?|middag(?:en)?)\b",
    re.I,
)
_STEP_WORDS = re.compile(r"\b(först|sedan|därefter|efter det|slutligen|till sist)\b", re.I)
_NUMBERED_STEP = re.compile(r"^\s*\d+[.)]\s+\S", re.M)
_GENERIC_GOALS = ("skälig levnadsnivå", "fungerande vardag")


def lint_instruction(field: str, label: str, text: str) -> list[QualityWarning]:
    """Free text for the provider: it should say what the need is, not how and when."""
    warnings = []
    if match := _CLOCK.search(text or ""):
        warnings.append(
            QualityWarning(
                field,
                label,
                CLOCK_TIME,
                f"{label} anger ett klockslag ({match.group(0).strip()}). Tider styr utförandet "
                "i detalj; med ramtid bestämmer brukaren och utföraren när hjälpen ges.",
                "Beskriv behovet i stället, t.ex. ”Behöver stöd för att äta regelbundet flera "
                "gånger per dag.”",
            )
        )
    if match := _TIME_OF_DAY.search(text or ""):
        warnings.append(
            QualityWarning(
                field,
                label,
                TIME_OF_DAY,
                f"{label} knyter en uppgift till en tid på dygnet (”{match.group(0)}”). "
                "Det styr hur och när hjälpen ska ges, vilket planeras i genomförandeplanen.",
                "Skriv vad behovet gäller och varför, t.ex. ”Behöver tillsyn för att känna sig "
                "trygg och hjälp att få i sig tillräckligt med mat.”",
            )
        )
    if len(_STEP_WORDS.findall(text or "")) >= 2 or len(_NUMBERED_STEP.findall(text or "")) >= 2:
        warnings.append(
            QualityWarning(
                field,
                label,
                STEP_BY_STEP,
                f"{label} ser ut som en steg-för-steg-instruktion för hur hjälpen ska utföras.",
                "Beskriv brukarens resurser, svårigheter och mål; hur hjälpen ges bestäms "
                "tillsammans med brukaren i genomförandeplanen.",
            )
        )
    return warnings


def lint_goal(field: str, label: str, text: str, *, required: bool = False) -> list[QualityWarning]:
    """Goals in the client's own words; generic goals are to be avoided (002)."""
    text = (text or "").strip()
    if not text:
        if not required:
            return []
        return [
            QualityWarning(
                field,
                label,
                MISSING_GOAL,
                f"{label} saknas. Mål per insats är inte obligatoriska, men de gör det tydligt "
                "för utföraren vad insatsen ska leda till.",
                "Skriv brukarens eget mål, t.ex. ”Lisas mål är att känna sig tryggare hemma.”",
            )
        ]
    lowered = text.lower()
    for phrase in _GENERIC_GOALS:
        if phrase in lowered:
            return [
                QualityWarning(
                    field,
                    label,
                    GENERIC_GOAL,
                    f"{label} är ett generellt mål (”{phrase}”) som inte säger vad just den här "
                    "brukaren vill uppnå.",
                    "Skriv målet med brukarens egna ord, t.ex. ”Lisas mål är att komma ut och "
                    "bibehålla sina funktioner.”",
                )
            ]
    return []


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
