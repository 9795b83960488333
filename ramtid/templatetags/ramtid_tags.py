"""Template filters for how Ramtid writes numbers (JOURNEYS.md: "51:36 tim/mån")."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def hhmm(minutes) -> str:
    """Minutes as hours and minutes: 3096 → "51:36", 5 → "0:05", -90 → "-1:30".

    Integer arithmetic on whole minutes (fractions rounded half up, away from zero), so no
    floating-point drift. Hours are not padded: a month's time reads "5:06", not "05:06".
    Empty for None or anything that is not a number.
    """
    if minutes is None or minutes == "" or isinstance(minutes, bool):
        return ""
    try:
        value = Decimal(str(minutes))
    except (InvalidOperation, ValueError):
        return ""
    if not value.is_finite():
        return ""
    total = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 60)
    return f"{sign}{hours}:{rest:02d}"
