"""The worklists of decisions and orders (ramtid.worklists): the unit manager's decisions to
approve, the officer's change-of-need reports, drafts and orders waiting for the provider, and
the provider's new and changed orders. Each is a scoped queryset, most urgent first; the start
page shows its count and first rows, its own page the rest."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestallning import ordered_time, permissions, selectors, states
from bestallning.choices import ApprovalStatus, OrderStatus
from bestallning.forms import OrderExecuteForm
from ramtid import permissions as core_permissions
from ramtid.choices import Role
from ramtid.exports import Column, local_day
from ramtid.formatting import hhmm
from ramtid.models import Provider
from ramtid.worklists import Sort, Worklist, WorklistFilters, by_client_name, client_columns

ORDERS = _("Beställningar")

# The files' columns and the sorts several lists share.
PROVIDER = Column(_("Utförare"), lambda row: row.provider.name)
VALID_FROM = Column(_("Gäller från"), lambda row: row.valid_from)
BY_PROVIDER = Sort(_("Utförare"), ("provider__name", "client__last_name", "pk"))
BY_VALID_FROM = Sort(_("Gäller från"), ("valid_from", "pk"))


def _officer_units(user) -> set[int]:
    return core_permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})


class DecisionsToApprove(Worklist):
    """Decisions above an officer's delegation, waiting for this unit manager (002)."""

    key = "beslut-att-godkanna"
    group = _("Att godkänna")
    title = _("Beslut som väntar på ditt godkännande")
    one = _("beslut att godkänna")
    many = _("beslut att godkänna")
    caption = _("Beslut över handläggarnas delegation, äldst först")
    empty = _("Inga beslut väntar på ditt godkännande.")
    head_template = "bestallning/worklists/decisions_head.html"
    row_template = "bestallning/worklists/decision_row.html"
    sorts = {"namn": by_client_name(), "giltigt": BY_VALID_FROM}
    columns = (
        *client_columns(),
        Column(_("Beslutsdatum"), lambda row: row.decided_on),
        Column(_("Omfattning (tim/mån)"), lambda row: row.hours_hhmm),
        Column(_("Giltigt från"), lambda row: row.valid_from),
        Column(_("Handläggare"), lambda row: str(row.decided_by or "")),
    )

    def applies_to(self, user) -> bool:
        return bool(core_permissions.ordering_unit_ids(user, {Role.UNIT_MANAGER}))

    def queryset(self, user):
        return selectors.decisions_awaiting_manager(user).order_by("decided_on", "pk")

    def decorate(self, user, rows):
        for decision in rows:
            decision.hours_hhmm = hhmm(ordered_time.frame_minutes(decision))
        return rows


class DecisionsAtManager(Worklist):
    """The officer's own decisions above her delegation, waiting for the unit manager's
    approval (002): she sees what she cannot yet order on. Oldest first."""

    key = "beslut-hos-enhetschefen"
    group = ORDERS
    title = _("Dina beslut som väntar på enhetschefen")
    one = _("beslut väntar på enhetschefen")
    many = _("beslut väntar på enhetschefen")
    caption = _("Dina beslut över delegationen som enhetschefen ännu inte godkänt, äldst först")
    empty = _("Inga av dina beslut väntar på enhetschefen.")
    head_template = "bestallning/worklists/at_manager_head.html"
    row_template = "bestallning/worklists/at_manager_row.html"
    sorts = {"namn": by_client_name(), "giltigt": BY_VALID_FROM}
    columns = (
        *client_columns(),
        Column(_("Beslutsdatum"), lambda row: row.decided_on),
        Column(_("Omfattning (tim/mån)"), lambda row: row.hours_hhmm),
        Column(_("Giltigt från"), lambda row: row.valid_from),
    )

    def applies_to(self, user) -> bool:
        return bool(_officer_units(user))

    def queryset(self, user):
        return (
            selectors.decisions_visible_to(user)
            .filter(
                client__ordering_unit_id__in=_officer_units(user),
                decided_by=user,
                approval_status=ApprovalStatus.PENDING,
                withdrawn_at__isnull=True,
            )
            .order_by("decided_on", "pk")
        )

    def decorate(self, user, rows):
        for decision in rows:
            decision.hours_hhmm = hhmm(ordered_time.frame_minutes(decision))
        return rows


class NeedChangesToAnswer(Worklist):
    """The unit's open change-of-need reports, so that none waits for one officer."""

    key = "forandrade-behov"
    group = ORDERS
    title = _("Förändrade behov att besvara")
    one = _("förändrat behov att besvara")
    many = _("förändrade behov att besvara")
    caption = _("Rapporter om förändrat behov från utförarna, äldst först")
    empty = _("Inga rapporter om förändrat behov väntar på svar.")
    head_template = "bestallning/worklists/reports_head.html"
    row_template = "bestallning/worklists/report_row.html"
    client_field = "order__client_id"
    sorts = {
        "namn": by_client_name("order__client"),
        "utforare": Sort(_("Utförare"), ("order__provider__name", "reported_at", "pk")),
    }
    columns = (
        *client_columns(lambda row: row.order.client),
        Column(_("Utförare"), lambda row: row.order.provider.name),
        Column(_("Förändring"), lambda row: row.get_direction_display()),
        Column(_("Varaktighet"), lambda row: row.get_duration_display()),
        Column(_("Anledning"), lambda row: row.get_reason_display()),
        Column(_("Rapporterat"), lambda row: local_day(row.reported_at)),
    )

    def applies_to(self, user) -> bool:
        return bool(_officer_units(user))

    def queryset(self, user):
        return (
            selectors.need_changes_visible_to(user)
            .filter(answer="", order__client__ordering_unit_id__in=_officer_units(user))
            .order_by("reported_at", "pk")
        )

    def client_of(self, row):
        return row.order.client


