"""Frequencies (validation and wording), the check against the decision, what sending
requires, and order diffs: pure functions, no database.

Ordered time is tested in test_ordered_time.py, the order-quality lint in test_quality.py.
"""

import pytest

from bestallning import rules
from bestallning.choices import Period


def _frequency(period, occasions=1, minutes=30, weekdays=rules.ALL_WEEKDAYS, n=1, double=False):
    return rules.Frequency(Period(period), occasions, minutes, frozenset(weekdays), n, double)


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


# ------------------------------------------------------------------------------- one frequency rule


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"period": "per_week", "occasions": 2}, {}),
        ({"period": "per_week", "occasions": None}, {"occasions"}),
        ({"period": "per_week", "occasions": None, "occasions_required": False}, set()),
        ({"period": "per_week", "occasions": 25}, {"occasions"}),
        ({"period": "every_n_weeks", "occasions": 1, "every_n_weeks": 1}, {"every_n_weeks"}),
        ({"period": "every_n_weeks", "occasions": 1, "every_n_weeks": 2}, set()),
        ({"period": "every_n_weeks", "occasions": 1, "every_n_weeks": 53}, {"every_n_weeks"}),
        ({"period": "per_week", "occasions": 1, "every_n_weeks": 1}, set()),  # not used per week
        ({"period": "per_day", "occasions": 1, "weekdays": []}, {"weekdays"}),
        ({"period": "per_day", "occasions": 1, "weekdays": [8]}, {"weekdays"}),
        ({"period": "per_week", "occasions": 1, "minutes": 0}, {"minutes"}),
        ({"period": "yearly", "occasions": 1}, {"period"}),
    ],
)
def test_one_frequency_rule(kwargs, errors):
    """The same bounds for orders, plans, their forms and serializers (issue 7: the forms said
    every_n_weeks ≥ 1, the services ≥ 2)."""
    assert set(rules.frequency_errors(**kwargs)) == set(errors)


# ------------------------------------------------------------------------------- the decision


def test_decision_kind_follows_the_granted_categories():
    assert rules.decision_kind({"personal_care"}) == "personal_care"
    assert rules.decision_kind({"service"}) == "service"
    assert rules.decision_kind({"service", "personal_care"}) == "personal_care_and_service"
    assert rules.decision_kind(set()) == "personal_care"


def test_granted_and_ordered_interventions_are_compared_both_ways():
    granted = {1: "Duschhjälp", 2: "Promenad", 3: "Personlig hygien", 4: "Toalettbesök",
               5: "På- och avklädning"}  # fmt: skip
    ordered = [
        rules.OrderedKind(1, "Duschhjälp"),
        rules.OrderedKind(9, "Städning 2 rok"),
        rules.OrderedKind(10, "Omvårdnadspaket morgon", (3, 4, 5)),  # its parts are granted
    ]
    assert rules.decision_mismatches(granted, ordered) == (["Promenad"], ["Städning 2 rok"])
    assert rules.decision_mismatches({}, ordered) == ([], [])  # nothing listed: nothing to check


def _facts(**overrides):
    values = {"daily_visits": 0, "interventions": (("Duschhjälp", 2, True),),
              "total_minutes": 261, "frame_minutes": 600}  # fmt: skip
    values.update(overrides)
    return rules.SendFacts(**values)


def test_an_order_within_its_frame_may_be_sent():
    assert rules.sending_blockers(_facts()) == []
    assert rules.sending_blockers(_facts(total_minutes=600)) == []


def test_an_order_above_its_decision_is_refused_naming_both_figures():
    [blocker] = rules.sending_blockers(_facts(total_minutes=3654, frame_minutes=600))
    assert "60:54 timmar/månad" in blocker and "beslutets 10:00 timmar/månad" in blocker
    assert "enhetschefen" in blocker


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"daily_visits": None}, "Antal besök per dag saknas"),
        ({"interventions": ()}, "inga beställda insatser"),
        ({"interventions": (("Duschhjälp", None, True),)}, "saknar fast frekvens"),
        ({"interventions": (("Duschhjälp", 2, False),)}, "saknar livsområde"),
        ({"decision_withdrawn": True}, "återkallat"),
        ({"decision_awaiting_manager": True}, "väntar på enhetschefens godkännande"),
        ({"decision_rejected_by_manager": True}, "inte godkänt"),
    ],
)
def test_each_thing_that_blocks_sending_is_said(overrides, words):
    [blocker] = rules.sending_blockers(_facts(**overrides))
    assert words in blocker
