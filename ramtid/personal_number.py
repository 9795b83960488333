"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Validated with the maintained `personnummer` package, which checks the date and the Luhn checksum
and accepts coordination numbers (day + 60); python-stdnum's se.personnummer rejects those.
Stored normalised as 12 digits (YYYYMMDDNNNN); shown as YYYYMMDD-NNNN, masked in lists.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

# ASCII digits only: \d would also take Arabic-Indic or full-width digits, which then reached
# the database un-normalised (issue 10).
_WRITTEN_FORM = re.compile(r"^([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})$")


def normalise(value: str, *, today: datetime.date | None = None) -> str:
    """Return the 12-digit form of a personal or coordination number, or raise ValidationError.

    Accepts the common written forms: YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN, YYMMDDNNNN and
    YYMMDD+NNNN (the '+' marks a person aged 100 or more), with spaces anywhere. A birth date
    after `today` (default: today in Sweden) is refused; a coordination number's date is its
    day minus 60.
    """
    compact = re.sub(r"\s+", "", value or "")
    if not _WRITTEN_FORM.match(compact):
        raise ValidationError(
            _("Ange personnummer eller samordningsnummer som ÅÅÅÅMMDD-NNNN."), code="format"
        )
    try:
        number = personnummer.Personnummer(compact)
    except personnummer.PersonnummerException:
        raise ValidationError(
            _(
                "Personnumret är inte giltigt: datumet finns inte "
                "eller kontrollsiffran stämmer inte."
            ),
            code="invalid",
        ) from None
    born = number.get_date()
    if born > (today or timezone.localdate()):
        raise ValidationError(
            _("Födelsedatumet i personnumret (%(date)s) ligger i framtiden. Kontrollera numret."),
            code="future",
            params={"date": born.isoformat()},
        )
    return number.format(True)


def is_coordination_number(normalised: str) -> bool:
    return int(normalised[6:8]) > 60


def display(normalised: str) -> str:
    """YYYYMMDD-NNNN, the form users read and write."""
    return f"{normalised[:8]}-{normalised[8:]}"


def masked(normalised: str) -> str:
    """YYYYMMDD-****, for lists: enough to tell people apart, not enough to identify them."""
    return f"{normalised[:8]}-****"


def validate(value: str) -> None:
    """Model-field validator: the stored value must already be the normalised form."""
    if not re.fullmatch(r"[0-9]{12}", value or "") or normalise(value) != value:
        raise ValidationError(_("Personnumret ska lagras som tolv siffror."), code="not_normalised")
