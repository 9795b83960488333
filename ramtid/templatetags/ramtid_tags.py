"""Template filters for how Ramtid writes numbers (ramtid.formatting)."""

from django import template

from ramtid import formatting

register = template.Library()


@register.filter
def hhmm(minutes) -> str:
    """Minutes as hours and minutes: 3096 → "51:36" (ramtid.formatting.hhmm)."""
    return formatting.hhmm(minutes)


@register.filter
def genitive(name) -> str:
    """A name in the genitive: "Stig Hedlunds" (ramtid.formatting.genitive)."""
    return formatting.genitive(str(name))
