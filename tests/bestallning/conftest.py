"""Decisions and orders for the bestallning tests, built through the services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bestallning import services
from ramtid.models import InterventionType, LifeArea
from ramtid.services import catalogue_copy_defaults

# The app's today: Stockholm's date, which differs from the machine's (UTC) around midnight.
TODAY = timezone.localdate()


def catalogue(municipality) -> dict[str, InterventionType]:
    catalogue_copy_defaults(municipality=municipality)
    return {t.name: t for t in InterventionType.objects.filter(municipality=municipality)}


def row(kind: InterventionType, **overrides) -> services.InterventionInput:
    """A complete intervention row: twice a week at the standard time, with a goal."""
    values = {
        "intervention_type": kind,
        "period": "per_week",
        "occasions": 2,
        "minutes": kind.standard_minutes,
        "life_area": LifeArea.objects.get(number=5),
        "client_goal": "Brukarens mål är att klara mer själv.",
    }
    values.update(overrides)
    return services.InterventionInput(**values)


def make_decision(world, *, hours=Decimal("40"), client=None, officer=None, **overrides):
    client = client or world.client
    return services.decision_create(
        client=client,
        by=officer or world.officer,
        outcome=overrides.pop("outcome", "granted"),
        decided_on=overrides.pop("decided_on", TODAY - datetime.timedelta(days=30)),
        valid_from=overrides.pop("valid_from", TODAY - datetime.timedelta(days=30)),
        hours_per_month=hours,
        reasoning="Behov av stöd i vardagen efter utskrivning.",
        purpose_and_goal="Att kunna bo kvar hemma tryggt.",
        **overrides,
    )


def make_order(world, *, decision=None, provider=None, valid_from=None, rows=None, **fields):
    """A draft order with one complete intervention (Duschhjälp twice a week)."""
    decision = decision or make_decision(world)
    order = services.order_create(
        decision=decision,
        by=world.officer,
        provider=provider or world.provider,
        valid_from=valid_from or decision.valid_from,
    )
    kinds = catalogue(decision.client.municipality)
    fields = {"daily_visits": 0, **fields}
    return services.order_save_draft(
        order=order,
        by=world.officer,
        version=order.version,
        fields=fields,
        interventions=rows if rows is not None else [row(kinds["Duschhjälp"])],
    )


@pytest.fixture
def kinds(world):
    return catalogue(world.municipality)


@pytest.fixture
def sent_order(world):
    return services.order_send(order=make_order(world), by=world.officer)
