"""The monthly time check's pages (uppfoljning.monthly): a month's results for the officer (her
units) and the provider (its clients), filterable and paginated with the counts in SQL; a result's
page with its figures, the provider's explanation form and the officer's approve/reject form; and
the fee officers' over-time list with its CSV and XLSX exports (figures only: the client, the
provider and the minutes, nothing of plans or interventions).

Every row is fetched through monthly.results_visible_to or monthly.over_time_visible_to, so
another organisation's result is a 404; every action is checked by uppfoljning.permissions (a
visible result the user may not act on is a 403). Months travel as `?manad=YYYY-MM`."""

from __future__ import annotations

import datetime
from operator import itemgetter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ramtid import permissions as core_permissions
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import Column, export_list
from ramtid.formatting import hhmm
from ramtid.permissions import NavItem
from ramtid.web import client_crumbs, require, visible
from ramtid.worklists import client_columns
from uppfoljning import monthly, permissions
from uppfoljning.choices import ExplanationCategory, ExplanationDecision, TimeStatus

PER_PAGE = 50
TO_EXPLAIN, TO_DECIDE = "forklara", "besluta"

# ---------------------------------------------------------------------------------------------
# Forms


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker sends that too) → its first day."""

    widget = forms.TextInput(attrs={"type": "month", "inputmode": "numeric", "size": 8})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return monthly.parse_month(value)
        except ValueError:
            raise ValidationError(_("Skriv månaden som ÅÅÅÅ-MM, t.ex. 2026-10.")) from None


class ResultFilters(forms.Form):
    manad = MonthField(label=gettext_lazy("Månad"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Alla")), *TimeStatus.choices],
    )
    att_gora = forms.ChoiceField(
        label=gettext_lazy("Att göra"),
        required=False,
        choices=[
            ("", gettext_lazy("Allt")),
            (TO_EXPLAIN, gettext_lazy("Behöver förklaras av utföraren")),
            (TO_DECIDE, gettext_lazy("Väntar på handläggarens beslut")),
        ],
    )


class MonthFilter(forms.Form):
    manad = MonthField(label=gettext_lazy("Månad"), required=False)


class ExplainForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Orsak"), choices=ExplanationCategory.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Förklaring"),
        help_text=gettext_lazy(
            "Vad hände under månaden? T.ex. sjukhusvistelse med datum, avböjda besök, tillfälligt "
            "ökat behov."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class DecideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivering"),
        help_text=gettext_lazy("Behövs när förklaringen avslås; utföraren ser den."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


# ---------------------------------------------------------------------------------------------
# Helpers


def _month_of(form: forms.Form, queryset) -> datetime.date:
    """The month asked for, else the latest month the user has results for, else last month."""
    month = form.cleaned_data.get("manad") if form.is_valid() else None
    return month or monthly.latest_month(queryset) or monthly.previous_month(timezone.localdate())


def visits_url(result) -> str:
    """The client's visits for the month (engineer A's page), or "" until it exists."""
    try:
        url = reverse("client_visits", args=[result.client_id])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'manad': f'{result.month:%Y-%m}'})}"


def _log(request, clients, action: AccessAction, what: str) -> None:
    log_access(user=request.user, clients=clients, action=action, what=what, request=request)


def _result(request, pk: int):
    return visible(monthly.results_visible_to(request.user), pk)


# ---------------------------------------------------------------------------------------------
# A month's results


def _filtered_results(filters, in_month, today):
    """A month's results as the list shows them: filtered, in the clients' name order."""
    rows = in_month
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            rows = rows.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["att_gora"] == TO_EXPLAIN:
            rows = rows.filter(monthly.needs_explanation(today))
        elif filters.cleaned_data["att_gora"] == TO_DECIDE:
            rows = rows.filter(monthly.needs_decision())
    return rows.order_by("client__last_name", "client__first_name", "client_id", "order_id")


def _with_state(rows):
    today = timezone.localdate()
    for result in rows:
        result.state = monthly.ResultState.of(result, today)
    return rows


def _stage(result) -> str:
    """Where the month's explanation stands, in the words of the list (time/_stage.html)."""
    state = result.state
    if result.frozen_at:
        decided = f", {result.get_decision_display().lower()}" if result.decision else ""
        return _("Låst") + decided
    if result.decision == "approved":
        return _("Förklaring godkänd")
    if result.decision == "rejected":
        again = _(", ny förklaring behövs") if state.explainable else ""
        return _("Förklaring avslagen") + again
    if result.explanation_category:
        return _("Förklarad, väntar på beslut")
    if state.needs_explanation:
        return _("Behöver förklaras")
    return _("Inte förklarad") if result.status != TimeStatus.WITHIN else ""


