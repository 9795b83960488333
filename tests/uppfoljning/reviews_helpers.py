"""Orders, reports, reviews and visits for the tests of individual reviews and staff continuity
(engineer D). Orders are built through bestallning's services; visits are inserted directly
into their monthly partition, as the import would leave them."""

from __future__ import annotations

import datetime
import zoneinfo
from itertools import count

from bestallning import services as order_services
from bestallning.choices import NeedChangeDirection, NeedChangeDuration, NeedChangeReason
from bestallning.models import NeedChangeReport, Order
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import ClientFactory
from uppfoljning.choices import ImportChannel, ReviewOutcome, ReviewReason, VisitStatus
from uppfoljning.models import IndividualReview, PerformedVisit, VisitImport
from uppfoljning.partitions import ensure_month_partitions, first_of_month

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
_external_ids = count(1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def new_client(world, **fields):
    return ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer, **fields)


def executed_order(
    world, *, executed_on: datetime.date, client=None, valid_from=None, provider=None
) -> Order:
    """A decision and an order for `client` (a new client of the world's unit by default),
    sent and executed on `executed_on`."""
    client = client or new_client(world)
    start = valid_from or executed_on
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = order_services.order_send(
        order=make_order(world, decision=decision, valid_from=start, provider=provider),
        by=world.officer,
    )
    return order_services.order_execute(order=order, by=world.coordinator, executed_on=executed_on)


def change_order(
    world, order: Order, *, valid_from: datetime.date, executed_on=None, decision=None
):
    """A change of `order` from `valid_from`, sent (superseding it) and executed if asked."""
    change = order_services.order_change_create(
        order=order, by=world.officer, valid_from=valid_from, decision=decision
    )
    change = order_services.order_send(order=change, by=world.officer)
    if executed_on is not None:
        change = order_services.order_execute(
            order=change, by=world.coordinator, executed_on=executed_on
        )
    return change


def report_need_change(world, order: Order, *, reported_at: datetime.datetime | None = None):
    report = order_services.need_change_report(
        order=order,
        by=world.coordinator,
        direction=NeedChangeDirection.INCREASED,
        duration=NeedChangeDuration.LASTING,
        reason=NeedChangeReason.ILLNESS,
        description="Brukaren behöver mer hjälp på morgonen.",
    )
    if reported_at is not None:
        NeedChangeReport.objects.filter(pk=report.pk).update(reported_at=reported_at)
        report.refresh_from_db()
    return report


ANSWERS = {
    "interventions_work": "Ja, hjälpen fungerar.",
    "needs_met": "Ja.",
    "decision_must_change": "Nej.",
    "client_took_part": "Ja, brukaren deltog i planeringen.",
    "client_satisfied": "Ja, nöjd.",
    "contacted_contact_person": True,
    "contacted_others": "Dottern",
    "outcome": ReviewOutcome.UNCHANGED,
}


def open_review(
    world, *, client=None, order=None, due_on=None, reason=ReviewReason.YEARLY, key=None
):
    """An open review as a check would have created it."""
    client = client or new_client(world)
    due_on = due_on or datetime.date(2026, 12, 15)
    return IndividualReview.objects.create(
        key=key or f"{reason}:{client.pk}:{due_on:%Y-%m-%d}",
        client=client,
        order=order,
        ordering_unit=client.ordering_unit,
        reason=reason,
        due_on=due_on,
    )


def local(text: str) -> datetime.datetime:
    """'2026-10-31 08:00' in Swedish time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def add_visits(
    order: Order,
    visits: list[tuple[str, str]],
    *,
    status=VisitStatus.PERFORMED,
    provider=None,
    client_id=None,
) -> None:
    """Visits of 30 minutes at `order`'s client (or `client_id`): (start 'YYYY-MM-DD HH:MM' in
    Swedish time, staff code). The visits' keys have no constraints, as in the import."""
    provider = provider or order.provider
    starts = [local(start) for start, _staff in visits]
    ensure_month_partitions({first_of_month(s.astimezone(STOCKHOLM).date()) for s in starts})
    batch = VisitImport.objects.create(
        provider=provider, created_by=order.ordered_by, channel=ImportChannel.API
    )
    PerformedVisit.objects.bulk_create(
        [
            PerformedVisit(
                provider=provider,
                month=first_of_month(start.date()),
                external_id=f"v{next(_external_ids)}",
                client_id=client_id or order.client_id,
                order=order,
                start=start,
                end=start + datetime.timedelta(minutes=30),
                minutes=30,
                staff=staff,
                status=status,
                visit_import=batch,
            )
            for start, (_text, staff) in zip(starts, visits, strict=True)
        ]
    )
