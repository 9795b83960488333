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

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.permissions import NavItem
from uppfoljning import plan_check
from uppfoljning.worklists.notices import OPEN, NoticeFilters, with_links

NOTICES_PER_PAGE = 50


@login_required
def notice_list(request):
    if not plan_check.has_notices(request.user):
        raise Http404
    data = request.GET.copy()
    data.setdefault("visa", OPEN)
    notices = plan_check.notices_visible_to(request.user).order_by(
        F("closed_at").desc(nulls_first=True), "due_on", "pk"
    )
    filters = NoticeFilters(data, queryset=notices, user=request.user)
    notices = filters.qs if filters.is_valid() else notices.filter(closed_at__isnull=True)
    page = Paginator(
        notices.select_related("client", "provider", "order"), NOTICES_PER_PAGE
    ).get_page(request.GET.get("sida"))
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


urlpatterns = [path("paminnelser/", notice_list, name="notice_list")]