RESULT_COLUMNS = (
    Column(gettext_lazy("Månad"), lambda row: f"{row.month:%Y-%m}"),
    *client_columns(),
    Column(gettext_lazy("Beställarenhet"), lambda row: row.ordering_unit.name),
    Column(gettext_lazy("Utförare"), lambda row: row.provider.name),
    Column(gettext_lazy("Beställning"), lambda row: row.order_id),
    Column(gettext_lazy("Beställd (tim:min)"), lambda row: hhmm(row.ordered_minutes)),
    Column(gettext_lazy("Utförd (tim:min)"), lambda row: hhmm(row.performed_minutes)),
    Column(gettext_lazy("Avvikelse (tim:min)"), lambda row: hhmm(row.deviation_minutes)),
    Column(gettext_lazy("Beställd (minuter)"), lambda row: row.ordered_minutes),
    Column(gettext_lazy("Utförd (minuter)"), lambda row: row.performed_minutes),
    Column(gettext_lazy("Avvikelse (minuter)"), lambda row: row.deviation_minutes),
    Column(
        gettext_lazy("Avvikelse (%)"),
        lambda row: None if row.deviation_percent is None else float(row.deviation_percent),
    ),
    Column(gettext_lazy("Status"), lambda row: row.get_status_display()),
    Column(gettext_lazy("Förklaring"), _stage),
    Column(gettext_lazy("Sista dag"), lambda row: row.billing_deadline),
)


@login_required
def result_export(request, fmt: str):
    """The month's results as the list shows them, every one, as a file."""
    if not monthly.sees_time_results(request.user):
        raise Http404
    results = monthly.results_visible_to(request.user)
    filters = ResultFilters(request.GET or None)
    month = _month_of(filters, results)
    rows = _filtered_results(filters, results.filter(month=month), timezone.localdate())
    return export_list(
        request,
        fmt,
        queryset=rows,
        columns=RESULT_COLUMNS,
        filename=f"tidsuppfoljning-{month:%Y-%m}",
        title=_("Tidsuppföljning %(month)s") % {"month": f"{month:%Y-%m}"},
        prepare=_with_state,
    )


@login_required
def result_list(request):
    if not monthly.sees_time_results(request.user):
        raise Http404
    results = monthly.results_visible_to(request.user)
    filters = ResultFilters(request.GET or None)
    month = _month_of(filters, results)
    today = timezone.localdate()
    in_month = results.filter(month=month)
    # Every count of the month, and its deadlines, in one aggregate.
    counts = in_month.aggregate(
        total=Count("pk"),
        within=Count("pk", filter=Q(status=TimeStatus.WITHIN)),
        over=Count("pk", filter=Q(status=TimeStatus.OVER)),
        under=Count("pk", filter=Q(status=TimeStatus.UNDER)),
        to_explain=Count("pk", filter=monthly.needs_explanation(today)),
        to_decide=Count("pk", filter=monthly.needs_decision()),
        frozen=Count("pk", filter=Q(frozen_at__isnull=False)),
        first_deadline=Min("billing_deadline"),
        last_deadline=Max("billing_deadline"),
    )
    rows = _filtered_results(filters, in_month, today)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("sida"))
    _with_state(page.object_list)
    _log(request, [r.client for r in page.object_list], AccessAction.LIST, "Tidsuppföljning")
    query = request.GET.copy()
    query.pop("sida", None)
    query["manad"] = f"{month:%Y-%m}"
    return render(
        request,
        "uppfoljning/time/results.html",
        {
            "filters": filters,
            "month": month,
            "counts": counts,
            "page": page,
            "query": query.urlencode(),
            "is_provider": bool(core_permissions.provider_ids(request.user)),
        },
    )


