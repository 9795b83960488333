"""The time basis, frequency wording and order-quality rules: pure functions, no database."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bestallning import rules
from bestallning.choices import Period

JARFALLA = rules.MonthConversion(Decimal("30.440"), Decimal("4.350"))


def _frequency(period, occasions=1, minutes=30, weekdays=rules.ALL_WEEKDAYS, n=1, double=False):
    return rules.Frequency(Period(period), occasions, minutes, frozenset(weekdays), n, double)


def test_per_day_on_every_day_uses_days_per_month():
    # Lisa's morning care package: 0.2 h (12 min) a day, all days.
    frequency = _frequency("per_day", minutes=12)
    assert rules.exact_minutes_per_month(frequency, JARFALLA) == Fraction("365.28")
    assert rules.time_basis([frequency], JARFALLA).parts == (365,)


def test_per_day_on_chosen_weekdays_is_prorated():
    weekdays = _frequency("per_day", minutes=14, weekdays={1, 2, 3, 4, 5})
    assert rules.exact_minutes_per_month(weekdays, JARFALLA) == Fraction(14 * 5, 7) * Fraction(
        "30.44"
    )


def test_per_week_and_every_n_weeks_use_weeks_per_month():
    shower = _frequency("per_week", occasions=2, minutes=30)
    cleaning = _frequency("every_n_weeks", minutes=120, n=3)
    assert rules.exact_minutes_per_month(shower, JARFALLA) == Fraction("261")
    assert rules.exact_minutes_per_month(cleaning, JARFALLA) == Fraction("174")


def test_double_staffing_counts_the_time_twice_and_is_shown_apart():
    lift = _frequency("per_day", occasions=2, minutes=15, double=True)
    basis = rules.time_basis([lift, _frequency("per_week")], JARFALLA)
    assert basis.parts[0] == round(2 * 2 * 15 * 30.44)
    assert basis.double_staffing_minutes == round(2 * 15 * 30.44)


@pytest.mark.parametrize(
    ("minutes", "text"), [(3096, "51:36"), (0, "00:00"), (59, "00:59"), (6000, "100:00"),
                          (-90, "-01:30")]
)  # fmt: skip
def test_hhmm(minutes, text):
    assert rules.hhmm(minutes) == text


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
    rules.MonthConversion,
    days_per_month=st.decimals(min_value=28, max_value=31, places=3),
    weeks_per_month=st.decimals(min_value=4, max_value=5, places=3),
)


@given(st.lists(frequencies, max_size=30), months)
def test_total_is_the_sum_of_its_parts_and_each_part_is_rounded_once(items, month):
    basis = rules.time_basis(items, month)
    assert basis.total == sum(basis.parts)
    for item, part in zip(items, basis.parts, strict=True):
        assert abs(part - rules.exact_minutes_per_month(item, month)) <= Fraction(1, 2)


@given(st.lists(frequencies, min_size=1, max_size=30), months)
def test_hhmm_of_the_total_equals_the_sum_of_the_shown_parts_no_drift(items, month):
    def minutes_of(text):
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)

    basis = rules.time_basis(items, month)
    assert minutes_of(rules.hhmm(basis.total)) == sum(
        minutes_of(rules.hhmm(p)) for p in basis.parts
    )


@given(frequencies, months)
def test_conversions_per_day_week_and_every_n_weeks(frequency, month):
    exact = rules.exact_minutes_per_month(frequency, month)
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


@pytest.mark.parametrize(
    ("frequency", "occasions", "time"),
    [
        (_frequency("per_week", 2, 30), "två gånger per vecka", "1 timmar/vecka, varje vecka"),
        (_frequency("per_week", 1, 45), "en gång per vecka", "0,75 timmar/vecka, varje vecka"),
        (_frequency("every_n_weeks", 1, 90, n=2), "en gång varannan vecka",
         "1,5 timmar varannan vecka"),
        (_frequency("every_n_weeks", 1, 120, n=3), "en gång var tredje vecka",
         "2 timmar var tredje vecka"),
        (_frequency("per_day", 1, 12), "en gång per dag",
         "0,2 timmar/dag, varje vecka, Alla dagar mån, tis, ons, tors, fre, lör, sön"),
        (_frequency("per_day", 3, 10, weekdays={1, 3, 5}), "tre gånger per dag (mån, ons, fre)",
         "0,5 timmar/dag, varje vecka, mån, ons, fre"),
        (_frequency("every_n_weeks", 12, 5, n=10), "12 gånger var 10:e vecka",
         "1 timmar var 10:e vecka"),
    ],
)  # fmt: skip
def test_frequency_wording_follows_bilaga_4(frequency, occasions, time):
    assert rules.occasion_text(frequency) == occasions
    assert rules.time_text(frequency) == time


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Hjälp med frukost kl. 8 och dusch 19.30", {rules.CLOCK_TIME, rules.TIME_OF_DAY}),
        ("kväll, tillsyn, hjälpa till med kvällsmål", {rules.TIME_OF_DAY}),
        ("Först hjälp upp ur sängen, sedan frukost, därefter medicin", {rules.STEP_BY_STEP,
                                                                       rules.TIME_OF_DAY}),
        ("1. Väck Lisa\n2. Hjälp med dusch\n3. Bädda", {rules.STEP_BY_STEP}),
        ("Kontaktperson för planering är dottern Linnéa. Lisa har katt och är storrökare.", set()),
        ("Omprövning - oförändrade insatser", set()),
        ("Beviljat 0.2 timmar per dag enligt SoL 4 kap. 1 §", set()),
    ],
)  # fmt: skip
def test_instruction_lint_finds_detail_steering(text, kinds):
    warnings = rules.lint_instruction("order_text", "Beställningstexten", text)
    assert {w.kind for w in warnings} == kinds
    assert all(w.field == "order_text" and w.suggestion for w in warnings)
    assert all("Beställningstexten" in w.message for w in warnings)


def test_generic_goals_are_flagged_with_a_better_wording():
    [warning] = rules.lint_goal("overall_goals-0", "Övergripande mål", "Skälig levnadsnivå")
    assert warning.kind == rules.GENERIC_GOAL
    assert "egna ord" in warning.suggestion
    assert rules.lint_goal("g", "Mål", "Lisas mål är att känna sig tryggare hemma.") == []


def test_a_missing_goal_is_a_warning_only_where_asked_for():
    assert rules.lint_goal("g", "Målet för Tillsyn", "", required=True)[0].kind == (
        rules.MISSING_GOAL
    )
    assert rules.lint_goal("g", "Övergripande mål", "") == []


def test_diff_snapshots_names_added_removed_and_changed():
    before = {
        "fields": {"Beställningstext": "A", "Antal besök per dag": "4"},
        "interventions": {
            "Duschhjälp": {"Frekvens": "en gång per vecka", "Minuter per månad": "03:16"},
            "Städning 2 rok": {"Frekvens": "en gång var tredje vecka"},
        },
    }
    after = {
        "fields": {"Beställningstext": "A", "Antal besök per dag": "6"},
        "interventions": {
            "Duschhjälp": {"Frekvens": "två gånger per vecka", "Minuter per månad": "06:32"},
            "Promenad": {"Frekvens": "två gånger per vecka"},
        },
    }
    changes = {(c.what, c.before, c.after) for c in rules.diff_snapshots(before, after)}
    assert ("Antal besök per dag", "4", "6") in changes
    assert ("Duschhjälp: Frekvens", "en gång per vecka", "två gånger per vecka") in changes
    assert ("Duschhjälp: Minuter per månad", "03:16", "06:32") in changes
    assert any(what == "Promenad" and after.startswith("Ny insats") for what, _, after in changes)
    assert ("Städning 2 rok", "Frekvens en gång var tredje vecka", "Insatsen har tagits bort") in (
        changes
    )
    assert not any(what == "Beställningstext" for what, _, _ in changes)
