"""Query-parameter filters of the core's API (django-filter), with Swedish messages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from ramtid.choices import InterventionCategory
from ramtid.models import InterventionType


def unknown_choice(what: str, values: list[str]) -> dict[str, str]:
    """The error message of a choice filter given a value it does not know, naming the values it
    does (for a ChoiceFilter's `error_messages`)."""
    return {"invalid_choice": f"Okänd {what}. Välj bland: {', '.join(values)}."}


class CatalogueFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        choices=InterventionCategory.choices,
        help_text=_("Visa bara insatser i den här kategorin."),
        error_messages=unknown_choice("kategori", InterventionCategory.values),
    )
    active = django_filters.BooleanFilter(
        help_text=_("true: bara insatser som kan beställas; false: bara avvecklade.")
    )

    class Meta:
        model = InterventionType
        fields = ["category", "active"]