def _detail(request, result, *, explain_form=None, decide_form=None):
    state = monthly.ResultState.of(result)
    can_explain = permissions.can_explain_time(request.user, result) and state.explainable
    can_decide = permissions.can_decide_time(request.user, result) and state.decidable
    _log(request, [result.client], AccessAction.VIEW, "Tidsuppföljning för en månad")
    crumbs = [
        *client_crumbs(result.client),
        (
            _("Tidsuppföljning %(month)s") % {"month": f"{result.month:%Y-%m}"},
            reverse("time_results") + f"?manad={result.month:%Y-%m}",
        ),
    ]
    return render(
        request,
        "uppfoljning/time/detail.html",
        {
            "result": result,
            "state": state,
            "crumbs": crumbs,
            "visits_url": visits_url(result),
            "frozen_reason": monthly.frozen_reason(result),
            "can_explain": can_explain,
            "can_decide": can_decide,
            "explain_form": explain_form
            or ExplainForm(
                initial={
                    "category": result.explanation_category or None,
                    "text": result.explanation_text if not state.rejected else "",
                }
            ),
            "decide_form": decide_form or DecideForm(),
            "approved": ExplanationDecision.APPROVED,
            "rejected": ExplanationDecision.REJECTED,
        },
    )


@login_required
def result_detail(request, pk: int):
    return _detail(request, _result(request, pk))


