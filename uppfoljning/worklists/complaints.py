"""Complaints on the start page (ramtid.worklists; uppfoljning.complaints): the complaints the
user's organisation answers (the provider's coordinator its provider's, the officer her unit's
own), and the officer's follow-up of the providers' complaints (late without an answer, or
answered and waiting to be closed). Counted and ordered in SQL, most urgent first."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ramtid.exports import Column
from ramtid.worklists import Sort, Worklist, WorklistFilters, by_client_name, client_columns
from uppfoljning import complaints, permissions
from uppfoljning.choices import ComplaintCategory

COMPLAINTS = _("Klagomål")


class ComplaintFilters(WorklistFilters):
    category = django_filters.ChoiceFilter(
        label=_("Kategori"), choices=ComplaintCategory.choices, empty_label=_("Alla kategorier")
    )


def _concerns(row) -> str:
    """Whom a complaint concerns, as the list says it: the provider, or the unit's handling."""
    if row.provider_id:
        return row.provider.name
    return f"{row.ordering_unit.name} ({_('handläggningen')})"


def _with_state(rows: list) -> list:
    today = timezone.localdate()
    for row in rows:
        row.state = complaints.ComplaintState.of(row, today)
    return rows


class ComplaintsToAnswer(Worklist):
    """Open complaints the user's organisation answers, the earliest deadline first (002: an
    answer within 14 days)."""

    key = "klagomal-att-besvara"
    group = COMPLAINTS
    title = _("Klagomål att besvara")
    one = _("klagomål att besvara")
    many = _("klagomål att besvara")
    caption = _("Klagomål som din organisation ska besvara, det med tidigast sista svarsdag först")
    empty = _("Inga klagomål väntar på svar.")
    head_template = "uppfoljning/complaints/worklist_head.html"
    row_template = "uppfoljning/complaints/worklist_row.html"
    sorts = {"namn": by_client_name(), "mottaget": Sort(_("Mottaget"), ("received_on", "pk"))}
    columns = (
        *client_columns(),
        Column(_("Gäller"), _concerns),
        Column(_("Kategori"), lambda row: row.get_category_display()),
        Column(_("Mottaget"), lambda row: row.received_on),
        Column(_("Besvaras senast"), lambda row: row.answer_due),
        Column(_("Försenat"), lambda row: _("Ja") if row.state.overdue else _("Nej")),
    )
    filterset_class = ComplaintFilters

    def applies_to(self, user) -> bool:
        return bool(
            permissions.complaint_coordinated_provider_ids(user)
            or permissions.complaint_officer_unit_ids(user)
        )

    def queryset(self, user):
        return complaints.complaints_to_answer(user)

    def decorate(self, user, rows):
        for row in _with_state(rows):
            row.can_answer = permissions.can_answer_complaint(user, row)
        return rows


class ComplaintsToFollowUp(Worklist):
    """The officer's follow-up of the providers' complaints about her unit's clients: late
    without an answer first, then answered ones to read and close."""

    key = "klagomal-att-folja-upp"
    group = COMPLAINTS
    title = _("Klagomål att följa upp")
    one = _("klagomål att följa upp")
    many = _("klagomål att följa upp")
    caption = _(
        "Utförarnas klagomål: först de som inte besvarats i tid, sedan besvarade som ska avslutas"
    )
    empty = _("Inga försenade eller besvarade klagomål att följa upp.")
    head_template = "uppfoljning/complaints/follow_up_head.html"
    row_template = "uppfoljning/complaints/follow_up_row.html"
    sorts = {
        "namn": by_client_name(),
        "utforare": Sort(_("Utförare"), ("provider__name", "answer_due", "pk")),
    }
    columns = (
        *client_columns(),
        Column(_("Utförare"), lambda row: row.provider.name if row.provider_id else ""),
        Column(_("Kategori"), lambda row: row.get_category_display()),
        Column(_("Besvaras senast"), lambda row: row.answer_due),
        Column(_("Besvarat"), lambda row: row.answered_on),
        Column(_("Inte besvarat i tid"), lambda row: _("Ja") if row.state.overdue else _("Nej")),
    )
    filterset_class = ComplaintFilters

    def applies_to(self, user) -> bool:
        return bool(permissions.complaint_officer_unit_ids(user))

    def queryset(self, user):
        return complaints.complaints_to_follow_up(user)

    def decorate(self, user, rows):
        for row in _with_state(rows):
            row.can_close = permissions.can_close_complaint(user, row)
        return rows
