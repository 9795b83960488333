"""Ordered time (bestallning.ordered_time): minutes per month, the time basis, the decision's
frame and calendar-month pro-rating. Pure functions, no database."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bestallning import ordered_time, rules
from bestallning.choices import Period
from ramtid.formatting import hhmm

JARFALLA = ordered_time.MonthConversion(Decimal("30.440"), Decimal("4.350"))


def _frequency(period, occasions=1, minutes=30, weekdays=rules.ALL_WEEKDAYS, n=1, double=False):
    return rules.Frequency(Period(period), occasions, minutes, frozenset(weekdays), n, double)


def test_per_day_on_every_day_uses_days_per_month():
    # Lisa's morning care package: 0.2 h (12 min) a day, all days.
    frequency = _frequency("per_day", minutes=12)
    assert ordered_time.exact_minutes_per_month(frequency, JARFALLA) == Fraction("365.28")
    assert ordered_time.time_basis([frequency], JARFALLA).parts == (365,)


def test_per_day_on_chosen_weekdays_is_prorated():
    weekdays = _frequency("per_day", minutes=14, weekdays={1, 2, 3, 4, 5})
    assert ordered_time.exact_minutes_per_month(weekdays, JARFALLA) == Fraction(
        14 * 5, 7
    ) * Fraction("30.44")


def test_per_week_and_every_n_weeks_use_weeks_per_month():
    shower = _frequency("per_week", occasions=2, minutes=30)
    cleaning = _frequency("every_n_weeks", minutes=120, n=3)
    assert ordered_time.exact_minutes_per_month(shower, JARFALLA) == Fraction("261")
    assert ordered_time.exact_minutes_per_month(cleaning, JARFALLA) == Fraction("174")


def test_double_staffing_counts_the_time_twice_and_is_shown_apart():
    lift = _frequency("per_day", occasions=2, minutes=15, double=True)
    basis = ordered_time.time_basis([lift, _frequency("per_week")], JARFALLA)
    assert basis.parts[0] == round(2 * 2 * 15 * 30.44)
    assert basis.double_staffing_minutes == round(2 * 15 * 30.44)


@pytest.mark.parametrize(
    ("minutes", "text"), [(3096, "51:36"), (0, "0:00"), (59, "0:59"), (6000, "100:00"),
                          (-90, "-1:30"), (Decimal("261.5"), "4:22"), (None, "")]
)  # fmt: skip
def test_hhmm_is_a_duration_not_a_clock_time(minutes, text):
    assert hhmm(minutes) == text


frequencies = st.builds(
    rules.Frequency,
    period=st.sampled_from(list(Period)),
    occasions=st.integers(1, 24),
    minutes=st.integers(1, 600),
    weekdays=st.frozensets(st.integers(1, 7), min_size=1),
    every_n_weeks=st.integers(2, 52),
    double_staffing=st.booleans(),
)
months = st.builds(
    ordered_time.MonthConversion,
    days_per_month=st.decimals(min_value=28, max_value=31, places=3),
    weeks_per_month=st.decimals(min_value=4, max_value=5, places=3),
)


@given(st.lists(frequencies, max_size=30), months)
def test_total_is_the_sum_of_its_parts_and_each_part_is_rounded_once(items, month):
    basis = ordered_time.time_basis(items, month)
    assert basis.total == sum(basis.parts)
    for item, part in zip(items, basis.parts, strict=True):
        assert abs(part - ordered_time.exact_minutes_per_month(item, month)) <= Fraction(1, 2)


@given(st.lists(frequencies, min_size=1, max_size=30), months)
def test_hhmm_of_the_total_equals_the_sum_of_the_shown_parts_no_drift(items, month):
    def minutes_of(text):
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)

    basis = ordered_time.time_basis(items, month)
    assert minutes_of(hhmm(basis.total)) == sum(minutes_of(hhmm(p)) for p in basis.parts)


@given(frequencies, months)
def test_conversions_per_day_week_and_every_n_weeks(frequency, month):
    exact = ordered_time.exact_minutes_per_month(frequency, month)
    staff_minutes = (
        frequency.minutes * frequency.occasions * (2 if frequency.double_staffing else 1)
    )
    if frequency.period == Period.PER_DAY:
        expected = staff_minutes * Fraction(month.days_per_month) * len(frequency.weekdays) / 7
    elif frequency.period == Period.PER_WEEK:
        expected = staff_minutes * Fraction(month.weeks_per_month)
    else:
        expected = staff_minutes * Fraction(month.weeks_per_month) / frequency.every_n_weeks
    assert exact == expected


# ------------------------------------------------------------------------------- the frame


@pytest.mark.parametrize(
    ("hours", "minutes"), [("51.60", 3096), ("10", 600), ("0.01", 1), ("136", 8160), ("0.005", 0)]
)
def test_the_decisions_hours_in_whole_minutes(hours, minutes):
    assert ordered_time.hours_to_minutes(Decimal(hours)) == minutes


def test_order_time_over_the_frame():
    # The order of 60:54 on a 10:00 decision (issue 7, fault 7).
    time = ordered_time.time_of(
        [("Omvårdnadspaket morgon", _frequency("per_day", 2, 60))], month=JARFALLA, frame=600
    )
    assert (hhmm(time.total), hhmm(time.over_frame)) == ("60:53", "50:53")
    assert ordered_time.time_of([], month=JARFALLA, frame=600).over_frame == 0


# ------------------------------------------------------------------------------- pro-rating
# The monthly check compares performed with ordered time per calendar month: an order that
# starts, ends or is superseded mid-month counts for its days only.

D = datetime.date


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "days"),
    [
        (D(2026, 1, 1), None, 31),  # the whole month
        (D(2025, 6, 1), None, 31),  # started long before
        (D(2026, 1, 31), None, 1),  # starts on the last day
        (D(2026, 1, 16), None, 16),  # starts mid-month
        (D(2025, 12, 1), D(2026, 1, 1), 1),  # ends on the first day
        (D(2025, 12, 1), D(2026, 1, 15), 15),  # ends mid-month (superseded from the 16th)
        (D(2026, 1, 10), D(2026, 1, 20), 11),  # both inside the month
        (D(2026, 2, 1), None, 0),  # starts after the month
        (D(2025, 1, 1), D(2025, 12, 31), 0),  # ended before it
    ],
)
def test_days_in_force_at_the_month_boundaries(valid_from, valid_to, days):
    assert ordered_time.days_in_force(2026, 1, valid_from, valid_to) == days


def test_february_has_its_own_length_in_leap_years():
    assert ordered_time.days_in_force(2028, 2, D(2028, 2, 15), None) == 15  # of 29
    assert ordered_time.exact_prorated(2900, 2028, 2, D(2028, 2, 15), None) == 1500
    assert ordered_time.exact_prorated(2800, 2027, 2, D(2027, 2, 15), None) == 1400  # of 28


def test_a_change_mid_month_adds_up_to_the_days_of_each_order():
    # 3096 minutes a month until the 15th, then 1500 from the 16th, in a 30-day month.
    old = ordered_time.Stretch(3096, D(2026, 3, 1), D(2026, 4, 15))
    new = ordered_time.Stretch(1500, D(2026, 4, 16), None)
    assert ordered_time.ordered_minutes_in_month([old, new], 2026, 4) == round(
        3096 * 15 / 30 + 1500 * 15 / 30
    )


@given(
    st.integers(0, 20000),
    st.dates(D(2024, 1, 1), D(2027, 12, 31)),
    st.integers(2024, 2027),
    st.integers(1, 12),
)
def test_one_order_superseded_by_an_identical_one_counts_as_one_whole_month(
    minutes, change_on, year, month
):
    """However the month is split between two orders with the same time, the month's ordered
    minutes are the same as for one order: pro-rating loses nothing at the seam."""
    first = ordered_time.Stretch(minutes, D(2020, 1, 1), change_on - datetime.timedelta(days=1))
    second = ordered_time.Stretch(minutes, change_on, None)
    whole = ordered_time.ordered_minutes_in_month(
        [ordered_time.Stretch(minutes, D(2020, 1, 1), None)], year, month
    )
    assert ordered_time.ordered_minutes_in_month([first, second], year, month) == whole == minutes


@given(st.integers(0, 20000), st.dates(D(2024, 1, 1), D(2027, 12, 31)))
def test_a_part_of_a_month_is_never_more_than_the_month(minutes, start):
    exact = ordered_time.exact_prorated(minutes, start.year, start.month, start, None)
    assert 0 < exact <= minutes or minutes == 0
