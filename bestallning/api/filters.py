"""Query-parameter filters of the orders API (django-filter), with Swedish messages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from bestallning.choices import OrderStatus
from bestallning.models import Order
from ramtid.api.filters import unknown_choice


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices,
        help_text=_("Visa bara beställningar med den här statusen."),
        error_messages=unknown_choice("status", OrderStatus.values),
    )

    class Meta:
        model = Order
        fields = ["status"]
