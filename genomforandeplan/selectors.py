"""Every read of plans, scoped to the user (see ramtid.selectors)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from bestallning.models import Order
from bestallning.selectors import order_with_interventions, orders_visible_to
from bestallning.states import ACTIVE_STATUSES, ISSUED_STATUSES
from genomforandeplan import rules
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanReview,
    PlanVersion,
)
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
    """The day the client first approved a plan written against the order: it was ready then
    (the deadline is measured on it, not on when the contact person recorded it)."""
    return PlanVersion.objects.filter(order=order).aggregate(first=Min("client_approved_on"))[
        "first"
    ]


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


def contact_person_due(order: Order) -> datetime.date:
    """When the client must have been offered a contact person and a deputy (004 §3.2.3): days
    after the help started, or, before it has, after the day the order starts. The worklist and
    the assignment page both say this date."""
    return rules.contact_person_due(
        starts=order.executed_on or order.valid_from,
        days=order.client.municipality.contact_person_days,
    )


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
        start = first.client_approved_on
    return rules.add_months(start, plan.client.municipality.plan_follow_up_months)


def plans_to_review(user: User) -> QuerySet[ImplementationPlan]:
    return plans_visible_to(user).filter(
        status=PlanStatus.READY,
        client__ordering_unit_id__in=permissions.ordering_unit_ids(user),
    )


def plan_version_texts(version: PlanVersion) -> dict[str, str]:
    """A version flattened to {label: text}, for comparing versions heading by heading."""
    from genomforandeplan.models import HEADING_FIELDS, Headings

    labels = {f.name: str(f.verbose_name) for f in Headings._meta.get_fields()}
    data = version.snapshot
    # In the order of 004 §3.3, whatever order the JSON keys came back from the database in.
    texts = {f"Hela planen – {labels[k]}": data["headings"].get(k, "") for k in HEADING_FIELDS}
    texts["Planerade besök per dag"] = str(data.get("planned_daily_visits") or 0)
    for item in data["items"]:
        texts[f"{item['name']} – frekvens"] = item["frequency"]
        for key in HEADING_FIELDS:
            texts[f"{item['name']} – {labels[key]}"] = item["headings"].get(key, "")
    texts["Hur brukaren påverkade planen"] = data.get("client_influence", "")
    texts["Levnadsberättelse"] = data.get("life_story", "")
    texts["Brukaren godkände"] = f"{data['client_approved_on']} ({data['client_approval_how']})"
    return texts


def version_diff(before: PlanVersion, after: PlanVersion) -> list[rules.VersionChange]:
    return rules.diff_versions(plan_version_texts(before), plan_version_texts(after))


# ---------------------------------------------------------------------------------------------
# Lists: a fixed number of queries however many orders or plans (the start page's worklists)


def order_plan_deadlines(
    orders: list[Order], today: datetime.date | None = None
) -> dict[int, rules.Deadline]:
    """`order_plan_deadline` for many orders in one query: {order id: Deadline} for the executed
    ones. The orders must come with client__municipality (orders_visible_to does)."""
    executed = [order for order in orders if order.executed_on is not None]
    first = dict(
        PlanVersion.objects.filter(order__in=executed)
        .values("order")
        .annotate(first=Min("client_approved_on"))
        .values_list("order", "first")
    )
    today = today or timezone.localdate()
    return {
        order.pk: rules.plan_deadline(
            executed_on=order.executed_on,
            deadline_days=order.client.municipality.plan_deadline_days,
            ready_on=first.get(order.pk),
            today=today,
        )
        for order in executed
    }


def with_worklist_facts(plans: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    """Plans annotated with what the worklists show without a query per plan: the last
    follow-up, when the plan was first ready, and the latest review's outcome and comment."""
    versions = PlanVersion.objects.filter(plan=OuterRef("pk"))
    latest_review = PlanReview.objects.filter(version__plan=OuterRef("pk")).order_by(
        "-version__number"
    )
    return plans.annotate(
        last_follow_up_on=Subquery(
            PlanFollowUp.objects.filter(plan=OuterRef("pk"))
            .order_by("-followed_up_on")
            .values("followed_up_on")[:1]
        ),
        first_ready_on=Subquery(versions.order_by("number").values("client_approved_on")[:1]),
        latest_number=Subquery(versions.order_by("-number").values("number")[:1]),
        review_outcome=Subquery(latest_review.values("outcome")[:1]),
        review_version=Subquery(latest_review.values("version__number")[:1]),
        review_comment=Subquery(latest_review.values("comment")[:1]),
    )


def follow_up_due_of(plan: ImplementationPlan) -> datetime.date | None:
    """`next_follow_up_due` from the annotations of `with_worklist_facts`."""
    if plan.last_follow_up_on is not None:
        start = plan.last_follow_up_on
    elif plan.first_ready_on is not None:
        start = plan.first_ready_on
    else:
        return None
    return rules.add_months(start, plan.client.municipality.plan_follow_up_months)


def current_orders(plans: Iterable[ImplementationPlan]) -> dict[int, Order]:
    """`services.current_order` for many plans in one query (plus the prefetches): {plan id: the
    newest issued order for the plan's client at its provider, or else the plan's own order}.

    The orders come with what the plans API reads of them: the interventions with their types
    and package contents, the client's municipality and the contact assignment.
    """
    plans = list(plans)
    if not plans:
        return {}
    # PostgreSQL's DISTINCT ON: the newest issued order of each client and provider.
    newest = (
        Order.objects.filter(
            client_id__in={plan.client_id for plan in plans},
            provider_id__in={plan.provider_id for plan in plans},
            status__in=ISSUED_STATUSES,
        )
        .order_by("client_id", "provider_id", "-valid_from", "-id")
        .distinct("client_id", "provider_id")
        .values("pk")
    )
    orders = order_with_interventions(
        Order.objects.filter(Q(pk__in=newest) | Q(pk__in={plan.order_id for plan in plans}))
    ).select_related(
        "client__municipality", "contact_assignment__contact_person", "contact_assignment__deputy"
    )
    by_pk = {order.pk: order for order in orders}
    by_pair = {
        (order.client_id, order.provider_id): order
        for order in sorted(by_pk.values(), key=lambda order: (order.valid_from, order.pk))
        if order.status in ISSUED_STATUSES
    }
    return {
        plan.pk: by_pair.get((plan.client_id, plan.provider_id)) or by_pk[plan.order_id]
        for plan in plans
    }
