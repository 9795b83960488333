"""The complaint pages (uppfoljning.complaints):

- "Klagomål": the complaints the user sees, filterable (open, answered, closed, late only, by
  category), with the open and late ones counted on top; paginated.
- "Registrera klagomål" from the client's page: who raised it, what it concerns (a provider of
  the client's or the unit's handling), the category and the text, the day it came in.
- A complaint's page: the complaint, the answer (and the form for the organisation that answers
  it) and, for a provider's complaint, the officer's closing (and its form).
- The client page's section (settings.RAMTID_CLIENT_PANELS): the client's complaints and the
  button to register one.

Every page reads through the selectors (another organisation's complaint or client is a 404; a
visible one the user may not act on a 403) and writes one access-log row for the clients it
shows. The forms check types and labels; the rules are the service's.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import Column, export_list
from ramtid.forms import DateInput, apply_service_errors
from ramtid.permissions import NavItem
from ramtid.selectors import clients_visible_to
from ramtid.web import client_crumbs, form_page, require, visible
from ramtid.worklists import client_columns
from uppfoljning import complaints, permissions
from uppfoljning.choices import (
    AnswerMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
)

PER_PAGE = 50
ON_CLIENT_PAGE = 10  # the client page shows the latest complaints; the list has them all
UNIT = "enhet"  # the `concerns` choice for the unit's own handling; a provider's is its id

# ---------------------------------------------------------------------------------------------
# Forms (thin: types and labels; the rules are the service's, uppfoljning.complaints)


class ComplaintForm(forms.Form):
    concerns = forms.ChoiceField(
        label=gettext_lazy("Klagomålet gäller"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Välj vad klagomålet gäller.")},
    )
    received_on = forms.DateField(
        label=gettext_lazy("Mottaget"),
        help_text=gettext_lazy("Den dag klagomålet kom in. Svarstiden räknas från den dagen."),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Ange den dag klagomålet togs emot."),
            "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    raised_by = forms.ChoiceField(
        label=gettext_lazy("Lämnat av"),
        choices=ComplainantKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Välj vem som har lämnat klagomålet.")},
    )
    raised_by_name = forms.CharField(
        label=gettext_lazy("Namn på den som lämnat klagomålet"),
        help_text=gettext_lazy(
            "T.ex. ”Anna Berg, dotter”. Lämna tomt om personen vill vara anonym."
        ),
        max_length=200,
        required=False,
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Kategori"),
        choices=[("", gettext_lazy("Välj kategori")), *ComplaintCategory.choices],
        error_messages={"required": gettext_lazy("Välj en kategori.")},
    )
    description = forms.CharField(
        label=gettext_lazy("Vad gäller klagomålet?"),
        help_text=gettext_lazy("Med den klagandes egna ord: vad hände, när och vad hen önskar."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": gettext_lazy("Skriv vad klagomålet gäller.")},
    )
    registration_number = forms.CharField(
        label=gettext_lazy("Diarienummer"),
        help_text=gettext_lazy("Om klagomålet är registrerat i kommunens diarium."),
        max_length=50,
        required=False,
    )

    def __init__(self, *args, targets: complaints.Targets, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(provider.pk), _("%(provider)s (utförarens insatser)") % {"provider": provider})
            for provider in targets.providers
        ]
        if targets.unit is not None:
            choices.append((UNIT, _("%(unit)s (handläggningen)") % {"unit": targets.unit.name}))
        self.fields["concerns"].choices = choices
        if len(choices) == 1:
            self.fields["concerns"].initial = choices[0][0]
        self.providers = {str(provider.pk): provider for provider in targets.providers}

    def service_data(self) -> dict:
        """The cleaned data as the service takes it: `concerns` as `about` and `provider`."""
        data = dict(self.cleaned_data)
        concerns = data.pop("concerns")
        if concerns == UNIT:
            data |= {"about": ComplaintAbout.ORDERING_UNIT, "provider": None}
        else:
            data |= {"about": ComplaintAbout.PROVIDER, "provider": self.providers[concerns]}
        return data


class AnswerForm(forms.Form):
    answer_text = forms.CharField(
        label=gettext_lazy("Svar"),
        help_text=gettext_lazy("Det svar som lämnades till den som klagade, och vad som görs."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": gettext_lazy("Skriv svaret som lämnades.")},
    )
    answer_method = forms.ChoiceField(
        label=gettext_lazy("Svaret lämnades"),
        choices=AnswerMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Välj hur svaret lämnades.")},
    )
    answered_on = forms.DateField(
        label=gettext_lazy("Besvarat"),
        help_text=gettext_lazy("Den dag svaret lämnades. Svarstiden mäts till den dagen."),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Ange den dag svaret lämnades."),
            "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )


class CloseForm(forms.Form):
    closing_note = forms.CharField(
        label=gettext_lazy("Uppföljning och åtgärder"),
        help_text=gettext_lazy(
            "T.ex. vad utföraren ändrar, eller att det tas upp på avstämningsmötet."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    registration_number = forms.CharField(
        label=gettext_lazy("Diarienummer"),
        help_text=gettext_lazy("Skrivs in i brukarens akt."),
        max_length=50,
        required=False,
    )


ALL, OPEN, ANSWERED, CLOSED = "", "open", "answered", "closed"


class ComplaintListFilters(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Visa"),
        choices=[
            (OPEN, gettext_lazy("Att besvara")),
            (ANSWERED, gettext_lazy("Besvarade, inte avslutade")),
            (CLOSED, gettext_lazy("Avslutade")),
        ],
        empty_label=gettext_lazy("Alla"),
        method="filter_status",
    )
    sena = django_filters.BooleanFilter(
        label=gettext_lazy("Bara de som inte besvarats i tid"),
        widget=forms.CheckboxInput,
        method="filter_late",
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Kategori"),
        choices=ComplaintCategory.choices,
        empty_label=gettext_lazy("Alla kategorier"),
    )
    brukare = django_filters.NumberFilter(
        field_name="client_id", widget=forms.HiddenInput, label=gettext_lazy("Brukare")
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(complaints.STATUS_Q[value]) if value else queryset

    def filter_late(self, queryset, name, value):
        return queryset.filter(complaints.late_q(timezone.localdate())) if value else queryset


# ---------------------------------------------------------------------------------------------
# Pages


def _log(request, clients, action: AccessAction, what: str) -> None:
    log_access(user=request.user, clients=clients, action=action, what=what, request=request)


def _complaint(request, pk: int):
    return visible(complaints.complaints_visible_to(request.user), pk)


def _complaints(request):
    """The complaints as the list shows them: the user's, filtered; open ones by deadline,
    otherwise the newest first. Also all the user's (for the counts on top)."""
    if not permissions.sees_complaints(request.user):
        raise Http404
    visible_complaints = complaints.complaints_visible_to(request.user)
    filters = ComplaintListFilters(request.GET or None, queryset=visible_complaints)
    rows = filters.qs if filters.is_bound and filters.is_valid() else visible_complaints
    if filters.is_bound and filters.is_valid() and filters.form.cleaned_data["status"] == OPEN:
        rows = rows.order_by("answer_due", "pk")
    else:
        rows = rows.order_by("-received_on", "-pk")
    return filters, visible_complaints, rows


