"""The worklists of contact persons and plans (ramtid.worklists): the coordinator's clients
without a contact person, the provider's plans to write and follow-ups due, and the officer's
plans to review and missing plans. Deadlines and "needs revision" come from the SQL annotations
of genomforandeplan.selectors, so a list is filtered, counted and ordered in the database."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bestallning.selectors import orders_visible_to
from bestallning.states import ACTIVE_STATUSES
from bestallning.worklists import ProviderFilters
from genomforandeplan import permissions, selectors
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import ImplementationPlan, PlanReview, PlanVersion
from ramtid import permissions as core_permissions
from ramtid.choices import Role
from ramtid.exports import Column, local_day
from ramtid.models import User
from ramtid.worklists import Sort, Worklist, WorklistFilters, by_client_name, client_columns

PLANS = _("Genomförandeplaner")
FOLLOW_UP_HORIZON_DAYS = 30  # a follow-up shows on the worklist this long before it is due

# The files' columns and the sorts several lists share.
PROVIDER = Column(_("Utförare"), lambda row: row.provider.name)
BY_PROVIDER = Sort(_("Utförare"), ("provider__name", "client__last_name", "pk"))


def deadline_columns(deadline=lambda row: row.deadline) -> tuple[Column, ...]:
    """A plan's deadline (rules.Deadline) in a file: the day, the status and the days late."""
    return (
        Column(_("Tidsfrist"), lambda row: deadline(row).due if deadline(row) else None),
        Column(_("Läge"), lambda row: deadline(row).status.label if deadline(row) else ""),
        Column(_("Dagar sent"), lambda row: deadline(row).days_late if deadline(row) else None),
    )


def _executed(orders):
    """Orders in force whose help has started: the ones a plan is owed for."""
    return orders.filter(status__in=ACTIVE_STATUSES, executed_on__isnull=False)


class WithoutContactPerson(Worklist):
    """The coordinator's clients without a contact person, by when one must be offered."""

    key = "utan-kontaktman"
    group = PLANS
    title = _("Brukare utan kontaktman")
    one = _("brukare utan kontaktman")
    many = _("brukare utan kontaktman")
    caption = _("Gällande beställningar där kontaktman inte är utsedd, den mest brådskande först")
    empty = _("Alla brukare med gällande beställning har en kontaktman.")
    head_template = "genomforandeplan/worklists/without_contact_head.html"
    row_template = "genomforandeplan/worklists/without_contact_row.html"
    sorts = {"namn": by_client_name(), "utforare": BY_PROVIDER}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Kontaktman senast"), lambda row: row.contact_due),
        Column(_("Försenad"), lambda row: _("Ja") if row.contact_late else _("Nej")),
    )

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR}))

    def queryset(self, user):
        return (
            selectors.orders_without_contact_person(user)
            .annotate(contact_due=selectors.contact_person_due_expression())
            .order_by("contact_due", "pk")
        )

    def decorate(self, user, rows):
        today = timezone.localdate()
        for order in rows:
            order.contact_late = order.contact_due < today
            order.can_assign = permissions.can_assign_contact(user, order)
        return rows


MISSING, RETURNED, REVISE = "saknas", "atersand", "revidera"


