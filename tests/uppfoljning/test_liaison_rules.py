"""The liaison meetings' schedule (uppfoljning.liaison, 002 "Avstämningsmöten"): no database."""

from __future__ import annotations

import datetime

import pytest

from uppfoljning.choices import LiaisonMeetingKind
from uppfoljning.liaison import (
    default_period,
    meeting_kind,
    missed_meeting_month,
    next_meeting_month,
)

D = datetime.date


@pytest.mark.parametrize(
    ("clients", "kind"),
    [
        (0, None),
        (5, None),  # fewer than six: no meeting required
        (6, LiaisonMeetingKind.PHONE),  # "sex till 19 ärenden": phone
        (19, LiaisonMeetingKind.PHONE),
        (20, LiaisonMeetingKind.MEETING),  # "20 eller fler ärenden": a meeting
        (6000, LiaisonMeetingKind.MEETING),
    ],
)
def test_the_kind_of_meeting_follows_the_number_of_clients(clients, kind):
    assert meeting_kind(clients) == kind


@pytest.mark.parametrize(
    ("today", "last_held_on", "expected"),
    [
        (D(2026, 12, 1), None, D(2027, 1, 1)),  # December: January's round is next
        (D(2026, 1, 10), None, D(2026, 1, 1)),  # January's own round, until it is held
        (D(2026, 1, 10), D(2025, 9, 20), D(2026, 1, 1)),
        (D(2026, 1, 20), D(2026, 1, 15), D(2026, 5, 1)),  # held this month: May
        (D(2026, 2, 1), D(2026, 1, 31), D(2026, 5, 1)),
        (D(2026, 5, 31), D(2026, 1, 15), D(2026, 5, 1)),
        (D(2026, 6, 1), D(2026, 1, 15), D(2026, 9, 1)),  # May passed without one: September
        (D(2026, 9, 30), D(2026, 9, 1), D(2027, 1, 1)),
    ],
)
def test_the_next_meeting_month_is_the_first_round_without_a_meeting(today, last_held_on, expected):
    assert next_meeting_month(today, last_held_on) == expected


@pytest.mark.parametrize(
    ("today", "last_held_on", "missed"),
    [
        (D(2026, 6, 1), D(2026, 1, 15), D(2026, 5, 1)),
        (D(2026, 6, 1), D(2026, 5, 2), None),
        (D(2026, 5, 10), D(2026, 1, 15), None),  # May is still going on
        (D(2026, 1, 10), D(2025, 5, 2), D(2025, 9, 1)),  # the turn of the year
        (D(2026, 3, 1), None, D(2026, 1, 1)),
    ],
)
def test_a_round_that_passed_without_a_meeting_is_missed(today, last_held_on, missed):
    assert missed_meeting_month(today, last_held_on) == missed


@pytest.mark.parametrize(
    ("today", "last_held_on", "start"),
    [
        (D(2026, 12, 1), D(2026, 9, 10), D(2026, 9, 1)),  # for January: since September
        (D(2026, 5, 4), D(2026, 1, 20), D(2026, 1, 1)),  # May's meeting: since January
        (D(2026, 5, 20), D(2026, 5, 6), D(2026, 5, 1)),  # May held: towards September
        (D(2026, 2, 1), None, D(2026, 1, 1)),
    ],
)
def test_the_pack_covers_the_four_months_since_the_last_round(today, last_held_on, start):
    assert default_period(today, last_held_on) == (start, today)
