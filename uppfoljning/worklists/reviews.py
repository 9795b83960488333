"""The officer's individual reviews on the start page (ramtid.worklists): those due within 30
days and the overdue ones, the earliest due first, whatever their reason (yearly, after
execution, several months of deviating time, a change of need)."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ramtid import permissions as core_permissions
from ramtid.choices import Role
from ramtid.exports import Column
from ramtid.worklists import Sort, Worklist, WorklistFilters, by_client_name, client_columns
from uppfoljning import permissions
from uppfoljning.choices import ReviewReason
from uppfoljning.reviews import open_reviews

FOLLOW_UP = _("Uppföljning")
REVIEW_HORIZON_DAYS = 30  # a review shows on the worklist this long before it is due


class ReviewFilters(WorklistFilters):
    reason = django_filters.ChoiceFilter(
        label=_("Anledning"), choices=ReviewReason.choices, empty_label=_("Alla anledningar")
    )


class ReviewsDue(Worklist):
    """Individual reviews due within 30 days or overdue (004 §4.1.4), the earliest first."""

    key = "individuppfoljningar"
    group = FOLLOW_UP
    title = _("Individuppföljningar")
    one = _("individuppföljning att göra")
    many = _("individuppföljningar att göra")
    caption = _(
        "Individuppföljningar som ska göras inom 30 dagar eller är försenade, den tidigaste först"
    )
    empty = _("Inga individuppföljningar ska göras den närmaste månaden.")
    head_template = "uppfoljning/reviews/worklist_head.html"
    row_template = "uppfoljning/reviews/worklist_row.html"
    sorts = {
        "namn": by_client_name(),
        "anledning": Sort(_("Anledning"), ("reason", "due_on", "pk")),
    }
    columns = (
        *client_columns(),
        Column(_("Anledning"), lambda row: row.get_reason_display()),
        Column(_("Görs senast"), lambda row: row.due_on),
        Column(_("Försenad"), lambda row: _("Ja") if row.late else _("Nej")),
    )
    filterset_class = ReviewFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER}))

    def queryset(self, user):
        horizon = timezone.localdate() + datetime.timedelta(days=REVIEW_HORIZON_DAYS)
        return open_reviews(user).filter(due_on__lte=horizon)

    def decorate(self, user, rows):
        today = timezone.localdate()
        for review in rows:
            review.late = review.due_on < today
            review.can_review = permissions.can_review(user, review)
        return rows
