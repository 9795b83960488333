"""The liaison meeting pages (uppfoljning.liaison), 002 "Samverkan med hemtjänstutförare":

- "Samverkansmöten": the user's pairs of ordering unit and provider, with the clients today, the
  kind of meeting they get, the next meeting month and the last recorded meeting. Counts only:
  it names no client.
- A pair's pack for a period (by default since the meeting month before the next one), as a
  page and as a PDF, following the seed's agenda, with the pair's recorded meetings.
- Recording a meeting (the unit's officers and managers), and a meeting's page with its notes,
  where the one who recorded it corrects them the same day and anyone who records the unit's
  meetings later adds to them.

Another organisation's pair or meeting, and any pair or meeting for a role without packs
(contact persons, fee officers, administrators, log reviewers), is a 404; a coordinator who
asks to record a meeting gets a 403 (she sees the pair, and the unit records). The pack's page
and PDF write one access-log row naming the clients in its examples. Dates travel as
`?fran=ÅÅÅÅ-MM-DD&till=…`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.forms import DateInput, apply_service_errors, labelled_date_field
from ramtid.pdf import pdf_response, render_pdf
from ramtid.permissions import NavItem
from ramtid.web import form_page, require, visible
from uppfoljning import liaison, permissions
from uppfoljning.charts import HoursRow, hours_by_month_svg
from uppfoljning.choices import LiaisonMeetingKind

# ---------------------------------------------------------------------------------------------
# Forms (types and labels; the rules are the service's, uppfoljning.liaison)


class PeriodForm(forms.Form):
    fran = labelled_date_field(gettext_lazy("Från och med"))
    till = labelled_date_field(gettext_lazy("Till och med"))

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", _("Perioden måste sluta samma dag som den börjar eller senare."))
        return data


def _date_field(label, required_text: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={
            "required": required_text,
            "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
        **kwargs,
    )


class MeetingForm(forms.Form):
    held_on = _date_field(gettext_lazy("Mötesdag"), gettext_lazy("Ange den dag mötet hölls."))
    kind = forms.ChoiceField(
        label=gettext_lazy("Mötesform"),
        choices=LiaisonMeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Välj om det var ett avstämningsmöte eller ett telefonmöte."),
            "invalid_choice": gettext_lazy(
                "Välj om det var ett avstämningsmöte eller ett telefonmöte."
            ),
        },
    )
    participants = forms.CharField(
        label=gettext_lazy("Deltagare"),
        help_text=gettext_lazy("Namn och roll, från beställarenheten och från utföraren."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=liaison.TEXT_MAX,
        error_messages={
            "required": gettext_lazy("Skriv vilka som deltog, från beställarenheten och utföraren.")
        },
    )
    notes = forms.CharField(
        label=gettext_lazy("Anteckningar"),
        help_text=gettext_lazy(
            "Vad som togs upp under varje punkt, vad ni kom överens om och vem som gör vad. "
            "Skriv inte personnummer."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=liaison.TEXT_MAX,
        error_messages={
            "required": gettext_lazy("Skriv vad som togs upp och vad ni kom överens om.")
        },
    )
    period_start = _date_field(
        gettext_lazy("Underlaget från och med"), gettext_lazy("Ange underlagets första dag.")
    )
    period_end = _date_field(
        gettext_lazy("Underlaget till och med"), gettext_lazy("Ange underlagets sista dag.")
    )


class AmendForm(forms.Form):
    """The same-day correction (participants and notes) or a later addition (notes only)."""

    participants = forms.CharField(
        label=gettext_lazy("Deltagare"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=liaison.TEXT_MAX,
        error_messages={
            "required": gettext_lazy("Skriv vilka som deltog, från beställarenheten och utföraren.")
        },
    )
    notes = forms.CharField(
        label=gettext_lazy("Anteckningar"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=liaison.TEXT_MAX,
        error_messages={
            "required": gettext_lazy("Skriv vad som togs upp och vad ni kom överens om.")
        },
    )

    def __init__(self, *args, correcting: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["participants"]
            self.fields["notes"].label = _("Tillägg till anteckningarna")
            self.fields["notes"].help_text = _(
                "Läggs till sist i anteckningarna med dagens datum och ditt namn. Det som redan "
                "står ändras inte."
            )
            self.fields["notes"].widget.attrs["rows"] = 4
            self.fields["notes"].error_messages["required"] = _(
                "Skriv det du vill lägga till i anteckningarna."
            )


# ---------------------------------------------------------------------------------------------
# Reading


def _pair(request, unit_pk: int, provider_pk: int):
    pair = None
    if liaison.sees_liaison(request.user):
        pair = liaison.liaison_pair(request.user, unit_pk, provider_pk)
    if pair is None:
        raise Http404
    return pair


def _period_form(request, unit, provider) -> PeriodForm:
    query = request.GET.copy()
    if "fran" not in query or "till" not in query:
        last = liaison.last_held_on(request.user, unit, provider)
        start, end = liaison.default_period(timezone.localdate(), last)
        query.setdefault("fran", f"{start:%Y-%m-%d}")
        query.setdefault("till", f"{end:%Y-%m-%d}")
    return PeriodForm(query)


def _query(form: PeriodForm) -> str:
    query = QueryDict(mutable=True)
    query["fran"] = f"{form.cleaned_data['fran']:%Y-%m-%d}"
    query["till"] = f"{form.cleaned_data['till']:%Y-%m-%d}"
    return query.urlencode()


def _what(pack: liaison.Pack) -> str:
    return (
        f"Samverkansmöte {pack.unit.name} – {pack.provider.name}, "
        f"{pack.start:%Y-%m-%d} – {pack.end:%Y-%m-%d}"
    )


def _pack(request, unit, provider, form: PeriodForm) -> liaison.Pack:
    data = form.cleaned_data
    return liaison.liaison_pack(
        request.user, unit=unit, provider=provider, start=data["fran"], end=data["till"]
    )


def _chart(pack: liaison.Pack) -> str:
    """Ordered against performed hours by month (uppfoljning.charts), for the page and the PDF:
    SVG markup drawn by our own code from figures, so safe to put in the page as it is."""
    rows = [
        HoursRow(date_format(month.month, "M Y"), month.ordered / 60, month.performed / 60)
        for month in pack.time_months
    ]
    return mark_safe(hours_by_month_svg(rows))  # noqa: S308 - our SVG, no user input


@login_required
def liaison_list(request):
    if not liaison.sees_liaison(request.user):
        raise Http404
    return render(
        request,
        "uppfoljning/liaison/list.html",
        {
            "pairs": liaison.liaison_pairs(request.user),
            "meeting_min": liaison.MEETING_MIN_CLIENTS,
            "phone_min": liaison.PHONE_MIN_CLIENTS,
        },
    )


@login_required
def liaison_pack(request, unit_pk: int, provider_pk: int):
    unit, provider = _pair(request, unit_pk, provider_pk)
    form = _period_form(request, unit, provider)
    context = {
        "form": form,
        "unit": unit,
        "provider": provider,
        "pack": None,
        "can_record": permissions.can_record_liaison_meeting(request.user, unit),
    }
    if form.is_valid():
        pack = _pack(request, unit, provider, form)
        log_access(
            user=request.user,
            clients=pack.client_ids(),
            action=AccessAction.LIST,
            what=_what(pack),
            request=request,
        )
        query = _query(form)
        args = [unit.pk, provider.pk]
        context.update(
            pack=pack,
            chart=_chart(pack),
            pdf_url=reverse("liaison_pack_pdf", args=args) + "?" + query,
            record_url=reverse("liaison_meeting_create", args=args) + "?" + query,
        )
    return render(request, "uppfoljning/liaison/pack.html", context)


@login_required
def liaison_pack_pdf(request, unit_pk: int, provider_pk: int):
    unit, provider = _pair(request, unit_pk, provider_pk)
    form = _period_form(request, unit, provider)
    if not form.is_valid():
        raise Http404  # the page says what is wrong; a file of a wrong question is no file
    pack = _pack(request, unit, provider, form)
    log_access(
        user=request.user,
        clients=pack.client_ids(),
        action=AccessAction.EXPORT,
        what=_what(pack) + ", PDF",
        request=request,
    )
    pdf = render_pdf(
        "uppfoljning/liaison/pack_pdf.html",
        {
            "pack": pack,
            "chart": _chart(pack),
            "pdf": True,
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
        },
    )
    filename = f"samverkan-{provider.pk}-{pack.start:%Y%m%d}-{pack.end:%Y%m%d}.pdf"
    return pdf_response(pdf, filename)


# ---------------------------------------------------------------------------------------------
# Recording


def _pack_url(meeting_or_pair, query: str = "") -> str:
    unit, provider = meeting_or_pair
    url = reverse("liaison_pack", args=[unit.pk, provider.pk])
    return url + ("?" + query if query else "")


@login_required
def liaison_meeting_create(request, unit_pk: int, provider_pk: int):
    unit, provider = _pair(request, unit_pk, provider_pk)
    require(permissions.can_record_liaison_meeting(request.user, unit))
    if request.method == "POST":
        form = MeetingForm(request.POST)
    else:
        period = _period_form(request, unit, provider)
        initial = {"held_on": timezone.localdate()}
        if period.is_valid():
            initial |= {
                "period_start": period.cleaned_data["fran"],
                "period_end": period.cleaned_data["till"],
            }
        clients = liaison.liaison_pack_clients_now(request.user, unit, provider)
        kind = liaison.meeting_kind(clients)
        initial["kind"] = kind or LiaisonMeetingKind.PHONE
        form = MeetingForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = liaison.record_liaison_meeting(
                unit=unit, provider=provider, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Mötet är registrerat."))
            return redirect("liaison_meeting", pk=meeting.pk)
    return form_page(
        request,
        form=form,
        title=_("Registrera möte med %(provider)s") % {"provider": provider.name},
        intro=_(
            "%(unit)s och %(provider)s. Skriv vad som togs upp under dagordningens punkter: "
            "beställningar, avböjda besök och tidsavvikelser, genomförandeplaner, synpunkter "
            "och klagomål, fakturafrågor, och det utföraren tog upp."
        )
        % {"unit": unit.name, "provider": provider.name},
        submit=_("Registrera mötet"),
        cancel=_pack_url((unit, provider)),
        crumbs=_crumbs(unit, provider),
    )


def _crumbs(unit, provider) -> list[tuple[str, str]]:
    return [
        (_("Samverkansmöten"), reverse("liaison_list")),
        (f"{unit.name} – {provider.name}", _pack_url((unit, provider))),
    ]


def _meeting(request, pk: int):
    return visible(liaison.meetings_visible_to(request.user), pk)


def _meeting_page(request, meeting, form=None):
    user = request.user
    can_record = permissions.can_record_liaison_meeting(user, meeting.ordering_unit)
    correcting = can_record and liaison.correctable(meeting, user)
    if can_record and form is None:
        initial = (
            {"participants": meeting.participants, "notes": meeting.notes} if correcting else {}
        )
        form = AmendForm(initial=initial, correcting=correcting)
    return render(
        request,
        "uppfoljning/liaison/meeting.html",
        {
            "meeting": meeting,
            "form": form if can_record else None,
            "correcting": correcting,
            "crumbs": _crumbs(meeting.ordering_unit, meeting.provider),
        },
    )


@login_required
def liaison_meeting(request, pk: int):
    return _meeting_page(request, _meeting(request, pk))


@login_required
@require_POST
def liaison_meeting_amend(request, pk: int):
    meeting = _meeting(request, pk)
    require(permissions.can_record_liaison_meeting(request.user, meeting.ordering_unit))
    correcting = liaison.correctable(meeting, request.user)
    form = AmendForm(request.POST, correcting=correcting)
    if form.is_valid():
        try:
            liaison.amend_liaison_meeting(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Anteckningarna är rättade.") if correcting else _("Tillägget är sparat."),
            )
            return redirect("liaison_meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, form)


# ---------------------------------------------------------------------------------------------
# The menu (settings.RAMTID_NAVIGATION)


def navigation(user) -> list[NavItem]:
    if not liaison.sees_liaison(user):
        return []
    return [NavItem(_("Samverkansmöten"), reverse("liaison_list"), "liaison_list")]


urlpatterns = [
    path("samverkan/", liaison_list, name="liaison_list"),
    path("samverkan/<int:unit_pk>/<int:provider_pk>/", liaison_pack, name="liaison_pack"),
    path(
        "samverkan/<int:unit_pk>/<int:provider_pk>/underlag.pdf",
        liaison_pack_pdf,
        name="liaison_pack_pdf",
    ),
    path(
        "samverkan/<int:unit_pk>/<int:provider_pk>/mote/ny/",
        liaison_meeting_create,
        name="liaison_meeting_create",
    ),
    path("samverkan/mote/<int:pk>/", liaison_meeting, name="liaison_meeting"),
    path("samverkan/mote/<int:pk>/andra/", liaison_meeting_amend, name="liaison_meeting_amend"),
]
