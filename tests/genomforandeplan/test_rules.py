import datetime

import pytest

from genomforandeplan import rules


def _item(type_id, name, period="per_week", occasions=2, n=1):
    return rules.Item(type_id, name, period, occasions, n)


def _gaps(ordered, planned, ordered_visits=4, planned_visits=4):
    return rules.coverage_gaps(
        ordered=ordered, planned=planned, ordered_daily_visits=ordered_visits,
        planned_daily_visits=planned_visits, frequency_text=lambda i: f"{i.occasions}/{i.period}",
    )  # fmt: skip


def test_a_plan_that_matches_the_order_has_no_gaps():
    items = [_item(1, "Duschhjälp"), _item(2, "Promenad")]
    assert _gaps(items, list(items)) == []


def test_missing_extra_and_frequency_mismatch_are_each_named():
    ordered = [_item(1, "Duschhjälp"), _item(2, "Tillsyn", "per_day", 2)]
    planned = [_item(2, "Tillsyn", "per_day", 1), _item(3, "Toalettbesök")]
    gaps = {gap.key: gap for gap in _gaps(ordered, planned, 6, 5)}
    assert gaps["missing-1"].message == "Saknas i planen: Duschhjälp"
    assert gaps["extra-3"].message == "Finns i planen men är inte beställt: Toalettbesök"
    assert gaps["frequency-2"].kind == rules.FREQUENCY
    assert "1/per_day" in gaps["frequency-2"].message and "2/per_day" in gaps["frequency-2"].message
    assert "planen har 5 per dag, beställningen 6" in gaps["daily_visits"].message
    assert set(gaps) == {"missing-1", "extra-3", "frequency-2", "daily_visits"}


def test_every_n_weeks_matters_only_for_that_period():
    assert _gaps([_item(1, "Städ", "every_n_weeks", 1, 3)],
                 [_item(1, "Städ", "every_n_weeks", 1, 2)])  # fmt: skip
    assert not _gaps([_item(1, "Dusch", "per_week", 2, 1)], [_item(1, "Dusch", "per_week", 2, 5)])


def test_a_gap_with_a_reason_is_explained_a_blank_reason_is_not():
    gaps = _gaps([_item(1, "Duschhjälp")], [])
    assert rules.unexplained(gaps, {}) == gaps
    assert rules.unexplained(gaps, {"missing-1": "   "}) == gaps
    assert rules.unexplained(gaps, {"missing-1": "Lisa tackar nej till dusch just nu."}) == []


def test_version_diff_is_readable_line_by_line():
    before = {"Mitt mål": "Klara håret själv.", "Vad jag behöver hjälp med": "Rygg\nFötter"}
    after = {"Mitt mål": "Klara håret själv.", "Vad jag behöver hjälp med": "Rygg\nTår",
             "Levnadsberättelse": "Författare."}  # fmt: skip
    changes = {c.what: c for c in rules.diff_versions(before, after)}
    assert set(changes) == {"Vad jag behöver hjälp med", "Levnadsberättelse"}
    lines = changes["Vad jag behöver hjälp med"].lines
    assert (" ", "Rygg") in lines and ("-", "Fötter") in lines and ("+", "Tår") in lines


# ------------------------------------------------------------------------------- care packages
# 004 §2.4.2: a care package is one time for several personal-care tasks at the same visit. A plan
# that writes the parts out covers the package (issue 7, fault 6).

MORNING = rules.Item(
    10,
    "Omvårdnadspaket morgon",
    "per_day",
    1,
    1,
    ((1, "Personlig hygien"), (2, "På- och avklädning"), (3, "Toalettbesök")),
)


def test_a_package_written_out_part_by_part_is_covered():
    planned = [
        _item(1, "Personlig hygien", "per_day", 1),
        _item(2, "På- och avklädning", "per_day", 1),
        _item(3, "Toalettbesök", "per_day", 1),
    ]
    assert _gaps([MORNING], planned) == []


def test_the_package_itself_covers_it_too():
    assert _gaps([MORNING], [_item(10, "Omvårdnadspaket morgon", "per_day", 1)]) == []


