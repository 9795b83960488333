"""Every read of plans, scoped to the user (see ramtid.selectors)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from bestallning.choices import ACTIVE_STATUSES
from bestallning.models import Order
from bestallning.selectors import orders_visible_to
from genomforandeplan import rules
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import ContactAssignment, ImplementationPlan, PlanVersion
from ramtid import permissions
from ramtid.models import User
from ramtid.selectors import clients_visible_to


def plans_visible_to(user: User) -> QuerySet[ImplementationPlan]:
    """The provider sees its own plans, drafts included; the ordering unit sees a plan once the
    client has approved it (it is then 'ready', 004 §3.2.4), never a first draft."""
    has_version = Exists(PlanVersion.objects.filter(plan=OuterRef("pk")))
    unit_ids = permissions.ordering_unit_ids(user)
    visible = Q(provider_id__in=permissions.provider_ids(user))
    if unit_ids:
        visible |= Q(has_version, client__ordering_unit_id__in=unit_ids)
    return (
        ImplementationPlan.objects.filter(visible, client__in=clients_visible_to(user))
        .select_related("client", "client__municipality", "provider", "order", "created_by")
        .order_by("client__last_name", "client__first_name")
    )


def first_ready_on(order: Order) -> datetime.date | None:
    first = PlanVersion.objects.filter(order=order).aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(first) if first else None


def order_plan_deadline(order: Order, today: datetime.date | None = None) -> rules.Deadline | None:
    """On time, late or missing for an executed order (None before the provider has started)."""
    if order.executed_on is None:
        return None
    return rules.plan_deadline(
        executed_on=order.executed_on,
        deadline_days=order.client.municipality.plan_deadline_days,
        ready_on=first_ready_on(order),
        today=today or timezone.localdate(),
    )


def contact_person_due(order: Order) -> datetime.date | None:
    if order.executed_on is None:
        return None
    return rules.add_days(order.executed_on, order.client.municipality.contact_person_days)


def orders_without_contact_person(user: User) -> QuerySet[Order]:
    """The coordinator's list of clients who have no contact person yet."""
    return (
        orders_visible_to(user)
        .filter(provider_id__in=permissions.provider_ids(user), status__in=ACTIVE_STATUSES)
        .exclude(Exists(ContactAssignment.objects.filter(order=OuterRef("pk"))))
        .order_by("executed_on", "valid_from")
    )


def next_follow_up_due(plan: ImplementationPlan) -> datetime.date | None:
    """The provider follows the plan up every N months (6 in Järfälla) from the last follow-up,
    or from the first time it was ready."""
    last = plan.follow_ups.order_by("-followed_up_on").first()
    if last is not None:
        start = last.followed_up_on
    else:
        first = plan.versions.order_by("number").first()
        if first is None:
            return None
        start = timezone.localdate(first.created_at)
    return rules.add_months(start, plan.client.municipality.plan_follow_up_months)


def plans_to_review(user: User) -> QuerySet[ImplementationPlan]:
    return plans_visible_to(user).filter(
        status=PlanStatus.READY,
        client__ordering_unit_id__in=permissions.ordering_unit_ids(user),
    )


def plan_version_texts(version: PlanVersion) -> dict[str, str]:
    """A version flattened to {label: text}, for comparing versions heading by heading."""
    from genomforandeplan.models import Headings

    labels = {f.name: str(f.verbose_name) for f in Headings._meta.get_fields()}
    data = version.snapshot
    texts = {f"Hela planen – {labels[k]}": v for k, v in data["headings"].items()}
    texts["Planerade besök per dag"] = str(data.get("planned_daily_visits") or 0)
    for item in data["items"]:
        texts[f"{item['name']} – frekvens"] = item["frequency"]
        for key, value in item["headings"].items():
            texts[f"{item['name']} – {labels[key]}"] = value
    texts["Hur brukaren påverkade planen"] = data.get("client_influence", "")
    texts["Levnadsberättelse"] = data.get("life_story", "")
    texts["Brukaren godkände"] = f"{data['client_approved_on']} ({data['client_approval_how']})"
    return texts


def version_diff(before: PlanVersion, after: PlanVersion) -> list[rules.VersionChange]:
    return rules.diff_versions(plan_version_texts(before), plan_version_texts(after))