def _with_state(rows: list) -> list:
    today = timezone.localdate()
    for complaint in rows:
        complaint.state = complaints.ComplaintState.of(complaint, today)
    return rows


def _stage(row) -> str:
    if row.state.closed:
        return _("Avslutat")
    return _("Besvarat, inte avslutat") if row.state.answered else _("Att besvara")


EXPORT_COLUMNS = (
    *client_columns(),
    Column(
        gettext_lazy("Gäller"),
        lambda row: row.provider.name if row.provider_id else row.ordering_unit.name,
    ),
    Column(gettext_lazy("Kategori"), lambda row: row.get_category_display()),
    Column(gettext_lazy("Mottaget"), lambda row: row.received_on),
    Column(gettext_lazy("Besvaras senast"), lambda row: row.answer_due),
    Column(gettext_lazy("Besvarat"), lambda row: row.answered_on),
    Column(gettext_lazy("Läge"), _stage),
    Column(
        gettext_lazy("Inte besvarat i tid"), lambda row: _("Ja") if row.state.overdue else _("Nej")
    ),
)


@login_required
def complaint_export(request, fmt: str):
    """The complaints the list shows, every one, as a file (ramtid.exports.export_list)."""
    _filters, _visible, rows = _complaints(request)
    return export_list(
        request,
        fmt,
        queryset=rows,
        columns=EXPORT_COLUMNS,
        filename="klagomal",
        title=_("Klagomål"),
        prepare=_with_state,
    )


