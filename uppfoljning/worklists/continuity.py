"""The provider's continuity flags (ramtid.worklists; 003: at most ten different staff per
client in two weeks): the clients whose busiest 14-day window in the latest checked month had
more different staff of the provider than the municipality's goal, as the monthly check stored
it (MonthlyTimeResult.continuity_staff, uppfoljning.monthly.store_continuity). Filtered, counted
and ordered in SQL, the most staff first.

For the provider's coordinator every client of her provider; for a contact person the clients she
is the named contact person or deputy for (genomforandeplan.selectors: the same rule as the plans
she writes and reads). The provider sees a client while ramtid.selectors.provider_sees says so
(monthly.results_visible_to). Officers have the continuity page instead (all providers' staff,
what the client lives through); this list counts the provider's own staff, which only the
provider can change.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from genomforandeplan.selectors import plan_writer_provider_ids, with_named_contact
from ramtid import permissions as core_permissions
from ramtid.exports import Column
from ramtid.worklists import Sort, Worklist, by_client_name, client_columns
from uppfoljning import monthly
from uppfoljning.continuity import WINDOW_DAYS
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.worklists.time import TIME

# The latest checked month is looked for in the last year only (bounded, whatever the history).
LATEST_WITHIN_DAYS = 400


class ContinuityFlags(Worklist):
    """Clients over the continuity goal in the provider's latest checked month, most staff
    first; one row per client and provider (of a change order mid-month, the newer order's)."""

    key = "kontinuitet"
    group = TIME
    title = _("Personalkontinuitet över målet")
    one = _("brukare över målet för personalkontinuitet")
    many = _("brukare över målet för personalkontinuitet")
    caption = _(
        "Brukare som mött fler olika personal från er under 14 dagar än kommunens mål den senast "
        "kontrollerade månaden, flest personal först"
    )
    empty = _("Ingen brukare mötte fler olika personal än målet den senast kontrollerade månaden.")
    head_template = "uppfoljning/continuity/worklist_head.html"
    row_template = "uppfoljning/continuity/worklist_row.html"
    sorts = {
        "namn": by_client_name(),
        "period": Sort(_("Periodens slut"), ("continuity_window_end", "-continuity_staff", "pk")),
    }
    columns = (
        *client_columns(),
        Column(_("Månad"), lambda row: f"{row.month:%Y-%m}"),
        Column(_("Utförare"), lambda row: row.provider.name),
        Column(_("Olika personal"), lambda row: row.continuity_staff),
        Column(_("Mål, högst"), lambda row: row.goal),
        Column(_("Period från"), lambda row: row.window_start),
        Column(_("Period till"), lambda row: row.continuity_window_end),
    )

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user))

    def queryset(self, user):
        every_client, own_clients = plan_writer_provider_ids(user)
        providers = every_client | own_clients
        since = timezone.localdate() - datetime.timedelta(days=LATEST_WITHIN_DAYS)
        latest = (
            MonthlyTimeResult.objects.filter(provider_id__in=providers, month__gte=since)
            .order_by("-month")
            .values("month")[:1]
        )
        newer_order = MonthlyTimeResult.objects.filter(
            client_id=OuterRef("client_id"),
            provider_id=OuterRef("provider_id"),
            month=OuterRef("month"),
            order_id__gt=OuterRef("order_id"),
        )
        rows = (
            monthly.results_visible_to(user)
            .filter(provider_id__in=providers, month=Subquery(latest))
            .annotate(goal=F("client__municipality__continuity_goal"))
            .filter(continuity_staff__gt=F("goal"))
            .filter(~Exists(newer_order))
        )
        mine = Q(provider_id__in=every_client)
        if own_clients:
            rows = with_named_contact(rows)
            mine |= Q(provider_id__in=own_clients) & (
                Q(named_contact_id=user.pk) | Q(named_deputy_id=user.pk)
            )
        return rows.filter(mine).order_by("-continuity_staff", "continuity_window_end", "pk")

    def decorate(self, user, rows):
        for row in rows:
            row.window_start = row.continuity_window_end - datetime.timedelta(days=WINDOW_DAYS - 1)
        return rows
