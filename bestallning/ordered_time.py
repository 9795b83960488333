"""Ordered time (beställd tid), in one module: minutes per month for each ordered intervention,
the order's total, the decision's frame, and the ordered minutes of a stretch of a calendar
month. The order page and its time-basis aside, the PDF, the API, the order snapshots and the
monthly check all take their figures from here (004 §2.4–2.4.3).

The computations are pure; `order_time` and `frame_minutes` read a saved order or decision
(no query when the caller has prefetched the interventions, as the selectors do).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from bestallning.choices import Period
from bestallning.rules import Frequency

# ---------------------------------------------------------------------------------------------
# Minutes per month: the time basis (beräkningsunderlag)


@dataclass(frozen=True)
class MonthConversion:
    """A municipality's conversion from days and weeks to months (municipal settings)."""

    days_per_month: Decimal
    weeks_per_month: Decimal


def month_conversion(municipality) -> MonthConversion:
    return MonthConversion(municipality.days_per_month, municipality.weeks_per_month)


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


# ---------------------------------------------------------------------------------------------
# The decision's frame


def hours_to_minutes(hours: Decimal) -> int:
    """A decision's hours per month (51.60) in whole minutes (3096), rounded half up."""
    return int((Decimal(hours) * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def frame_minutes(decision) -> int:
    """The decision's hours per month: the frame an order may not exceed (004 §2.4.3)."""
    return hours_to_minutes(decision.hours_per_month)


# ---------------------------------------------------------------------------------------------
# One function for an order's time


@dataclass(frozen=True)
class OrderTime:
    """An order's ordered time: each intervention with its minutes per month (None while its
    frequency is incomplete), the time basis, and the decision's frame beside it."""

    rows: tuple[tuple[object, int | None], ...]
    basis: TimeBasis
    frame: int

    @property
    def total(self) -> int:
        return self.basis.total

    @property
    def over_frame(self) -> int:
        """Minutes above the decision's frame (0 within it)."""
        return max(0, self.basis.total - self.frame)

    def minutes_of(self, item) -> int | None:
        return next((minutes for row, minutes in self.rows if row is item), None)


def time_of(
    entries: Iterable[tuple[object, Frequency | None]], *, month: MonthConversion, frame: int
) -> OrderTime:
    """The time of (item, frequency) pairs: saved interventions, or rows still being typed."""
    entries = list(entries)
    basis = time_basis([f for _item, f in entries if f is not None], month)
    parts = iter(basis.parts)
    rows = tuple((item, next(parts) if f is not None else None) for item, f in entries)
    return OrderTime(rows=rows, basis=basis, frame=frame)


def order_time(order) -> OrderTime:
    """The saved order's time, with its municipality's month conversion and its decision's
    frame. Reads `order.interventions.all()`: prefetch it for lists."""
    return time_of(
        ((item, item.frequency()) for item in order.interventions.all()),
        month=month_conversion(order.client.municipality),
        frame=frame_minutes(order.decision),
    )


# ---------------------------------------------------------------------------------------------
# Calendar months: the ordered minutes of part of a month


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def days_in_force(
    year: int, month: int, valid_from: datetime.date, valid_to: datetime.date | None
) -> int:
    """The calendar days of the month on which an order valid from `valid_from` to `valid_to`
    (inclusive; None: until further notice) is in force."""
    first, last = month_bounds(year, month)
    start = max(first, valid_from)
    end = min(last, valid_to) if valid_to is not None else last
    return max(0, (end - start).days + 1)


def exact_prorated(
    monthly_minutes: int,
    year: int,
    month: int,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> Fraction:
    """The ordered minutes of the days the order is in force, as an exact fraction of the month:
    an order that starts, ends or is superseded mid-month counts for its days only."""
    days = days_in_force(year, month, valid_from, valid_to)
    return Fraction(monthly_minutes) * days / calendar.monthrange(year, month)[1]


@dataclass(frozen=True)
class Stretch:
    """An order's monthly minutes and the days it is in force (valid_to None: open)."""

    monthly_minutes: int
    valid_from: datetime.date
    valid_to: datetime.date | None


def ordered_minutes_in_month(stretches: Iterable[Stretch], year: int, month: int) -> int:
    """A client's ordered minutes for a calendar month at one provider: each order in force for
    part of the month counts pro rata by calendar days, and the sum is rounded once, so an order
    superseded mid-month and its successor add up to what a whole month of either would."""
    exact = sum(
        (
            exact_prorated(s.monthly_minutes, year, month, s.valid_from, s.valid_to)
            for s in stretches
        ),
        Fraction(0),
    )
    return round_half_up(exact)
