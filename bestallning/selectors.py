"""Every read of decisions and orders, scoped to the user (see ramtid.selectors)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from bestallning import rules
from bestallning.choices import ISSUED_STATUSES, ApprovalStatus, OrderStatus
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from ramtid import permissions
from ramtid.models import User
from ramtid.selectors import clients_visible_to


def decisions_visible_to(user: User) -> QuerySet[Decision]:
    """Decisions are the ordering unit's: providers see the reference on the order only."""
    unit_ids = permissions.ordering_unit_ids(user)
    return Decision.objects.filter(client__ordering_unit_id__in=unit_ids).select_related(
        "client", "decided_by", "approved_by", "client__municipality"
    )


def orders_visible_to(user: User) -> QuerySet[Order]:
    """The unit's officers and managers see every order of their clients, drafts included;
    a provider sees the orders sent to it, never drafts or other providers' orders."""
    visible = Q(client__in=clients_visible_to(user).filter(
        ordering_unit_id__in=permissions.ordering_unit_ids(user)
    ))  # fmt: skip
    provider_ids = permissions.provider_ids(user)
    if provider_ids:
        visible |= Q(provider_id__in=provider_ids, status__in=ISSUED_STATUSES)
    return Order.objects.filter(visible).select_related(
        "client", "client__municipality", "client__ordering_unit", "provider", "decision",
        "ordered_by", "supersedes",
    )  # fmt: skip


def order_with_interventions(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.prefetch_related(
        Prefetch(
            "interventions",
            queryset=OrderedIntervention.objects.select_related(
                "intervention_type", "life_area", "life_area_category"
            ).prefetch_related("care_package_contents"),
        )
    )


def need_changes_visible_to(user: User) -> QuerySet[NeedChangeReport]:
    return NeedChangeReport.objects.filter(order__in=orders_visible_to(user)).select_related(
        "order", "order__client", "order__provider", "reported_by", "answered_by"
    )


def provider_inbox(user: User) -> QuerySet[Order]:
    """New and changed orders the provider has not yet acknowledged or started."""
    return (
        orders_visible_to(user)
        .filter(
            provider_id__in=permissions.provider_ids(user),
            status__in=[OrderStatus.SENT, OrderStatus.RECEIVED],
        )
        .order_by("sent_at")
    )


def decisions_awaiting_manager(user: User) -> QuerySet[Decision]:
    from ramtid.choices import Role

    units = permissions.ordering_unit_ids(user, {Role.UNIT_MANAGER})
    return (
        decisions_visible_to(user)
        .filter(client__ordering_unit_id__in=units, approval_status=ApprovalStatus.PENDING)
        .order_by("decided_on")
    )


def order_time_basis(
    order: Order,
) -> tuple[list[tuple[OrderedIntervention, int | None]], rules.TimeBasis]:
    """Each intervention with its minutes per month (None while its frequency is incomplete),
    and the time basis, with the municipality's month conversion."""
    municipality = order.client.municipality
    month = rules.MonthConversion(municipality.days_per_month, municipality.weeks_per_month)
    items = list(order.interventions.all())
    frequencies = [item.frequency() for item in items]
    basis = rules.time_basis([f for f in frequencies if f is not None], month)
    parts = iter(basis.parts)
    return [
        (item, next(parts) if f is not None else None)
        for item, f in zip(items, frequencies, strict=True)
    ], basis


def order_snapshot(order: Order) -> dict:
    """The parts of an order a provider reads, as text, for comparing two orders."""
    rows, basis = order_time_basis(order)
    fields = {
        "Beställningstext": order.order_text,
        "Antal besök per dag": "" if order.daily_visits is None else str(order.daily_visits),
        "Dagliga besök avser": order.daily_visits_description,
        "Beställd kvantitet": f"{rules.hhmm(basis.total)} timmar/månad",
        "Övergripande mål": "; ".join(order.overall_goals),
        "Kroppsfunktioner": order.body_functions,
        "Omgivningsfaktorer": order.environmental_factors,
        "Hälsotillstånd": order.health_condition,
        "Personfaktorer": order.personal_factors,
    }
    interventions = {}
    for item, minutes in rows:
        frequency = item.frequency()
        interventions[str(item)] = {
            "Frekvens": rules.occasion_text(frequency) if frequency else "",
            "Tid": rules.time_text(frequency) if frequency else "",
            "Minuter per månad": "" if minutes is None else rules.hhmm(minutes),
            "Resurser och svårigheter": item.description,
            "Mål": item.client_goal,
        }
    return {"fields": fields, "interventions": interventions}


def order_changes(order: Order) -> list[rules.Change]:
    """What changed since the order this one supersedes (empty for a first order)."""
    if order.supersedes_id is None:
        return []
    previous = order_with_interventions(Order.objects.filter(pk=order.supersedes_id)).get()
    return rules.diff_snapshots(order_snapshot(previous), order_snapshot(order))
