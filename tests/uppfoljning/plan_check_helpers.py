"""Executed orders at chosen dates for the plan check's tests (uppfoljning.plan_check), built
through the services and then moved in time as a load-data generator would write history."""

from __future__ import annotations

import datetime

from bestallning import services as order_services
from bestallning.models import Order
from genomforandeplan import services as plan_services
from genomforandeplan.models import ImplementationPlan, PlanVersion
from ramtid.models import User
from tests.bestallning.conftest import TODAY, make_decision, make_order
from tests.factories import ClientFactory

D = datetime.date


def executed(world, *, on: D, client=None, provider=None) -> Order:
    """A sent and executed order for `client` (a new client of the world's unit by default),
    started on `on`."""
    client = client or ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    start = TODAY - datetime.timedelta(days=3)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = make_order(world, decision=decision, valid_from=start, provider=provider)
    order = order_services.order_send(order=order, by=world.officer)
    coordinator = world.coordinator if provider in (None, world.provider) else None
    order = order_services.order_execute(
        order=order, by=coordinator or world.other_coordinator, executed_on=start
    )
    Order.objects.filter(pk=order.pk).update(executed_on=on, valid_from=on)
    order.refresh_from_db()
    return order


def ready(world, order: Order, *, on: D) -> ImplementationPlan:
    """The order's plan, started and ready (a version the client approved on `on`)."""
    plan = ImplementationPlan.objects.filter(client=order.client, provider=order.provider).first()
    plan = plan or plan_services.plan_start(order=order, by=world.contact_person)
    PlanVersion.objects.create(
        plan=plan, number=plan.versions.count() + 1, order=order, snapshot={},
        client_approved_on=on, created_by=world.contact_person,
    )  # fmt: skip
    return plan


def with_emails(world) -> None:
    """The world's people get e-mail addresses (the factories give none)."""
    for name in ("officer", "other_officer", "coordinator", "other_coordinator",
                 "contact_person", "manager"):  # fmt: skip
        user = getattr(world, name)
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.se")
