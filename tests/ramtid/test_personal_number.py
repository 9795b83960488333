import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from ramtid import personal_number
from ramtid.demo import make_personal_number


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("20121212-1212", "201212121212"),
        ("121212-1212", "201212121212"),  # under 100 years: this century
        ("121212+1212", "191212121212"),  # '+': the person has turned 100
        ("1212121212", "201212121212"),
        (" 19121212 - 1212 ", "191212121212"),
        ("19121212 1212", "191212121212"),
    ],
)
def test_common_written_forms_normalise_to_twelve_digits(written, expected):
    assert personal_number.normalise(written) == expected


def test_coordination_number_is_accepted_and_recognised():
    # Samordningsnummer: the day of birth plus 60 (3 October → 63).
    normalised = personal_number.normalise("701063-2391")
    assert normalised == "197010632391"
    assert personal_number.is_coordination_number(normalised)
    assert not personal_number.is_coordination_number("191212121212")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("19121212-1213", "invalid"),  # wrong check digit
        ("19900230-1234", "invalid"),  # 30 February does not exist
        ("19901301-1234", "invalid"),  # month 13
        ("20991212-1212", "invalid"),  # born in the future
        ("1912121212121", "format"),
        ("abc", "format"),
        ("", "format"),
        ("1912-12-12-1212", "format"),
    ],
)
def test_invalid_numbers_are_refused_with_a_swedish_message(written, code):
    with pytest.raises(ValidationError) as error:
        personal_number.normalise(written)
    assert error.value.code == code
    assert "ersonnum" in error.value.messages[0]


def test_display_and_masked_forms():
    assert personal_number.display("193804121234") == "19380412-1234"
    assert personal_number.masked("193804121234") == "19380412-****"


def test_model_validator_wants_the_normalised_form():
    personal_number.validate("191212121212")
    with pytest.raises(ValidationError):
        personal_number.validate("19121212-1212")


@given(
    born=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    serial=st.integers(min_value=1, max_value=999),
    coordination=st.booleans(),
)
def test_every_generated_number_round_trips(born, serial, coordination):
    number = make_personal_number(born, serial, coordination=coordination)
    assert personal_number.normalise(number) == number
    assert personal_number.normalise(personal_number.display(number)) == number
    assert personal_number.is_coordination_number(number) == coordination