@login_required
@require_POST
def result_explain(request, pk: int):
    """The provider's coordinator explains the month (an explicit press of "Skicka
    förklaringen")."""
    result = _result(request, pk)
    require(permissions.can_explain_time(request.user, result))
    form = ExplainForm(request.POST)
    if form.is_valid():
        try:
            monthly.explain_month(result=result, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect("time_result", pk=result.pk)
            _add_errors(form, error)
        else:
            messages.success(request, _("Förklaringen är skickad till handläggaren."))
            return redirect("time_result", pk=result.pk)
    return _detail(request, result, explain_form=form)


@login_required
@require_POST
def result_decide(request, pk: int):
    """The officer approves or rejects the explanation: two explicit buttons, one form."""
    result = _result(request, pk)
    require(permissions.can_decide_time(request.user, result))
    form = DecideForm(request.POST)
    decision = request.POST.get("decision", "")
    if form.is_valid():
        try:
            monthly.decide_month(
                result=result,
                by=request.user,
                decision=decision,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect("time_result", pk=result.pk)
            _add_errors(form, error)
        else:
            text = (
                _("Förklaringen är godkänd.")
                if decision == ExplanationDecision.APPROVED
                else _("Förklaringen är avslagen. Utföraren ser motiveringen.")
            )
            messages.success(request, text)
            return redirect("time_result", pk=result.pk)
    return _detail(request, result, decide_form=form)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)


# ---------------------------------------------------------------------------------------------
# The fee officers' over-time list

EXPORT_COLUMNS = [
    gettext_lazy("Månad"),
    gettext_lazy("Efternamn"),
    gettext_lazy("Förnamn"),
    gettext_lazy("Personnummer"),
    gettext_lazy("Utförare"),
    gettext_lazy("Beställning"),
    gettext_lazy("Beställd tid (h:mm)"),
    gettext_lazy("Utförd tid (h:mm)"),
    gettext_lazy("Övertid (h:mm)"),
    gettext_lazy("Beställd tid (minuter)"),
    gettext_lazy("Utförd tid (minuter)"),
    gettext_lazy("Övertid (minuter)"),
    gettext_lazy("Avvikelse (%)"),
    gettext_lazy("Förklaring"),
]


def _over_time(request):
    if not permissions.is_fee_officer(request.user):
        raise Http404
    results = monthly.over_time_visible_to(request.user)
    form = MonthFilter(request.GET or None)
    month = _month_of(form, results)
    rows = results.filter(month=month).order_by(
        "client__last_name", "client__first_name", "client_id", "order_id"
    )
    return form, month, rows


def _explanation_word(result) -> str:
    if result.decision:
        return str(result.get_decision_display())
    return _("Förklarad, inte beslutad") if result.explanation_category else _("Ingen")


def _export_row(result) -> list:
    client = result.client
    deviation = result.performed_minutes - result.ordered_minutes
    return [
        f"{result.month:%Y-%m}",
        client.last_name,
        client.first_name,
        client.personal_number_display,
        result.provider.name,
        result.order_id,
        hhmm(result.ordered_minutes),
        hhmm(result.performed_minutes),
        hhmm(deviation),
        result.ordered_minutes,
        result.performed_minutes,
        deviation,
        "" if result.deviation_percent is None else str(result.deviation_percent),
        _explanation_word(result),
    ]


@login_required
def over_time_list(request):
    form, month, rows = _over_time(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("sida"))
    for result in page.object_list:
        result.over_minutes = result.performed_minutes - result.ordered_minutes
    _log(request, [r.client for r in page.object_list], AccessAction.LIST, "Övertid")
    manad = f"{month:%Y-%m}"
    return render(
        request,
        "uppfoljning/time/over_time.html",
        {
            "form": form,
            "month": month,
            "page": page,
            "query": urlencode({"manad": manad}),
            "csv_url": reverse("over_time_csv") + "?" + urlencode({"manad": manad}),
            "xlsx_url": reverse("over_time_xlsx") + "?" + urlencode({"manad": manad}),
        },
    )


# The file's columns: a row is prepared as its cells (_export_row), read by position.
OVER_TIME_COLUMNS = tuple(
    Column(heading, itemgetter(index)) for index, heading in enumerate(EXPORT_COLUMNS)
)


def _over_time_export(request, fmt: str):
    """The month's over-time list as a file (ramtid.exports.export_list): one access-log row
    naming every client, then the rows a chunk at a time."""
    _form, month, rows = _over_time(request)
    return export_list(
        request,
        fmt,
        queryset=rows,
        columns=OVER_TIME_COLUMNS,
        filename=f"overtid-{month:%Y-%m}",
        dated=False,
        title=_("Övertid %(month)s") % {"month": f"{month:%Y-%m}"},
        what=_("Övertid"),
        prepare=lambda results: [_export_row(result) for result in results],
    )


@login_required
def over_time_csv(request):
    """UTF-8 with a BOM and semicolons, as Swedish Excel opens it."""
    return _over_time_export(request, "csv")


@login_required
def over_time_xlsx(request):
    return _over_time_export(request, "xlsx")


# ---------------------------------------------------------------------------------------------
# The menu (settings.RAMTID_NAVIGATION)


def navigation(user) -> list[NavItem]:
    items = []
    if monthly.sees_time_results(user):
        items.append(NavItem(_("Tidsuppföljning"), reverse("time_results"), "time_results"))
    if permissions.is_fee_officer(user):
        items.append(NavItem(_("Övertid"), reverse("over_time"), "over_time"))
    return items


urlpatterns = [
    path("tidsuppfoljning/", result_list, name="time_results"),
    path(
        "tidsuppfoljning/tidsuppfoljning.csv",
        result_export,
        {"fmt": "csv"},
        name="time_results_csv",
    ),
    path(
        "tidsuppfoljning/tidsuppfoljning.xlsx",
        result_export,
        {"fmt": "xlsx"},
        name="time_results_xlsx",
    ),
    path("tidsuppfoljning/<int:pk>/", result_detail, name="time_result"),
    path("tidsuppfoljning/<int:pk>/forklaring/", result_explain, name="time_result_explain"),
    path("tidsuppfoljning/<int:pk>/beslut/", result_decide, name="time_result_decide"),
    path("overtid/", over_time_list, name="over_time"),
    path("overtid/overtid.csv", over_time_csv, name="over_time_csv"),
    path("overtid/overtid.xlsx", over_time_xlsx, name="over_time_xlsx"),
]
