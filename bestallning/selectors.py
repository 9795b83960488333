"""Every read of decisions and orders, scoped to the user (see ramtid.selectors)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from bestallning import ordered_time, rules
from bestallning.choices import ApprovalStatus
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from bestallning.states import EXECUTABLE, ISSUED_STATUSES
from ramtid import permissions
from ramtid.formatting import hhmm
from ramtid.models import User
from ramtid.selectors import clients_visible_to, provider_sees


def decisions_visible_to(user: User) -> QuerySet[Decision]:
    """Decisions are the ordering unit's: providers see the reference on the order only."""
    unit_ids = permissions.ordering_unit_ids(user)
    return Decision.objects.filter(client__ordering_unit_id__in=unit_ids).select_related(
        "client", "decided_by", "approved_by", "client__municipality"
    )


def decision_is_correctable(decision: Decision) -> bool:
    """A decision may be corrected while no order built on it has been sent: nobody has acted
    on it yet. After that, a wrong decision is withdrawn and replaced."""
    sent = decision.orders.filter(status__in=ISSUED_STATUSES)
    return not decision.is_withdrawn and not sent.exists()


def orders_visible_to(user: User) -> QuerySet[Order]:
    """The unit's officers and managers see every order of their clients, drafts included;
    a provider sees the orders sent to it, never drafts or other providers' orders, while it sees
    the client (ramtid.selectors.provider_sees: an order in force or about to start, or ended
    within the municipality's grace), its older, superseded or ended orders of the client too."""
    visible = Q(
        client__in=clients_visible_to(user).filter(
            ordering_unit_id__in=permissions.ordering_unit_ids(user)
        )
    )
    provider_ids = permissions.provider_ids(user)
    if provider_ids:
        visible |= Q(status__in=ISSUED_STATUSES) & provider_sees(
            provider_ids, client="client", provider="provider"
        )
    return Order.objects.filter(visible).select_related(
        "client",
        "client__municipality",
        "client__ordering_unit",
        "provider",
        "decision",
        "ordered_by",
        "supersedes",
    )


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
            status__in=sorted(EXECUTABLE),
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


def order_snapshot(order: Order) -> dict:
    """The parts of an order a provider reads, as text, for comparing two orders."""
    time = ordered_time.order_time(order)
    fields = {
        "Beställningstext": order.order_text,
        "Antal besök per dag": "" if order.daily_visits is None else str(order.daily_visits),
        "Dagliga besök avser": order.daily_visits_description,
        "Beställd kvantitet": f"{hhmm(time.total)} timmar/månad",
        "Övergripande mål": "; ".join(order.overall_goals),
        "Kroppsfunktioner": order.body_functions,
        "Omgivningsfaktorer": order.environmental_factors,
        "Hälsotillstånd": order.health_condition,
        "Personfaktorer": order.personal_factors,
    }
    interventions = {}
    for item, minutes in time.rows:
        frequency = item.frequency()
        interventions[str(item)] = {
            "Frekvens": rules.occasion_text(frequency) if frequency else "",
            "Tid": rules.time_text(frequency) if frequency else "",
            "Tid per månad": "" if minutes is None else f"{hhmm(minutes)} timmar",
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


def client_order_statuses(user: User) -> list:
    """The client list's status filter (settings.RAMTID_CLIENT_STATUS_FILTER): what a case
    officer follows up about her clients' orders. Only the orders the user may see count, so a
    provider learns nothing from it about another provider's orders.

    - in force: help has started (verkställd) and the order has not ended or been superseded by
      today; a superseded or ended order still counts until its last day;
    - waiting: sent or received, not yet started, the officer's follow-up of unexecuted orders;
    - neither: no order in force and none on its way (a new client, or help that has ended).
    A client with a started order and a change waiting to start is in the first two.
    """
    from django.db.models import Exists, OuterRef
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    from bestallning.states import EXECUTABLE
    from ramtid.selectors import ClientStatus

    today = timezone.localdate()
    orders = orders_visible_to(user).filter(client=OuterRef("pk"))
    in_force = Q(
        Exists(
            orders.filter(status__in=ISSUED_STATUSES, executed_on__isnull=False).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today)
            )
        )
    )
    # Sent or received: still waiting for the provider to start (states.py, the one table).
    waiting = Q(Exists(orders.filter(status__in=sorted(EXECUTABLE))))
    return [
        ClientStatus(
            "gallande",
            _("Med gällande beställning"),
            in_force,
            _("verkställd och inte avslutad"),
        ),
        ClientStatus(
            "vantar",
            _("Väntar på start"),
            waiting,
            _("skickad eller mottagen men inte verkställd"),
        ),
        ClientStatus(
            "utan",
            _("Utan gällande beställning"),
            ~in_force & ~waiting,
            _("ingen som gäller eller väntar på start"),
        ),
    ]
