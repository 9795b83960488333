import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ramtid import personal_number
from ramtid.demo import luhn_check_digit, make_personal_number


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
        ("20991212-1212", "invalid"),  # a wrong check digit (for a future date, see below)
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


def _number(born: datetime.date, serial: int, *, coordination: bool = False) -> str:
    """A number with a valid check digit, for any date (make_personal_number validates it)."""
    nine = f"{born:%y%m}{born.day + (60 if coordination else 0):02d}{serial:03d}"
    return f"{born:%Y}{nine[2:]}{luhn_check_digit(nine)}"


@pytest.mark.parametrize("coordination", [False, True])
def test_a_birth_date_in_the_future_is_refused_on_the_field(coordination):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    number = _number(tomorrow, 123, coordination=coordination)
    with pytest.raises(ValidationError) as error:
        personal_number.normalise(personal_number.display(number))
    assert error.value.code == "future"
    # The date the number stands for, a coordination number's day less 60.
    assert error.value.messages == [
        f"Födelsedatumet i personnumret ({tomorrow:%Y-%m-%d}) ligger i framtiden. "
        "Kontrollera numret."
    ]


@pytest.mark.parametrize("coordination", [False, True])
def test_a_birth_date_today_is_accepted(coordination):
    # A coordination number of someone born today has a day 60 beyond today's: still not future.
    today = timezone.localdate()
    number = _number(today, 124, coordination=coordination)
    assert personal_number.normalise(number) == number


def test_the_future_is_measured_from_the_day_given():
    number = _number(datetime.date(2024, 1, 1), 456)
    assert personal_number.normalise(number, today=datetime.date(2024, 1, 1)) == number
    with pytest.raises(ValidationError):
        personal_number.normalise(number, today=datetime.date(2023, 12, 31))
    coordination = _number(datetime.date(2024, 1, 1), 456, coordination=True)
    assert personal_number.normalise(coordination, today=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        personal_number.normalise(coordination, today=datetime.date(2023, 12, 31))


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


@pytest.mark.parametrize(
    "written",
    [
        "١٩١٢١٢١٢١٢١٢",  # Arabic-Indic digits
        "１９１２１２１２－１２１２",  # full-width digits and hyphen
        "１９１２１２１２１２１２",
        "19121212-١٢١٢",
    ],
)
def test_only_ascii_digits_are_a_personal_number(written):
    with pytest.raises(ValidationError) as error:
        personal_number.normalise(written)
    assert error.value.code == "format"
