"""A password rule Django's validators miss: a guessable word dressed up with digits and signs.

"Sommar2026!!" is 12 characters, not in Django's list of common passwords (it compares the whole
password), not only digits and not like the user's name, so it passed. It is one of the first
guesses of anyone who tries passwords: a season and a year. This refuses a password whose
letters, once the digits and signs are taken away, are a common password or a season, month,
weekday or another word guessed first in Swedish workplaces.
"""

from __future__ import annotations

import re
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# Lower case; a password's letters are compared after lower-casing and removing the rest.
PREDICTABLE_WORDS = frozenset(
    {
        # Seasons and their parts, Swedish and English.
        "vår", "var", "sommar", "höst", "host", "vinter", "jul", "påsk", "pask", "midsommar",
        "spring", "summer", "autumn", "fall", "winter", "christmas", "easter",
        # Months.
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december", "january", "february", "march", "may", "june",
        "july", "august", "october",
        # Weekdays.
        "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        # Words of the place and the job.
        "lösenord", "losenord", "välkommen", "valkommen", "hemtjänst", "hemtjanst", "ramtid",
        "kommun", "omsorg", "hej", "hejsan", "sverige", "stockholm", "göteborg", "malmö",
    }
)  # fmt: skip


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def letters_of(password: str) -> str:
    """The password's letters in lower case, digits, signs and spaces removed."""
    return re.sub(r"[\W\d_]+", "", password.lower())


class PredictablePasswordValidator:
    """Refuses a password that is a common word or a season, month or weekday with only digits
    and signs around or in it ("Sommar2026!!", "Password2024!", "!!Juli-2025??")."""

    def validate(self, password: str, user=None) -> None:
        letters = letters_of(password)
        if letters in PREDICTABLE_WORDS or letters in _common_passwords():
            raise ValidationError(
                "Lösenordet är ett vanligt ord, en årstid, en månad eller en veckodag med siffror "
                "eller tecken runt. Sådana gissas först. Välj till exempel flera ord i följd.",
                code="password_predictable",
            )

    def get_help_text(self) -> str:
        return (
            "Lösenordet får inte vara ett vanligt ord, en årstid, en månad eller en veckodag med "
            "siffror eller tecken runt."
        )