@login_required
def complaint_list(request):
    filters, visible_complaints, rows = _complaints(request)
    today = timezone.localdate()
    # The counts on top, of everything the user sees, in one query.
    counts = visible_complaints.order_by().aggregate(
        open=Count("pk", filter=complaints.open_q()),
        overdue=Count("pk", filter=complaints.overdue_q(today)),
        to_close=Count("pk", filter=complaints.STATUS_Q[ANSWERED]),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("sida"))
    for complaint in page.object_list:
        complaint.state = complaints.ComplaintState.of(complaint, today)
    _log(request, [c.client for c in page.object_list], AccessAction.LIST, "Klagomål")
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "uppfoljning/complaints/list.html",
        {"filters": filters, "page": page, "counts": counts, "query": query.urlencode()},
    )


@login_required
def complaint_create(request, client_pk: int):
    """Register a complaint about the client's care: an officer of the client's unit, or the
    provider's coordinator or the client's contact person about their own provider."""
    user = request.user
    client = visible(clients_visible_to(user), client_pk)
    targets = complaints.complaint_targets(user, client)
    require(bool(targets))
    form = ComplaintForm(
        request.POST if request.method == "POST" else None,
        targets=targets,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaints.register_complaint(client=client, by=user, **form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"about": "concerns", "provider": "concerns"})
        else:
            messages.success(
                request,
                _("Klagomålet är registrerat. Det ska besvaras senast %(date)s.")
                % {"date": f"{complaint.answer_due:%Y-%m-%d}"},
            )
            return redirect("complaint_detail", pk=complaint.pk)
    _log(request, [client], AccessAction.VIEW, "Registrera klagomål")
    days = client.municipality.complaint_answer_days
    return form_page(
        request,
        form=form,
        title=_("Registrera klagomål för %(client)s") % {"client": client},
        intro=_(
            "Den som har klagat ska få svar inom %(days)s dagar från den dag klagomålet togs "
            "emot. Den organisation som klagomålet gäller svarar: utföraren på sina insatser, "
            "beställarenheten på sin handläggning."
        )
        % {"days": days},
        submit=_("Registrera klagomålet"),
        cancel=reverse("client_detail", args=[client.pk]),
        crumbs=client_crumbs(client),
    )


def _detail(request, complaint, *, answer_form=None, close_form=None):
    user = request.user
    today = timezone.localdate()
    _log(request, [complaint.client], AccessAction.VIEW, "Klagomål")
    return render(
        request,
        "uppfoljning/complaints/detail.html",
        {
            "complaint": complaint,
            "client": complaint.client,
            "state": complaints.ComplaintState.of(complaint, today),
            "can_answer": permissions.can_answer_complaint(user, complaint),
            "can_close": permissions.can_close_complaint(user, complaint),
            "answer_form": answer_form or AnswerForm(initial={"answered_on": today}),
            "close_form": close_form
            or CloseForm(initial={"registration_number": complaint.registration_number}),
            "crumbs": [*client_crumbs(complaint.client), (_("Klagomål"), reverse("complaints"))],
        },
    )


