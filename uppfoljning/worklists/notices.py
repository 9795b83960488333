"""The start page's section of open notices from the daily plan check (ramtid.worklists), and
what the notices' list page shares with it: the filter by kind and each notice's link."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from genomforandeplan import permissions as plan_permissions
from genomforandeplan.worklists import PLANS
from ramtid.exports import Column
from ramtid.worklists import Sort, Worklist, WorklistFilters, by_client_name, client_columns
from uppfoljning import plan_check
from uppfoljning.choices import NoticeKind

OPEN, CLOSED, ALL = "oppna", "stangda", "alla"


class NoticeKindFilters(WorklistFilters):
    """The notices of one kind (the worklist's filter, and the list page's first)."""

    typ = django_filters.ChoiceFilter(
        label=gettext_lazy("Typ"),
        field_name="kind",
        choices=NoticeKind.choices,
        empty_label=gettext_lazy("Alla typer"),
    )


class NoticeFilters(NoticeKindFilters):
    """The list page's filters: the kind, and open, closed or both (open unless asked)."""

    visa = django_filters.ChoiceFilter(
        label=gettext_lazy("Visa"),
        choices=[
            (OPEN, gettext_lazy("Öppna")),
            (CLOSED, gettext_lazy("Stängda")),
            (ALL, gettext_lazy("Öppna och stängda")),
        ],
        empty_label=None,
        method="filter_state",
    )

    def filter_state(self, queryset, name, value):
        if value == CLOSED:
            return queryset.filter(closed_at__isnull=False)
        if value == ALL:
            return queryset
        return queryset.filter(closed_at__isnull=True)


def with_links(user, notices: list) -> list:
    """Each notice's link to where it is dealt with, for this user: the coordinator names the
    contact person, the provider opens the plan or follows it up, the officer reads the order
    or the plan (she never sees a plan that has not been ready once). Also `days_late`."""
    today = timezone.localdate()
    for notice in notices:
        provider_side = plan_permissions.works_for_plans_provider(user, notice.provider_id)
        follow_up = notice.kind == NoticeKind.PLAN_FOLLOW_UP_DUE
        if notice.kind == NoticeKind.CONTACT_PERSON_MISSING and (
            plan_permissions.can_assign_contact(user, notice.order)
        ):
            notice.link = reverse("contact_assign", args=[notice.order_id])
            notice.link_label = _("Utse kontaktman")
        elif follow_up and provider_side:
            notice.link = reverse("plan_follow_up", args=[notice.plan_id])
            notice.link_label = _("Följ upp planen")
        elif follow_up or (notice.plan_id and provider_side):
            notice.link = reverse("plan_detail", args=[notice.plan_id])
            notice.link_label = _("Visa planen")
        else:
            notice.link = reverse("order_detail", args=[notice.order_id])
            notice.link_label = _("Visa beställningen")
        notice.days_late = max((today - notice.due_on).days, 0)
    return notices


class Notices(Worklist):
    """The user's open notices from the daily plan check, the longest overdue first."""

    key = "paminnelser"
    group = PLANS
    title = gettext_lazy("Påminnelser")
    one = gettext_lazy("påminnelse")
    many = gettext_lazy("påminnelser")
    caption = gettext_lazy(
        "Öppna påminnelser om kontaktman, genomförandeplan och uppföljning, den äldsta först"
    )
    empty = gettext_lazy("Inga öppna påminnelser.")
    head_template = "uppfoljning/notices/head.html"
    row_template = "uppfoljning/notices/row.html"
    sorts = {
        "namn": by_client_name(),
        "typ": Sort(gettext_lazy("Typ"), ("kind", "due_on", "pk")),
    }
    columns = (
        Column(gettext_lazy("Påminnelse"), lambda row: row.get_kind_display()),
        *client_columns(number=False),
        Column(gettext_lazy("Utförare"), lambda row: row.provider.name),
        Column(gettext_lazy("Skulle vara klart"), lambda row: row.due_on),
        Column(gettext_lazy("Dagar sen"), lambda row: row.days_late),
    )
    filterset_class = NoticeKindFilters

    def applies_to(self, user) -> bool:
        return plan_check.has_notices(user)

    def queryset(self, user):
        return (
            plan_check.open_notices_visible_to(user)
            .select_related("client", "provider", "order")
            .order_by("due_on", "pk")
        )

    def decorate(self, user, rows):
        return with_links(user, rows)