class PlansToWriteFilters(WorklistFilters):
    what = django_filters.ChoiceFilter(
        label=_("Vad"),
        choices=[
            (MISSING, _("Ej klar första gången")),
            (RETURNED, _("Återsänd")),
            (REVISE, _("Revidera mot ny beställning")),
        ],
        empty_label=_("Allt"),
        method="filter_what",
    )
    contact_person = django_filters.ModelChoiceFilter(
        label=_("Kontaktman"),
        field_name="contact_assignment__contact_person",
        queryset=User.objects.none(),
        empty_label=_("Alla kontaktmän"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["contact_person"].queryset = (
            User.objects.filter(
                memberships__provider_id__in=core_permissions.provider_ids(self.user),
                memberships__role__in=[Role.CONTACT_PERSON, Role.PROVIDER_COORDINATOR],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )

    def filter_what(self, queryset, name, value):
        condition = {
            MISSING: selectors.plan_never_ready(),
            RETURNED: selectors.plan_returned(),
            REVISE: selectors.plan_to_revise(),
        }[value]
        return queryset.filter(condition)


class PlansToWrite(Worklist):
    """Executed orders whose plan is not written, returned by the officer, or to be revised
    against a new order: returned first, then by deadline."""

    key = "planer-att-skriva"
    group = PLANS
    title = _("Genomförandeplaner att skriva")
    one = _("plan att skriva")
    many = _("planer att skriva")
    caption = _(
        "Planer som saknas, är återsända eller ska revideras, återsända först, sedan efter "
        "tidsfrist"
    )
    empty = _("Alla verkställda beställningar har en klar genomförandeplan.")
    head_template = "genomforandeplan/worklists/to_write_head.html"
    row_template = "genomforandeplan/worklists/to_write_row.html"
    sorts = {"namn": by_client_name()}
    columns = (
        *client_columns(),
        Column(
            _("Kontaktman"),
            lambda row: str(row.assignment.contact_person) if row.assignment else "",
        ),
        Column(
            _("Plan"), lambda row: row.plan.get_status_display() if row.plan else _("Ej påbörjad")
        ),
        Column(_("Återsänd"), lambda row: _("Ja") if row.returned else _("Nej")),
        Column(
            _("Revidera mot ny beställning"), lambda row: _("Ja") if row.to_revise else _("Nej")
        ),
        *deadline_columns(),
    )
    filterset_class = PlansToWriteFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user))

    def queryset(self, user):
        # A contact person's own clients only: she writes no other plan (issue 10).
        orders = _executed(selectors.plan_orders_visible_to(user))
        return (
            selectors.plans_to_write(orders)
            .alias(returned=selectors.plan_returned(), plan_due=selectors.plan_due())
            .select_related("contact_assignment__contact_person")
            .order_by("-returned", "plan_due", "pk")
        )

    def decorate(self, user, rows):
        pairs = Q(pk__in=[])
        for order in rows:
            pairs |= Q(client_id=order.client_id, provider_id=order.provider_id)
        plans = {
            (plan.client_id, plan.provider_id): plan
            for plan in selectors.with_plan_facts(ImplementationPlan.objects.filter(pairs))
        }
        deadlines = selectors.order_plan_deadlines(rows)
        for order in rows:
            order.plan = plans.get((order.client_id, order.provider_id))
            order.assignment = getattr(order, "contact_assignment", None)
            order.returned = order.plan is not None and order.plan.state.returned
            order.to_revise = order.plan is not None and order.plan.needs_revision
            order.deadline = deadlines.get(order.pk)
        return rows


class FollowUpsDue(Worklist):
    """Plans to follow up within a month, or overdue (004 §4.2.2), soonest first."""

    key = "uppfoljningar"
    group = PLANS
    title = _("Uppföljningar av planer")
    one = _("uppföljning att göra")
    many = _("uppföljningar att göra")
    caption = _("Planer som ska följas upp inom 30 dagar eller är försenade, den tidigaste först")
    empty = _("Inga planer ska följas upp den närmaste månaden.")
    head_template = "genomforandeplan/worklists/follow_ups_head.html"
    row_template = "genomforandeplan/worklists/follow_up_row.html"
    sorts = {"namn": by_client_name()}
    columns = (
        *client_columns(number=False),
        Column(_("Följs upp senast"), lambda row: row.follow_up_due),
        Column(_("Försenad"), lambda row: _("Ja") if row.follow_up_late else _("Nej")),
    )

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user))

    def queryset(self, user):
        horizon = timezone.localdate() + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
        return (
            selectors.with_follow_up_due(
                selectors.plans_visible_to(user).filter(
                    provider_id__in=core_permissions.provider_ids(user)
                )
            )
            .filter(follow_up_due__lte=horizon)
            .order_by("follow_up_due", "pk")
        )

    def decorate(self, user, rows):
        today = timezone.localdate()
        for plan in rows:
            plan.follow_up_late = plan.follow_up_due < today
        return rows


