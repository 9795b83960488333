"""The log review pages (loggkontroll, issue 10), for unit managers and the municipality's security
officer; a 404 for everyone else (ramtid.log_review.require_reviewer).

- "Loggkontroll": search the audit trail by period, kind of access, client and user, flagged,
  50 entries a page, and export the search as CSV. A client is chosen by name or personal number
  in a POST form (the number never enters a URL); the chosen client's id then does.
- "Stickprov": the security officer draws the month's random sample of entries, reads it
  flagged and records her conclusion, once.

Every page that names clients writes one access-log row for them (ramtid.audit), the export an
export row: reading the log is itself in the log.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ramtid import log_review, permissions
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import csv_response, xlsx_response
from ramtid.forms import apply_service_errors, labelled_date_field
from ramtid.models import AccessLogReview
from ramtid.web import visible

REVIEWS_PER_PAGE = 50

# ---------------------------------------------------------------------------------------------
# Forms (thin: types and labels; the rules are ramtid.log_review's)


class LogSearchForm(forms.Form):
    """The search, in the URL (it holds no personal data: a client and a user by id)."""

    fran = labelled_date_field(gettext_lazy("Från och med"))
    till = labelled_date_field(gettext_lazy("Till och med"))
    atgard = forms.ChoiceField(
        label=gettext_lazy("Åtkomst"),
        choices=[("", gettext_lazy("Alla slag")), *AccessAction.choices],
        required=False,
    )
    brukare = forms.IntegerField(widget=forms.HiddenInput, required=False)
    anvandare = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", _("Perioden måste sluta samma dag som den börjar eller senare."))
        return data


class LookupForm(forms.Form):
    """Find a client or a user to search by: posted, since the text may be a personal number."""

    sok = forms.CharField(
        label=gettext_lazy("Namn, personnummer eller användarnamn"),
        help_text=gettext_lazy("Brukarens namn eller personnummer, eller användarens namn."),
        max_length=100,
        error_messages={"required": gettext_lazy("Skriv ett namn eller ett personnummer.")},
    )


class DrawForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Kommun"), queryset=None, empty_label=None
    )
    period_start = labelled_date_field(gettext_lazy("Från och med"))
    period_end = labelled_date_field(gettext_lazy("Till och med"))
    size = forms.IntegerField(
        label=gettext_lazy("Antal åtkomster i stickprovet"),
        min_value=1,
        max_value=log_review.SAMPLE_SIZE_MAX,
        help_text=gettext_lazy("Högst %(max)s.") % {"max": log_review.SAMPLE_SIZE_MAX},
        error_messages={
            "required": gettext_lazy("Ange antalet."),
            "invalid": gettext_lazy("Ange ett heltal."),
            "min_value": gettext_lazy("Ange minst 1."),
            "max_value": gettext_lazy("Ange högst %(limit_value)s."),
        },
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].widget = forms.HiddenInput()
            self.fields["municipality"].initial = municipalities[0].pk


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label=gettext_lazy("Slutsats"),
        help_text=gettext_lazy(
            "Vad kontrollen visade och vad som görs åt det. Slutsatsen kan inte ändras när "
            "den är sparad."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": gettext_lazy("Skriv slutsatsen av kontrollen.")},
    )


# ---------------------------------------------------------------------------------------------
# Search


def _search_form(request) -> LogSearchForm:
    start, end = log_review.default_period()
    data = {"fran": start.isoformat(), "till": end.isoformat()}
    data.update(
        {key: value for key, value in request.GET.items() if key in LogSearchForm.base_fields}
    )
    return LogSearchForm(data)


def _query(request, form: LogSearchForm) -> log_review.LogQuery | None:
    """The search the form asks for; a chosen client or user the reviewer may not search by is
    a 404, as another organisation's object."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    client = reader = None
    if data["brukare"] is not None:
        client = log_review.log_client(user=request.user, pk=data["brukare"])
    if data["anvandare"] is not None:
        reader = log_review.log_reader(user=request.user, pk=data["anvandare"])
    return log_review.LogQuery(
        start=data["fran"], end=data["till"], client=client, reader=reader, action=data["atgard"]
    )