@login_required
def complaint_detail(request, pk: int):
    return _detail(request, _complaint(request, pk))


def _said_before(request, who, what: str, day) -> None:
    """Someone else got there first: say so (the same person's second press needs no word)."""
    if who is not None and who.pk != request.user.pk:
        messages.info(
            request,
            _("Klagomålet är redan %(what)s %(date)s av %(who)s.")
            % {"what": what, "date": f"{day:%Y-%m-%d}", "who": who},
        )


def _refused(request, complaint, error: ValidationError):
    """A refusal that names no field (someone else answered or closed it first): said at the
    top of the complaint's page, which then shows what was recorded."""
    messages.error(request, " ".join(error.messages))
    return redirect("complaint_detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_answer(request, pk: int):
    """The organisation the complaint concerns records its answer."""
    complaint = _complaint(request, pk)
    require(permissions.answers_complaint(request.user, complaint))
    if complaint.answered_at is not None:
        # A second press after the answer was saved, or someone answered first: the page
        # shows the answer.
        _said_before(request, complaint.answered_by, _("besvarat"), complaint.answered_on)
        return redirect("complaint_detail", pk=complaint.pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            complaints.answer_complaint(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, complaint, error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Svaret är registrerat."))
            return redirect("complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, answer_form=form)


@login_required
@require_POST
def complaint_close(request, pk: int):
    """The officer of the client's unit closes a provider's answered complaint."""
    complaint = _complaint(request, pk)
    require(permissions.closes_complaint(request.user, complaint))
    if complaint.closed_at is not None:
        _said_before(
            request, complaint.closed_by, _("avslutat"), timezone.localtime(complaint.closed_at)
        )
        return redirect("complaint_detail", pk=complaint.pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            complaints.close_complaint(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, complaint, error)
        messages.success(request, _("Klagomålet är avslutat."))
        return redirect("complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, close_form=form)


# ---------------------------------------------------------------------------------------------
# The client page's section and the menu


def client_panel(request, client) -> str:
    """settings.RAMTID_CLIENT_PANELS: the client's latest complaints the user sees, and the
    button to register one. Nothing for those who neither see nor register complaints."""
    user = request.user
    if not permissions.sees_complaints(user):
        return ""
    targets = complaints.complaint_targets(user, client)
    shown = list(
        complaints.complaints_visible_to(user)
        .filter(client=client)
        .order_by("-received_on", "-pk")[: ON_CLIENT_PAGE + 1]
    )
    if not (shown or targets):
        return ""
    today = timezone.localdate()
    for complaint in shown:
        complaint.state = complaints.ComplaintState.of(complaint, today)
    return render_to_string(
        "uppfoljning/complaints/_client_panel.html",
        {
            "client": client,
            "complaints": shown[:ON_CLIENT_PAGE],
            "more": len(shown) > ON_CLIENT_PAGE,
            "can_register": bool(targets),
        },
        request=request,
    )


def navigation(user) -> list[NavItem]:
    """settings.RAMTID_NAVIGATION: "Klagomål" for those who see complaints (the worklists have
    the counts)."""
    if not permissions.sees_complaints(user):
        return []
    return [NavItem(_("Klagomål"), reverse("complaints"), "complaints")]


urlpatterns = [
    path("klagomal/", complaint_list, name="complaints"),
    path("klagomal/klagomal.csv", complaint_export, {"fmt": "csv"}, name="complaints_csv"),
    path("klagomal/klagomal.xlsx", complaint_export, {"fmt": "xlsx"}, name="complaints_xlsx"),
    path("klagomal/<int:pk>/", complaint_detail, name="complaint_detail"),
    path("klagomal/<int:pk>/besvara/", complaint_answer, name="complaint_answer"),
    path("klagomal/<int:pk>/avsluta/", complaint_close, name="complaint_close"),
    path("brukare/<int:client_pk>/klagomal/ny/", complaint_create, name="complaint_create"),
]
