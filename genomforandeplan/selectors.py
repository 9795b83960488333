"""Every read of plans, scoped to the user (see ramtid.selectors)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bestallning.models import Order
from bestallning.selectors import order_with_interventions, orders_visible_to
from bestallning.states import ACTIVE_STATUSES, ISSUED_STATUSES
from genomforandeplan import rules
from genomforandeplan.choices import DeadlineStatus, PlanStatus
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanReview,
    PlanVersion,
)
from genomforandeplan.states import REVIEWABLE
from ramtid import permissions
from ramtid.choices import Role
from ramtid.models import User
from ramtid.selectors import clients_visible_to, provider_sees


def plans_visible_to(user: User) -> QuerySet[ImplementationPlan]:
    """The provider sees its own plans, drafts included, while it sees the client
    (ramtid.selectors.provider_sees): its coordinators every plan, a contact person only those
    of the clients she is the named contact person or deputy for (with_named_contact; issue 10:
    she writes no other, and reads no other either, as she sees only her own clients'
    reminders). The ordering unit sees a plan once the client has approved it (it is then
    'ready', 004 §3.2.4), never a first draft."""
    has_version = Exists(PlanVersion.objects.filter(plan=OuterRef("pk")))
    plans = ImplementationPlan.objects.all()
    visible = Q(pk__in=[])
    every_plan, own_clients = plan_writer_provider_ids(user)
    if every_plan:
        visible |= provider_sees(every_plan, client="client", provider="provider")
    if own_clients:
        plans = with_named_contact(plans)
        visible |= provider_sees(own_clients, client="client", provider="provider") & _names(user)
    unit_ids = permissions.ordering_unit_ids(user)
    if unit_ids:
        visible |= Q(has_version, client__ordering_unit_id__in=unit_ids)
    return (
        plans.filter(visible, client__in=clients_visible_to(user))
        .select_related("client", "client__municipality", "provider", "order", "created_by")
        .order_by("client__last_name", "client__first_name")
    )


def plan_writer_provider_ids(user: User) -> tuple[set[int], set[int]]:
    """(the providers whose every plan the user writes: she coordinates them; the providers
    where she writes only the plans of the clients she is the named contact person or deputy
    for: she is a contact person there). genomforandeplan.permissions.can_write_plan_of and
    the reads here both start from it, so whom a contact person writes for and whose plans she
    reads are one rule."""
    every_plan = permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR})
    own_clients = permissions.provider_ids(user, {Role.CONTACT_PERSON}) - every_plan
    return every_plan, own_clients


def with_named_contact(rows: QuerySet) -> QuerySet:
    """Plans or orders annotated with the client's contact person and deputy at the row's
    provider, `named_contact_id` and `named_deputy_id`: those the coordinator named last, on the
    newest of the client's orders there that has a contact assignment (004 §3.2.3). A change
    order keeps them until the coordinator names others on it."""
    newest = ContactAssignment.objects.filter(
        order__client_id=OuterRef("client_id"), order__provider_id=OuterRef("provider_id")
    ).order_by("-order__valid_from", "-order_id")
    return rows.annotate(
        named_contact_id=Subquery(newest.values("contact_person_id")[:1]),
        named_deputy_id=Subquery(newest.values("deputy_id")[:1]),
    )


def _names(user: User) -> Q:
    """The row (annotated by with_named_contact) names the user its contact person or deputy.
    The EXISTS over her own assignments is the same condition loosened, there so that PostgreSQL
    can start from her few assignments rather than test every plan of the provider."""
    hers = ContactAssignment.objects.filter(
        Q(contact_person=user) | Q(deputy=user),
        order__client_id=OuterRef("client_id"),
        order__provider_id=OuterRef("provider_id"),
    )
    return Q(Exists(hers)) & (Q(named_contact_id=user.pk) | Q(named_deputy_id=user.pk))


def named_contact_ids(row) -> set[int]:
    """The ids of the contact person and deputy of a plan's or an order's client at its
    provider (with_named_contact): read from the row when it was annotated, else one query."""
    if hasattr(row, "named_contact_id"):
        named = (row.named_contact_id, row.named_deputy_id)
    else:
        named = (
            ContactAssignment.objects.filter(
                order__client_id=row.client_id, order__provider_id=row.provider_id
            )
            .order_by("-order__valid_from", "-order_id")
            .values_list("contact_person_id", "deputy_id")
            .first()
        ) or ()
    return {pk for pk in named if pk is not None}


def plan_orders_visible_to(user: User) -> QuerySet[Order]:
    """The orders whose plans the user writes as provider staff (the plans to write): every
    order of the provider for its coordinators, those of her own clients for a contact person
    (plans_visible_to)."""
    every_plan, own_clients = plan_writer_provider_ids(user)
    orders = orders_visible_to(user)
    if not own_clients:
        return orders.filter(provider_id__in=every_plan)
    return with_named_contact(orders).filter(
        Q(provider_id__in=every_plan) | Q(provider_id__in=own_clients) & _names(user)
    )


# ---------------------------------------------------------------------------------------------
# Deadlines, once, in SQL: annotated querysets that worklists, dashboards and single pages read
# alike, so that "on time", "late", "missing", the next follow-up and "needs revision" are
# counted per provider and per officer in the database and never judged plan by plan in Python.


class DatePlusDays(Func):
    """date + integer days (PostgreSQL date arithmetic: over month and year ends, leap days)."""

    template = "(%(expressions)s)"
    arg_joiner = " + "
    output_field = DateField()


class _DaysBetween(Func):
    """later - earlier, in whole days (PostgreSQL: date - date is an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


class _DatePlusMonths(Func):
    """The same day `months` later, or the month's last day when shorter (31 Aug + 6 → 28 Feb):
    PostgreSQL's interval arithmetic, like dateutil's relativedelta."""

    template = "(%(day)s + make_interval(months => %(months)s))::date"
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        day, months = self.get_source_expressions()
        day_sql, day_params = compiler.compile(day)
        months_sql, months_params = compiler.compile(months)
        return self.template % {"day": day_sql, "months": months_sql}, [
            *day_params,
            *months_params,
        ]


def _first_ready(order_ref: str = "pk") -> Subquery:
    """The day the client first approved a plan version written against the order: the plan was
    ready then (004 §3.2.8), however long after it the completion was recorded."""
    return Subquery(
        PlanVersion.objects.filter(order=OuterRef(order_ref))
        .order_by("client_approved_on")
        .values("client_approved_on")[:1],
        output_field=DateField(),
    )


def plan_due() -> DatePlusDays:
    """The day an order's plan is due: the executed day plus the municipality's days (004
    §3.2.4, §4.1.1; 14 in Järfälla, 15 in Stockholm). Null before the help has started."""
    return DatePlusDays(F("executed_on"), F("client__municipality__plan_deadline_days"))


def plan_ever_ready() -> Exists:
    """A plan version has been completed against the order: it was ready once."""
    return Exists(PlanVersion.objects.filter(order=OuterRef("pk")))


def missing_plans(orders: QuerySet[Order], today: datetime.date | None = None) -> QuerySet:
    """The orders whose plan is missing: executed, past the due day, no version ever ready
    (the MISSING of with_plan_deadline, as a filter an index can serve), ordered by due day."""
    today = today or timezone.localdate()
    return (
        orders.filter(executed_on__isnull=False)
        .alias(plan_due=plan_due())
        .filter(plan_due__lt=today)
        .exclude(plan_ever_ready())
        .order_by("plan_due", "pk")
    )


def _plan_of_order(**conditions) -> QuerySet[ImplementationPlan]:
    """The client's plan at the order's provider (one living plan per client and provider)."""
    return ImplementationPlan.objects.filter(
        client=OuterRef("client"), provider=OuterRef("provider"), **conditions
    )


def _with_a_version(plans: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    return plans.filter(Exists(PlanVersion.objects.filter(plan=OuterRef("pk"))))


def plan_never_ready() -> Exists:
    """No plan for the client at the provider has ever been completed."""
    return ~Exists(_with_a_version(_plan_of_order()))


def plan_returned() -> Exists:
    """The officer has returned the client's plan at the provider."""
    return Exists(_plan_of_order(status=PlanStatus.RETURNED))


def plan_to_revise() -> Exists:
    """The plan was completed against another order than this one (004 §4.2.4)."""
    return Exists(_with_a_version(_plan_of_order().exclude(order=OuterRef("pk"))))


def plans_to_write(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders a plan is owed for: no plan ready once, one the officer returned, or one to
    revise against this order. One anti-join: the order is done when its client's plan at the
    provider was completed against it and is not returned."""
    done = _with_a_version(_plan_of_order(order=OuterRef("pk")).exclude(status=PlanStatus.RETURNED))
    return orders.exclude(Exists(done))


def with_plan_deadline(orders: QuerySet[Order], today: datetime.date | None = None) -> QuerySet:
    """Orders annotated with their plan's deadline (004 §3.2.4, §4.1.1: ready within the
    municipality's days of the start, 14 in Järfälla, 15 in Stockholm):

    plan_due          the executed day plus the municipality's days (null before the start)
    plan_ready_on     when the client first approved a plan against the order
    plan_deadline     not_due, on_time, late or missing (null before the start)
    plan_days_late    how late it was ready, or how long it has been missing (else 0)
    """
    today = today or timezone.localdate()
    status = Case(
        When(executed_on__isnull=True, then=Value(None)),
        When(
            plan_ready_on__isnull=False,
            plan_ready_on__lte=F("plan_due"),
            then=Value(DeadlineStatus.ON_TIME),
        ),
        When(plan_ready_on__isnull=False, then=Value(DeadlineStatus.LATE)),
        When(plan_due__lt=today, then=Value(DeadlineStatus.MISSING)),
        default=Value(DeadlineStatus.NOT_DUE),
        output_field=CharField(),
    )
    return (
        orders.annotate(plan_due=plan_due(), plan_ready_on=_first_ready())
        .annotate(plan_deadline=status)
        .annotate(
            plan_days_late=Case(
                When(
                    plan_deadline=DeadlineStatus.LATE,
                    then=_DaysBetween(F("plan_ready_on"), F("plan_due")),
                ),
                When(
                    plan_deadline=DeadlineStatus.MISSING,
                    then=_DaysBetween(Value(today, output_field=DateField()), F("plan_due")),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )


def deadline_of(order: Order) -> rules.Deadline | None:
    """The plan deadline of an order annotated by `with_plan_deadline`."""
    if order.plan_deadline is None:
        return None
    return rules.Deadline(order.plan_due, DeadlineStatus(order.plan_deadline), order.plan_days_late)


def order_plan_deadline(order: Order, today: datetime.date | None = None) -> rules.Deadline | None:
    """On time, late or missing for an executed order (None before the provider has started)."""
    if not hasattr(order, "plan_deadline"):
        order = with_plan_deadline(Order.objects.filter(pk=order.pk), today).get()
    return deadline_of(order)


def contact_person_due(order: Order) -> datetime.date:
    """When the client must have been offered a contact person and a deputy (004 §3.2.3): days
    after the help started, or, before it has, after the day the order starts. The worklist and
    the assignment page both say this date."""
    return rules.contact_person_due(
        starts=order.executed_on or order.valid_from,
        days=order.client.municipality.contact_person_days,
    )


def contact_person_due_expression() -> DatePlusDays:
    """`contact_person_due` in SQL, for annotating many orders at once (the worklist, the daily
    plan check): the help's start, or the order's, plus the municipality's days."""
    return DatePlusDays(
        Coalesce(F("executed_on"), F("valid_from")),
        F("client__municipality__contact_person_days"),
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
    """When the provider must next follow the plan up (with_plan_facts)."""
    return plan_facts(plan).follow_up_due


def needs_revision(plan: ImplementationPlan) -> bool:
    """A new order has superseded the one the plan was last completed against (with_plan_facts)."""
    return plan_facts(plan).needs_revision


def plans_to_review(user: User) -> QuerySet[ImplementationPlan]:
    return plans_visible_to(user).filter(
        status__in=REVIEWABLE,
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
    ones."""
    annotated = with_plan_deadline(Order.objects.filter(pk__in=[o.pk for o in orders]), today)
    return {
        order.pk: deadline
        for order in annotated.only("pk", "executed_on")
        if (deadline := deadline_of(order)) is not None
    }


def with_follow_up_due(plans: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    """Plans annotated with when the provider must next follow them up (004 §4.2.2): every N
    months (the municipality's rule, 6 in Järfälla) from the last follow-up or the day the
    plan was first approved; null before it was ever ready."""
    versions = PlanVersion.objects.filter(plan=OuterRef("pk"))
    return plans.annotate(
        last_follow_up_on=Subquery(
            PlanFollowUp.objects.filter(plan=OuterRef("pk"))
            .order_by("-followed_up_on")
            .values("followed_up_on")[:1]
        ),
        first_ready_on=Subquery(versions.order_by("number").values("client_approved_on")[:1]),
    ).annotate(
        # Null when neither exists: a null date plus an interval is null.
        follow_up_due=_DatePlusMonths(
            Coalesce(F("last_follow_up_on"), F("first_ready_on")),
            F("client__municipality__plan_follow_up_months"),
        )
    )


def with_plan_facts(plans: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    """Plans annotated, in SQL, with what worklists, dashboards and pages show of them:

    last_follow_up_on, first_ready_on      the last follow-up; the first approval of a version
    latest_number                          the newest version's number (null: never ready)
    review_outcome, review_version, review_comment   the newest review
    follow_up_due      the next follow-up, every N months (the municipality's rule, 6 in
                       Järfälla) from the last follow-up or the first approval (004 §4.2.2)
    current_order_id   the newest issued order for the client at the provider
    needs_revision     a version exists and the current order is not the one it followed
                       (004 §4.2.4: a new order requires a new plan)
    """
    versions = PlanVersion.objects.filter(plan=OuterRef("pk"))
    latest_review = PlanReview.objects.filter(version__plan=OuterRef("pk")).order_by(
        "-version__number"
    )
    newest_order = Order.objects.filter(
        client=OuterRef("client"), provider=OuterRef("provider"), status__in=ISSUED_STATUSES
    ).order_by("-valid_from", "-id")
    return (
        with_follow_up_due(plans)
        .annotate(
            latest_number=Subquery(versions.order_by("-number").values("number")[:1]),
            review_outcome=Subquery(latest_review.values("outcome")[:1]),
            review_version=Subquery(latest_review.values("version__number")[:1]),
            review_comment=Subquery(latest_review.values("comment")[:1]),
            current_order_id=Coalesce(Subquery(newest_order.values("pk")[:1]), F("order_id")),
        )
        .annotate(
            needs_revision=Case(
                When(latest_number__isnull=False, then=~Q(current_order_id=F("order_id"))),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


# The name the worklists and the API have used.
with_worklist_facts = with_plan_facts


def plan_facts(plan: ImplementationPlan) -> ImplementationPlan:
    """The plan with the annotations of `with_plan_facts`: itself when it has them, else read
    once more."""
    if hasattr(plan, "needs_revision"):
        return plan
    return with_plan_facts(ImplementationPlan.objects.filter(pk=plan.pk)).get()


def follow_up_due_of(plan: ImplementationPlan) -> datetime.date | None:
    """`next_follow_up_due` of a plan annotated by `with_plan_facts`."""
    return plan.follow_up_due


def current_order_ids(plans: Iterable[ImplementationPlan]) -> dict[int, int]:
    """{plan id: id of the order the plan must now follow}: the newest issued order for the
    plan's client at its provider, or else the plan's own order. Plans annotated by
    `with_plan_facts` carry it; for others, one query on the index of orders by client."""
    plans = list(plans)
    if not plans:
        return {}
    if all(hasattr(plan, "current_order_id") for plan in plans):
        return {plan.pk: plan.current_order_id for plan in plans}  # with_plan_facts read it
    # PostgreSQL's DISTINCT ON: the newest issued order of each client and provider.
    newest = (
        Order.objects.filter(
            client_id__in={plan.client_id for plan in plans},
            provider_id__in={plan.provider_id for plan in plans},
            status__in=ISSUED_STATUSES,
        )
        .order_by("client_id", "provider_id", "-valid_from", "-id")
        .distinct("client_id", "provider_id")
        .values_list("client_id", "provider_id", "pk")
    )
    by_pair = {(client_id, provider_id): pk for client_id, provider_id, pk in newest}
    return {
        plan.pk: by_pair.get((plan.client_id, plan.provider_id), plan.order_id) for plan in plans
    }


def current_orders(
    plans: Iterable[ImplementationPlan], orders: QuerySet[Order] | None = None
) -> dict[int, Order]:
    """`services.current_order` for many plans in two queries (plus the prefetches): {plan id:
    the newest issued order for the plan's client at its provider, or else the plan's own
    order}.

    By default the orders come with what a plan's page reads of them: the interventions with
    their types, life areas and package contents, the client's municipality and the contact
    assignment. A list that reads less passes its own, leaner `orders`.
    """
    ids = current_order_ids(plans)
    if orders is None:
        orders = order_with_interventions(Order.objects.all()).select_related(
            "client__municipality",
            "contact_assignment__contact_person",
            "contact_assignment__deputy",
        )
    by_pk = orders.in_bulk(set(ids.values()))
    return {plan_pk: by_pk[order_pk] for plan_pk, order_pk in ids.items()}