def test_a_part_left_out_is_named_with_its_package():
    planned = [_item(1, "Personlig hygien", "per_day", 1), _item(3, "Toalettbesök", "per_day", 1)]
    [gap] = _gaps([MORNING], planned)
    assert (gap.key, gap.message) == (
        "missing-2",
        "Saknas i planen: På- och avklädning (ingår i Omvårdnadspaket morgon)",
    )


def test_a_written_out_part_must_keep_the_package_frequency():
    planned = [
        _item(1, "Personlig hygien", "per_day", 2),
        _item(2, "På- och avklädning", "per_day", 1),
        _item(3, "Toalettbesök", "per_day", 1),
    ]
    [gap] = _gaps([MORNING], planned)
    assert gap.key == "frequency-1"
    assert "(i Omvårdnadspaket morgon)" in gap.message


def test_a_part_shared_by_two_packages_counts_both_visits():
    evening = rules.Item(
        11,
        "Omvårdnadspaket kväll",
        "per_day",
        1,
        1,
        ((1, "Personlig hygien"), (2, "På- och avklädning"), (4, "Tillsyn")),
    )
    planned = [
        _item(1, "Personlig hygien", "per_day", 2),
        _item(2, "På- och avklädning", "per_day", 2),
        _item(3, "Toalettbesök", "per_day", 1),
        _item(4, "Tillsyn", "per_day", 1),
    ]
    assert _gaps([MORNING, evening], planned) == []


def test_nothing_of_the_package_planned_is_one_missing_package_not_its_parts():
    [gap] = _gaps([MORNING], [])
    assert gap.message == "Saknas i planen: Omvårdnadspaket morgon"


def test_an_unordered_intervention_next_to_a_written_out_package_is_still_extra():
    planned = [
        _item(1, "Personlig hygien", "per_day", 1),
        _item(2, "På- och avklädning", "per_day", 1),
        _item(3, "Toalettbesök", "per_day", 1),
        _item(7, "Promenad"),
    ]
    assert [gap.key for gap in _gaps([MORNING], planned)] == ["extra-7"]


# ------------------------------------------------------------------------------- completion


def _facts(**overrides):
    values = {
        "participants": ("client",),
        "meeting_place": "home",
        "client_influence": "Ville själv.",
        "deviation_reason": "",
        "deviation_helper": "",
        "client_approved_on": datetime.date(2026, 3, 20),
        "client_approval_how": "Muntligt",
        "item_count": 1,
        "gaps": (),
        "reasons": {},
        "order_starts": datetime.date(2026, 3, 1),
        "previous_approval": None,
        "today": datetime.date(2026, 3, 25),
    }
    values.update(overrides)
    return rules.CompletionFacts(**values)


def test_a_complete_plan_has_no_blockers():
    assert rules.completion_blockers(_facts()) == []


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"client_approved_on": None}, "client_approved_on", "Ange datum"),
        ({"client_approved_on": datetime.date(2026, 3, 26)}, "client_approved_on", "framtiden"),
        (
            {"client_approved_on": datetime.date(2026, 2, 28)},
            "client_approved_on",
            "före 2026-03-01, då beställningen började gälla",
        ),
        (
            {"previous_approval": datetime.date(2026, 3, 21)},
            "client_approved_on",
            "före 2026-03-21, då förra versionen godkändes",
        ),
        ({"client_approval_how": "  "}, "client_approval_how", "Skriv hur"),
        ({"participants": ()}, "participants", "Delaktighet saknas"),
        ({"item_count": 0}, "items", "inga insatser"),
    ],
)
def test_each_blocker_names_its_field(overrides, field, words):
    [blocker] = rules.completion_blockers(_facts(**overrides))
    assert blocker.field == field and words in blocker.message


def test_a_reason_for_not_taking_part_replaces_participation():
    facts = _facts(
        participants=(),
        meeting_place="",
        client_influence="",
        deviation_reason="Har demens och orkade inte.",
        deviation_helper="Dottern",
    )
    assert rules.completion_blockers(facts) == []


def test_every_required_field_is_labelled_by_what_it_is_needed_for():
    labels = rules.needed_for_labels()
    for name in (
        "client_approved_on",
        "client_approval_how",
        "participants",
        "meeting_place",
        "client_influence",
        "deviation_reason",
        "deviation_helper",
    ):
        assert labels[name].startswith("krävs för att slutföra")