def _url(request, **changes) -> str:
    """This page with the search's parameters changed (None removes one); never a page number."""
    query = {
        key: value
        for key, value in request.GET.items()
        if key in LogSearchForm.base_fields and value
    }
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return reverse("log_review") + (f"?{urlencode(query)}" if query else "")


def _link_prefix(request, key: str) -> str:
    """This search with `key` set to what the template appends (a client's or a user's id)."""
    url = _url(request, **{key: None})
    return f"{url}{'&' if '?' in url else '?'}{key}="


@login_required
def log_search(request):
    scope = log_review.require_reviewer(request.user)
    form = _search_form(request)
    query = _query(request, form)
    lookup = LookupForm(request.POST or None)
    found_clients, found_users = [], []
    if request.method == "POST" and lookup.is_valid():
        text = lookup.cleaned_data["sok"]
        found_clients = log_review.client_lookup(user=request.user, text=text)
        found_users = log_review.user_lookup(user=request.user, text=text)
        if len(found_clients) + len(found_users) == 1:
            # One match: search by it straight away (by id, never by the text).
            if found_clients:
                return redirect(_url(request, brukare=found_clients[0].pk))
            return redirect(_url(request, anvandare=found_users[0].pk))
        if not found_clients and not found_users:
            lookup.add_error("sok", _("Ingen brukare eller användare matchar sökningen."))
    page = rows = None
    capped = False
    writes_page = writes = None
    if query is not None:
        ids = log_review.EntryIds(log_review.log_entries(user=request.user, query=query))
        page = Paginator(ids, log_review.PAGE_SIZE).get_page(request.GET.get("sida"))
        capped = ids.capped
        rows = log_review.log_rows(
            entry_ids=list(page.object_list), scope=scope, pinned=query.client
        )
        if query.client is not None:
            events = log_review.client_writes(client=query.client, query=query)
            writes_page = Paginator(events, log_review.PAGE_SIZE).get_page(
                request.GET.get("andringar")
            )
            writes = log_review.write_rows(
                client=query.client, events=list(writes_page.object_list)
            )
    shown = [named.id for row in rows or [] for named in row.clients]
    if query is not None and query.client is not None:
        shown.insert(0, query.client.pk)
    log_access(
        user=request.user,
        clients=[*shown, *(client.pk for client in found_clients)],
        action=AccessAction.LIST,
        what="Loggkontroll",
        request=request,
    )
    paging = {key: value for key, value in request.GET.items() if key in LogSearchForm.base_fields}
    return render(
        request,
        "ramtid/log_review/search.html",
        {
            "form": form,
            "lookup": lookup,
            "found_clients": found_clients,
            "found_users": found_users,
            "query": query,
            "page": page,
            "rows": rows,
            "capped": capped,
            "result_limit": log_review.RESULT_LIMIT,
            "writes_page": writes_page,
            "writes": writes,
            "paging": urlencode(paging),
            "client_link": _link_prefix(request, "brukare"),
            "user_link": _link_prefix(request, "anvandare"),
            "without_client": _url(request, brukare=None),
            "without_user": _url(request, anvandare=None),
            "export_url": reverse("log_review_export")
            + (f"?{urlencode(paging)}" if paging else ""),
            "export_xlsx_url": reverse("log_review_export_xlsx")
            + (f"?{urlencode(paging)}" if paging else ""),
            "can_draw": permissions.can_draw_log_samples(request.user),
        },
    )


CSV_HEADER = [
    gettext_lazy("Tidpunkt"),
    gettext_lazy("Användare"),
    gettext_lazy("Användarnamn"),
    gettext_lazy("I roll"),
    gettext_lazy("Åtkomst"),
    gettext_lazy("Vad"),
    gettext_lazy("Inloggning"),
    gettext_lazy("IP-adress"),
    gettext_lazy("Brukare som visades"),
    gettext_lazy("Varav granskade"),
    gettext_lazy("Granskade brukare (id)"),
    gettext_lazy("Utanför uppdraget"),
    gettext_lazy("Skyddade personuppgifter"),
]


def _csv_line(row: log_review.LogRow) -> list:
    entry = row.entry
    names = ", ".join(f"{named.name} ({named.id})" for named in row.clients)
    if row.unnamed:
        names += _(" … och %(count)s till") % {"count": row.unnamed}
    return [
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        str(entry.user),
        entry.user.username,
        entry.acted_as,
        entry.get_action_display(),
        entry.what,
        entry.get_channel_display(),
        entry.ip_address or "",
        row.shown,
        row.in_scope,
        names,
        row.outside,
        row.protected,
    ]


