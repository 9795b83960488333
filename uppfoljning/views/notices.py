"""The daily plan check's notices (uppfoljning.plan_check): the list page, filterable by kind and
by open or closed, paginated, each notice linking to where it is dealt with; and the menu item
"Påminnelser" with the number of the user's open notices (settings.RAMTID_NAVIGATION)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import Column, export_list, local_day
from ramtid.permissions import NavItem
from ramtid.worklists import client_columns
from uppfoljning import plan_check
from uppfoljning.worklists.notices import OPEN, NoticeFilters, with_links

NOTICES_PER_PAGE = 50


def _notices(request):
    """The notices as the page lists them: the user's, filtered (open unless asked), the open
    ones first, the longest overdue first."""
    if not plan_check.has_notices(request.user):
        raise Http404
    data = request.GET.copy()
    data.setdefault("visa", OPEN)
    notices = plan_check.notices_visible_to(request.user).order_by(
        F("closed_at").desc(nulls_first=True), "due_on", "pk"
    )
    filters = NoticeFilters(data, queryset=notices, user=request.user)
    notices = filters.qs if filters.is_valid() else notices.filter(closed_at__isnull=True)
    return filters, notices.select_related("client", "provider", "order")


@login_required
def notice_list(request):
    filters, notices = _notices(request)
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("sida"))
    rows = with_links(request.user, list(page.object_list))
    log_access(
        user=request.user,
        clients=[n.client for n in rows],
        action=AccessAction.LIST,
        what="Påminnelser",
        request=request,
    )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "uppfoljning/notices/list.html",
        {"page": page, "rows": rows, "filters": filters, "query": query.urlencode()},
    )


EXPORT_COLUMNS = (
    Column(gettext_lazy("Påminnelse"), lambda row: row.get_kind_display()),
    *client_columns(number=False),
    Column(gettext_lazy("Utförare"), lambda row: row.provider.name),
    Column(gettext_lazy("Skulle vara klart"), lambda row: row.due_on),
    Column(gettext_lazy("Dagar sen"), lambda row: None if row.closed_at else row.days_late),
    Column(gettext_lazy("Klar"), lambda row: local_day(row.closed_at)),
)


@login_required
def notice_export(request, fmt: str):
    """The notices the page lists, every one, as a file (ramtid.exports.export_list)."""
    _filters, notices = _notices(request)
    return export_list(
        request,
        fmt,
        queryset=notices,
        columns=EXPORT_COLUMNS,
        filename="paminnelser",
        title=_("Påminnelser"),
        prepare=lambda rows: with_links(request.user, rows),
    )


def navigation(user) -> list[NavItem]:
    """settings.RAMTID_NAVIGATION: "Påminnelser" with the number of open notices. The count is
    read when the menu is drawn, not when the context is built: an htmx fragment that draws no
    menu costs no query."""
    if not plan_check.has_notices(user):
        return []
    count = SimpleLazyObject(lambda: plan_check.open_notice_count(user))
    return [
        NavItem(
            _("Påminnelser"),
            reverse("notice_list"),
            "notice_list",
            count=count,
            count_label=_("öppna påminnelser"),
        )
    ]


urlpatterns = [
    path("paminnelser/", notice_list, name="notice_list"),
    path("paminnelser/paminnelser.csv", notice_export, {"fmt": "csv"}, name="notice_list_csv"),
    path("paminnelser/paminnelser.xlsx", notice_export, {"fmt": "xlsx"}, name="notice_list_xlsx"),
]