class MyDrafts(Worklist):
    key = "utkast"
    group = ORDERS
    title = _("Dina utkast")
    one = _("utkast")
    many = _("utkast")
    caption = _("Beställningar du har påbörjat men inte skickat, äldst först")
    empty = _("Du har inga osända utkast.")
    head_template = "bestallning/worklists/drafts_head.html"
    row_template = "bestallning/worklists/draft_row.html"
    sorts = {"namn": by_client_name(), "giltigt": BY_VALID_FROM}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Ska gälla från"), lambda row: row.valid_from),
        Column(_("Påbörjat"), lambda row: local_day(row.created_at)),
        Column(_("Ändring"), lambda row: _("Ja") if row.supersedes_id else _("Nej")),
    )

    def applies_to(self, user) -> bool:
        return bool(_officer_units(user))

    def queryset(self, user):
        return (
            selectors.orders_visible_to(user)
            .filter(status__in=states.EDITABLE, ordered_by=user)
            .order_by("created_at", "pk")
        )


class ProviderFilters(WorklistFilters):
    provider = django_filters.ModelChoiceFilter(
        label=_("Utförare"), queryset=Provider.objects.none(), empty_label=_("Alla utförare")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = {m.municipality_id for m in core_permissions.memberships(self.user)}
        self.filters["provider"].queryset = Provider.objects.filter(
            municipality_id__in=municipalities
        )


class WaitingForProvider(Worklist):
    """The officer's orders the provider has not yet received or started (DOMAIN.md §7)."""

    key = "vantar-pa-utforaren"
    group = ORDERS
    title = _("Väntar på utföraren")
    one = _("beställning väntar på utföraren")
    many = _("beställningar väntar på utföraren")
    caption = _(
        "Skickade beställningar som utföraren inte har kvitterat eller verkställt, äldst först"
    )
    empty = _("Utförarna har tagit emot och verkställt alla dina beställningar.")
    head_template = "bestallning/worklists/waiting_head.html"
    row_template = "bestallning/worklists/waiting_row.html"
    sorts = {"namn": by_client_name(), "utforare": BY_PROVIDER, "giltigt": BY_VALID_FROM}
    columns = (
        *client_columns(),
        PROVIDER,
        Column(_("Skickad"), lambda row: local_day(row.sent_at)),
        VALID_FROM,
        Column(
            _("Status"),
            lambda row: (
                _("Inte kvitterad") if row.state.receivable else _("Mottagen, inte verkställd")
            ),
        ),
    )
    filterset_class = ProviderFilters

    def applies_to(self, user) -> bool:
        return bool(_officer_units(user))

    def queryset(self, user):
        return (
            selectors.orders_visible_to(user)
            .filter(client__ordering_unit_id__in=_officer_units(user))
            .filter(status__in=states.EXECUTABLE)
            .filter(Q(ordered_by=user) | Q(client__responsible_officer=user))
            .order_by("sent_at", "pk")
        )


class InboxFilters(WorklistFilters):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (OrderStatus.SENT, _("Inte kvitterad")),
            (OrderStatus.RECEIVED, _("Mottagen, inte verkställd")),
        ],
        empty_label=_("Alla"),
    )


class NewOrders(Worklist):
    """New and changed orders: the coordinator acknowledges them and records the start date."""

    key = "nya-bestallningar"
    group = ORDERS
    title = _("Nya och ändrade beställningar")
    one = _("ny eller ändrad beställning")
    many = _("nya eller ändrade beställningar")
    caption = _("Beställningar som inte är kvitterade eller verkställda, äldst först")
    empty = _("Inga nya eller ändrade beställningar.")
    head_template = "bestallning/worklists/inbox_head.html"
    row_template = "bestallning/worklists/inbox_row.html"
    sorts = {"namn": by_client_name(), "giltigt": BY_VALID_FROM}
    columns = (
        *client_columns(),
        PROVIDER,
        VALID_FROM,
        Column(_("Status"), lambda row: row.get_status_display()),
        Column(_("Ändrad"), lambda row: _("Ja") if row.supersedes_id else _("Nej")),
    )
    filterset_class = InboxFilters

    def applies_to(self, user) -> bool:
        return bool(core_permissions.provider_ids(user))

    def queryset(self, user):
        return selectors.provider_inbox(user).order_by("sent_at", "pk")

    def decorate(self, user, rows):
        for order in rows:
            order.can_receive = permissions.can_receive_order(user, order)
            order.can_execute = permissions.can_execute_order(user, order)
            if order.can_execute:
                order.execute_form = OrderExecuteForm(auto_id=f"id_execute_{order.pk}_%s")
        return rows