class PlansToReview(Worklist):
    """Plans the client has approved, waiting for the officer, oldest first (004 §4.1.1)."""

    key = "planer-att-granska"
    group = PLANS
    title = _("Planer att granska")
    one = _("plan att granska")
    many = _("planer att granska")
    caption = _(
        "Genomförandeplaner som brukaren har godkänt och som väntar på granskning, äldst först"
    )
    empty = _("Inga planer väntar på granskning.")
    head_template = "genomforandeplan/worklists/to_review_head.html"
    row_template = "genomforandeplan/worklists/to_review_row.html"
    sorts = {"namn": by_client_name(), "utforare": BY_PROVIDER}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Version"), lambda row: row.latest_number),
        Column(_("Klar"), lambda row: local_day(row.completed_at)),
        *deadline_columns(),
    )
    filterset_class = ProviderFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER}))

    def queryset(self, user):
        latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
        return (
            selectors.plans_to_review(user)
            .annotate(
                latest_number=Subquery(latest.values("number")[:1]),
                completed_at=Subquery(latest.values("created_at")[:1]),
            )
            .select_related("order__client__municipality")
            .order_by("completed_at", "pk")
        )

    def decorate(self, user, rows):
        deadlines = selectors.order_plan_deadlines([plan.order for plan in rows])
        for plan in rows:
            plan.deadline = deadlines.get(plan.order_id)
        return rows


class ReturnedPlans(Worklist):
    """Plans the officer returned, waiting for the provider's new version (004 §4.1.1): the
    officer's clients' plans and those she returned herself, the longest waiting first. A plan
    leaves the list when the reworked version is completed (it is then ready for review)."""

    key = "atersanda-planer"
    group = PLANS
    title = _("Återsända planer som väntar på utföraren")
    one = _("återsänd plan väntar på utföraren")
    many = _("återsända planer väntar på utföraren")
    caption = _(
        "Återsända genomförandeplaner för dina brukare eller som du återsänt, som utföraren ännu "
        "inte har reviderat, den som väntat längst först"
    )
    empty = _("Inga återsända planer väntar på utföraren.")
    head_template = "genomforandeplan/worklists/returned_head.html"
    row_template = "genomforandeplan/worklists/returned_row.html"
    sorts = {"namn": by_client_name(), "utforare": BY_PROVIDER}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Återsänd"), lambda row: local_day(row.returned_at)),
        Column(_("Kommentar"), lambda row: row.returned_comment or ""),
    )
    filterset_class = ProviderFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER}))

    def queryset(self, user):
        units = core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
        latest = PlanReview.objects.filter(version__plan=OuterRef("pk")).order_by(
            "-reviewed_at", "-pk"
        )
        return (
            selectors.plans_visible_to(user)
            .filter(status=PlanStatus.RETURNED, client__ordering_unit_id__in=units)
            .annotate(
                returned_at=Subquery(latest.values("reviewed_at")[:1]),
                returned_by_id=Subquery(latest.values("reviewed_by")[:1]),
                returned_comment=Subquery(latest.values("comment")[:1]),
            )
            .filter(Q(returned_by_id=user.pk) | Q(client__responsible_officer=user))
            .order_by("returned_at", "pk")
        )


class MissingPlans(Worklist):
    """The unit's executed orders whose plan is past its deadline and not ready."""

    key = "saknade-planer"
    group = PLANS
    title = _("Saknade planer")
    one = _("saknad plan")
    many = _("saknade planer")
    caption = _("Verkställda beställningar utan klar plan efter tidsfristen, äldst först")
    empty = _("Ingen plan saknas efter tidsfristen.")
    head_template = "genomforandeplan/worklists/missing_head.html"
    row_template = "genomforandeplan/worklists/missing_row.html"
    sorts = {"namn": by_client_name(), "utforare": BY_PROVIDER}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Verkställd"), lambda row: row.executed_on),
        *deadline_columns(),
    )
    filterset_class = ProviderFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER}))

    def queryset(self, user):
        units = core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
        orders = _executed(orders_visible_to(user)).filter(client__ordering_unit_id__in=units)
        return selectors.missing_plans(orders)

    def decorate(self, user, rows):
        deadlines = selectors.order_plan_deadlines(rows)
        for order in rows:
            order.deadline = deadlines.get(order.pk)
        return rows