@login_required
def log_export(request):
    """The search as CSV (ramtid.exports: formula-safe), up to RESULT_LIMIT entries; the export
    is itself logged, naming the clients it names."""
    return _log_export(request, "csv")


@login_required
def log_export_xlsx(request):
    """The search as an Excel file, as the CSV."""
    return _log_export(request, "xlsx")


def _log_export(request, fmt: str):
    log_review.require_reviewer(request.user)
    form = _search_form(request)
    query = _query(request, form)
    if query is None:
        messages.error(request, _("Rätta sökningen innan du exporterar."))
        return redirect(_url(request))
    named: dict[int, None] = {}
    if query.client is not None:
        named[query.client.pk] = None

    def lines():
        for row in log_review.export_rows(user=request.user, query=query):
            named.update(dict.fromkeys(client.id for client in row.clients))
            yield _csv_line(row)

    # Both files are written whole here (the search is bounded by RESULT_LIMIT), so that the
    # clients they name are known when the export is logged.
    name = f"loggkontroll-{query.start:%Y%m%d}-{query.end:%Y%m%d}"
    if fmt == "xlsx":
        response = xlsx_response(f"{name}.xlsx", [(_("Loggkontroll"), CSV_HEADER, lines())])
    else:
        response = csv_response(f"{name}.csv", CSV_HEADER, lines())
    log_access(
        user=request.user,
        clients=named,
        action=AccessAction.EXPORT,
        what="Loggkontroll, export" + (", Excel" if fmt == "xlsx" else ""),
        request=request,
    )
    return response


# ---------------------------------------------------------------------------------------------
# Samples


def _require_sampler(user) -> None:
    if not permissions.can_draw_log_samples(user):
        raise Http404


@login_required
def sample_list(request):
    """The municipality's samples, newest first, and the form that draws the next one."""
    _require_sampler(request.user)
    municipalities = list(log_review.sample_municipalities(request.user))
    start, end = log_review.last_month()
    form = DrawForm(
        request.POST or None,
        municipalities=log_review.sample_municipalities(request.user),
        initial={
            "period_start": start,
            "period_end": end,
            "size": log_review.SAMPLE_SIZE_DEFAULT,
            "municipality": municipalities[0].pk,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = log_review.review_draw(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Stickprovet är draget: %(count)s åtkomster.") % {"count": len(review.sample)},
            )
            return redirect("log_review_sample", pk=review.pk)
    page = Paginator(log_review.reviews_visible_to(request.user), REVIEWS_PER_PAGE).get_page(
        request.GET.get("sida")
    )
    return render(
        request,
        "ramtid/log_review/samples.html",
        {"form": form, "page": page, "several": len(municipalities) > 1},
    )


@login_required
def sample_detail(request, pk: int):
    """One sample, flagged, and its conclusion: given once, then only read."""
    _require_sampler(request.user)
    review: AccessLogReview = visible(log_review.reviews_visible_to(request.user), pk)
    form = None
    if review.concluded_at is None:
        form = ConclusionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                log_review.review_conclude(
                    review=review, conclusion=form.cleaned_data["conclusion"], by=request.user
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Slutsatsen är sparad."))
                return redirect("log_review_sample", pk=review.pk)
    elif request.method == "POST":
        messages.error(request, _("Slutsatsen är redan given och kan inte ändras."))
        return redirect("log_review_sample", pk=review.pk)
    rows = log_review.sample_rows(review)
    log_access(
        user=request.user,
        clients=[named.id for row in rows for named in row.clients],
        action=AccessAction.LIST,
        what="Loggkontroll, stickprov",
        request=request,
    )
    period = {"fran": review.period_start.isoformat(), "till": review.period_end.isoformat()}
    base = reverse("log_review") + "?" + urlencode(period)
    return render(
        request,
        "ramtid/log_review/sample.html",
        {
            "review": review,
            "rows": rows,
            "form": form,
            "flagged": sum(1 for row in rows if row.flagged),
            "client_link": f"{base}&brukare=",
            "user_link": f"{base}&anvandare=",
        },
    )
