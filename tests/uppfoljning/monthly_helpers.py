"""Orders and visits for the monthly check's tests.

Orders are made through bestallning's services (sent, changed, ended as the officer would);
their `ordered_minutes` is then set to a round figure so that the pro-rating is easy to read.
Visits are inserted straight into the month's partition, as the import would leave them: these
tests do not depend on the import's code.
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from bestallning import services as order_services
from bestallning.models import Order
from ramtid.models import Client
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import ClientFactory
from uppfoljning.choices import ImportChannel, ImportStatus, VisitStatus
from uppfoljning.models import PerformedVisit, VisitImport
from uppfoljning.partitions import ensure_month_partitions, first_of_month

_visit_ids = itertools.count(1)


def client_of(world, **fields) -> Client:
    return ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer, **fields)


def sent_order(
    world,
    *,
    client: Client | None = None,
    provider=None,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    monthly: int = 3000,
) -> Order:
    """An order sent to the provider (the world's unless given), in force from `valid_from`,
    ended after `valid_to` if given, with `monthly` ordered minutes a month."""
    client = client or client_of(world)
    today = timezone.localdate()
    decision = make_decision(
        world, client=client, valid_from=valid_from, decided_on=min(valid_from, today)
    )
    order = make_order(world, decision=decision, provider=provider, valid_from=valid_from)
    order = order_services.order_send(order=order, by=world.officer)
    Order.objects.filter(pk=order.pk).update(ordered_minutes=monthly)
    if valid_to is not None:
        order = order_services.order_end(
            order=order, by=world.officer, ended_on=valid_to, reason="Brukaren har flyttat."
        )
    order.refresh_from_db()
    return order


def change(world, order: Order, *, valid_from: datetime.date, monthly: int) -> Order:
    """A change order superseding `order` from `valid_from` (the old one ends the day before)."""
    draft = order_services.order_change_create(order=order, by=world.officer, valid_from=valid_from)
    new = order_services.order_send(order=draft, by=world.officer)
    Order.objects.filter(pk=new.pk).update(ordered_minutes=monthly)
    new.refresh_from_db()
    order.refresh_from_db()
    return new


def add_visits(
    order: Order,
    month: datetime.date,
    *,
    performed: int = 0,
    declined: int = 0,
    absent: int = 0,
    by=None,
) -> None:
    """Visits of the order in `month` adding up to these minutes per status (one visit each),
    inserted into the month's partition."""
    month = first_of_month(month)
    ensure_month_partitions([month])
    visit_import = VisitImport.objects.create(
        provider_id=order.provider_id,
        created_by=by or order.ordered_by,
        channel=ImportChannel.API,
        status=ImportStatus.DONE,
    )
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time(8, 0)))
    rows = []
    for status, minutes in (
        (VisitStatus.PERFORMED, performed),
        (VisitStatus.DECLINED, declined),
        (VisitStatus.ABSENT, absent),
    ):
        if not minutes:
            continue
        rows.append(
            PerformedVisit(
                provider_id=order.provider_id,
                month=month,
                external_id=f"test-{next(_visit_ids)}",
                client_id=order.client_id,
                order_id=order.pk,
                start=start,
                end=start + datetime.timedelta(minutes=minutes),
                minutes=minutes,
                staff="P001",
                status=status,
                visit_import=visit_import,
            )
        )
    PerformedVisit.objects.bulk_create(rows)
