"""How Ramtid writes numbers for people (JOURNEYS.md): one place, for pages, PDFs and the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def hhmm(minutes) -> str:
    """Minutes as hours and minutes: 3096 → "51:36", 5 → "0:05", -90 → "-1:30".

    A duration, not a clock time, so the hours are not padded ("5:06 timmar/månad", as the
    order's "Beställd kvantitet: 51:36 timmar/månad" reads). Integer arithmetic on whole minutes
    (a fraction rounded half up, away from zero), so no floating-point drift. Empty for None or
    anything that is not a number.
    """
    if minutes is None or minutes == "" or isinstance(minutes, bool):
        return ""
    try:
        value = Decimal(str(minutes))
    except (InvalidOperation, ValueError):
        return ""
    if not value.is_finite():
        return ""
    total = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 60)
    return f"{sign}{hours}:{rest:02d}"


def genitive(name: str) -> str:
    """A Swedish genitive: "Stig Hedlunds", but "Lars" and "Max" stay as they are."""
    name = name.strip()
    if not name or name[-1].lower() in "sxz":
        return name
    return f"{name}s"


_ORDINALS = {
    2: "andra",
    3: "tredje",
    4: "fjärde",
    5: "femte",
    6: "sjätte",
    7: "sjunde",
    8: "åttonde",
    9: "nionde",
    10: "tionde",
    11: "elfte",
    12: "tolfte",
}


def every_n_months(months: int) -> str:
    """A municipal interval in words: 1 → "varje månad", 2 → "varannan månad", 6 → "var sjätte
    månad", 18 → "var 18:e månad"."""
    if months == 1:
        return "varje månad"
    if months == 2:
        return "varannan månad"
    if months in _ORDINALS:
        return f"var {_ORDINALS[months]} månad"
    return f"var {months}:e månad"
