"""The monthly time check's worklists (ramtid.worklists): the provider's months to explain, the
officer's explanations to decide, and the fee officers' over-time list of the latest checked
month. Each is filtered, counted and ordered in SQL, most urgent (earliest deadline) first."""

from __future__ import annotations

import datetime

from django.db.models import F, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ramtid import permissions as core_permissions
from ramtid.choices import Role
from ramtid.exports import Column
from ramtid.formatting import hhmm
from ramtid.worklists import Sort, Worklist, by_client_name, client_columns
from uppfoljning import monthly, permissions
from uppfoljning.models import MonthlyTimeResult

TIME = _("Uppföljning")

# The files' columns of the months to explain and decide.
RESULT_COLUMNS = (
    *client_columns(),
    Column(_("Månad"), lambda row: f"{row.month:%Y-%m}"),
    Column(_("Utförare"), lambda row: row.provider.name),
    Column(_("Avvikelse (tim:min)"), lambda row: hhmm(row.deviation_minutes)),
    Column(_("Avvikelse (minuter)"), lambda row: row.deviation_minutes),
    Column(
        _("Avvikelse (%)"),
        lambda row: None if row.deviation_percent is None else float(row.deviation_percent),
    ),
    Column(_("Sista dag"), lambda row: row.billing_deadline),
    Column(_("Avslagen förklaring"), lambda row: _("Ja") if row.state.rejected else _("Nej")),
)
RESULT_SORTS = {
    "namn": by_client_name(),
    "utforare": Sort(_("Utförare"), ("provider__name", "billing_deadline", "pk")),
    "manad": Sort(_("Månad"), ("month", "billing_deadline", "pk")),
}


class MonthsToExplain(Worklist):
    """Months over or under the coordinator's provider has not explained (or whose explanation
    was rejected), still open, by deadline (004 §4.1.2)."""

    key = "manader-att-forklara"
    group = TIME
    title = _("Månader att förklara")
    one = _("månad att förklara")
    many = _("månader att förklara")
    caption = _(
        "Beställningar vars utförda tid avviker från den beställda och som behöver en förklaring, "
        "den med tidigast sista dag först"
    )
    empty = _("Ingen månad behöver förklaras.")
    head_template = "uppfoljning/time/worklists/head.html"
    row_template = "uppfoljning/time/worklists/row.html"
    sorts = RESULT_SORTS
    columns = RESULT_COLUMNS

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR}))

    def queryset(self, user):
        providers = core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR})
        return (
            monthly.results_visible_to(user)
            .filter(provider_id__in=providers)
            .filter(monthly.needs_explanation(timezone.localdate()))
            .order_by("billing_deadline", "month", "pk")
        )

    def decorate(self, user, rows):
        return _with_state(rows)


class TimeToDecide(Worklist):
    """Explanations the officer's units have not decided, by deadline."""

    key = "tid-att-besluta"
    group = TIME
    title = _("Tid att besluta")
    one = _("förklaring att besluta")
    many = _("förklaringar att besluta")
    caption = _(
        "Utförarnas förklaringar av avvikande tid som väntar på beslut, den med tidigast sista "
        "dag först"
    )
    empty = _("Inga förklaringar väntar på beslut.")
    head_template = "uppfoljning/time/worklists/head.html"
    row_template = "uppfoljning/time/worklists/row.html"
    sorts = RESULT_SORTS
    columns = RESULT_COLUMNS

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER}))

    def queryset(self, user):
        units = core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
        return (
            monthly.results_visible_to(user)
            .filter(ordering_unit_id__in=units)
            .filter(monthly.needs_decision())
            .order_by("billing_deadline", "month", "pk")
        )

    def decorate(self, user, rows):
        return _with_state(rows)


class OverTime(Worklist):
    """The fee officer's over-time list for the latest month checked, most over first."""

    key = "overtid"
    group = TIME
    title = _("Övertid senaste månaden")
    one = _("beställning med övertid")
    many = _("beställningar med övertid")
    caption = _("Beställningar där den utförda tiden var större än den beställda, mest först")
    empty = _("Ingen övertid den senast kontrollerade månaden.")
    head_template = "uppfoljning/time/worklists/over_time_head.html"
    row_template = "uppfoljning/time/worklists/over_time_row.html"
    exports_on_start = True  # the fee officer's list and its files (issue 11)
    sorts = {
        "namn": by_client_name(),
        "utforare": Sort(_("Utförare"), ("provider__name", "-over_minutes", "pk")),
    }
    columns = (
        Column(_("Månad"), lambda row: f"{row.month:%Y-%m}"),
        *client_columns(),
        Column(_("Utförare"), lambda row: row.provider.name),
        Column(_("Beställning"), lambda row: row.order_id),
        Column(_("Beställd (tim:min)"), lambda row: hhmm(row.ordered_minutes)),
        Column(_("Utförd (tim:min)"), lambda row: hhmm(row.performed_minutes)),
        Column(_("Övertid (tim:min)"), lambda row: hhmm(row.over_minutes)),
        Column(_("Beställd (minuter)"), lambda row: row.ordered_minutes),
        Column(_("Utförd (minuter)"), lambda row: row.performed_minutes),
        Column(_("Övertid (minuter)"), lambda row: row.over_minutes),
    )

    def applies_to(self, user) -> bool:
        return permissions.is_fee_officer(user)

    def queryset(self, user):
        municipalities = permissions.fee_officer_municipality_ids(user)
        # The latest month checked, looked for in the last year only (bounded, whatever the
        # history): the list is about the month the fee run is for.
        since = timezone.localdate() - datetime.timedelta(days=400)
        latest = (
            MonthlyTimeResult.objects.filter(
                client__municipality_id__in=municipalities, month__gte=since
            )
            .order_by("-month")
            .values("month")[:1]
        )
        return (
            monthly.over_time_visible_to(user)
            .filter(month=Subquery(latest))
            .annotate(over_minutes=F("performed_minutes") - F("ordered_minutes"))
            .order_by("-over_minutes", "pk")
        )


def _with_state(rows: list) -> list:
    today = timezone.localdate()
    for row in rows:
        row.state = monthly.ResultState.of(row, today)
        row.late = today > row.billing_deadline
    return rows
