"""The plan coverage report's pages (genomforandeplan.reports): the page with its totals and 50
rows a page, most urgent first; the PDF (the totals and the most urgent rows); the CSV (streamed)
and the Excel file of every row. For the ordering unit's officers and managers and the provider's
coordinators only: anyone else gets a 404, as does a unit or provider in the filter that is not
among the user's (reports.report_units, reports.report_providers).

Every request writes one access-log row naming the clients it shows (the page's rows, the PDF's
rows, every row of an export). Dates travel as `?fran=ÅÅÅÅ-MM-DD&till=…`, the unit and the
provider by id (`enhet`, `utforare`)."""

from __future__ import annotations

import datetime
from functools import cached_property

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from genomforandeplan import reports
from genomforandeplan.reports import ReportFilter, ReportRow, Totals
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import csv_streaming_response, xlsx_response
from ramtid.forms import labelled_date_field
from ramtid.pdf import pdf_response, render_pdf
from ramtid.permissions import NavItem

# ---------------------------------------------------------------------------------------------
# The filters


class ReportForm(forms.Form):
    """The period (orders executed from and to, both days included), and a unit and a provider
    chosen among the user's. An id that is not among them is a 404 (the view), not an error."""

    fran = labelled_date_field(gettext_lazy("Verkställd från och med"))
    till = labelled_date_field(gettext_lazy("Verkställd till och med"))
    enhet = forms.IntegerField(
        label=gettext_lazy("Beställarenhet"),
        required=False,
        widget=forms.Select,
        error_messages={"invalid": gettext_lazy("Välj en beställarenhet i listan.")},
    )
    utforare = forms.IntegerField(
        label=gettext_lazy("Utförare"),
        required=False,
        widget=forms.Select,
        error_messages={"invalid": gettext_lazy("Välj en utförare i listan.")},
    )

    def __init__(self, data, *, units, providers):
        super().__init__(data)
        self.units, self.providers = list(units), list(providers)
        everyone = [("", _("Alla"))]
        self.fields["enhet"].widget.choices = everyone + [(u.pk, u.name) for u in self.units]
        self.fields["utforare"].widget.choices = everyone + [(p.pk, p.name) for p in self.providers]

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", _("Perioden måste sluta samma dag som den börjar eller senare."))
        return data

    def report_filter(self) -> ReportFilter:
        """The valid form's filter; a unit or a provider not among the user's is a 404."""
        data = self.cleaned_data
        return ReportFilter(
            start=data["fran"],
            end=data["till"],
            unit=_chosen(self.units, data.get("enhet")),
            provider=_chosen(self.providers, data.get("utforare")),
        )


def _chosen(options: list, pk: int | None):
    if pk is None:
        return None
    for option in options:
        if option.pk == pk:
            return option
    raise Http404


def _with_default_period(query: QueryDict) -> QueryDict:
    """The query with the default period (reports.default_period) where it names none."""
    query = query.copy()
    start, end = reports.default_period()
    query.setdefault("fran", f"{start:%Y-%m-%d}")
    query.setdefault("till", f"{end:%Y-%m-%d}")
    return query


def _form(request) -> ReportForm:
    user = request.user
    if not reports.sees_plan_report(user):
        raise Http404
    return ReportForm(
        _with_default_period(request.GET),
        units=reports.report_units(user),
        providers=reports.report_providers(user),
    )


def _orders(request, report: ReportFilter):
    """(the report's orders, the same with their facts (reports.with_report_facts) most urgent
    first): the first for the totals, the second for the rows."""
    today = timezone.localdate()
    orders = reports.report_orders(request.user, report)
    return orders, reports.by_urgency(reports.with_report_facts(orders, today))


def _query(form: ReportForm) -> str:
    """The filters as a query string, for the pages' links and the files'."""
    data = form.cleaned_data
    query = QueryDict(mutable=True)
    query["fran"], query["till"] = f"{data['fran']:%Y-%m-%d}", f"{data['till']:%Y-%m-%d}"
    for name in ("enhet", "utforare"):
        if data.get(name) is not None:
            query[name] = str(data[name])
    return query.urlencode()


def _what(report: ReportFilter) -> str:
    """The report's scope in words: the period, and the unit and the provider when chosen."""
    words = [f"{report.start:%Y-%m-%d} – {report.end:%Y-%m-%d}"]
    if report.unit is not None:
        words.append(report.unit.name)
    if report.provider is not None:
        words.append(report.provider.name)
    return ", ".join(words)


def _log(request, client_ids: list[int], what: str, action: AccessAction) -> None:
    log_access(user=request.user, clients=client_ids, action=action, what=what, request=request)


def _clients(rows: list[ReportRow]) -> list[int]:
    return [row.order.client_id for row in rows]


class _Counted(Paginator):
    """A paginator told the number of rows (the totals' count), so it does not count again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


# ---------------------------------------------------------------------------------------------
# The page


@login_required
def plan_report(request):
    form = _form(request)
    context = {"form": form, "totals": None, "rows": [], "page": None}
    if form.is_valid():
        report = form.report_filter()
        orders, rows_in_order = _orders(request, report)
        totals = reports.report_totals(orders)
        page = _Counted(rows_in_order, reports.PER_PAGE, count=totals.orders).get_page(
            request.GET.get("sida")
        )
        rows = reports.report_rows(list(page.object_list))
        _log(request, _clients(rows), f"Planrapport {_what(report)}", AccessAction.LIST)
        query = _query(form)
        context.update(
            report=report,
            totals=totals,
            rows=rows,
            page=page,
            query=query,
            pdf_url=reverse("plan_report_pdf") + "?" + query,
            csv_url=reverse("plan_report_csv") + "?" + query,
            xlsx_url=reverse("plan_report_xlsx") + "?" + query,
        )
    context["deadline_days"] = reports.deadline_days(request.user)
    return render(request, "genomforandeplan/report.html", context)


# ---------------------------------------------------------------------------------------------
# The files


def _valid(request) -> ReportFilter:
    form = _form(request)
    if not form.is_valid():
        raise Http404  # the page says what is wrong; a file of a wrong question is no file
    return form.report_filter()


def _filename(report: ReportFilter, suffix: str) -> str:
    return f"planrapport-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{suffix}"


@login_required
def plan_report_pdf(request):
    """The totals and the PDF_MAX_ROWS most urgent rows, with a note when there are more."""
    report = _valid(request)
    orders, rows_in_order = _orders(request, report)
    totals = reports.report_totals(orders)
    rows = reports.report_rows(list(rows_in_order[: reports.PDF_MAX_ROWS]))
    _log(request, _clients(rows), f"Planrapport {_what(report)}, PDF", AccessAction.EXPORT)
    pdf = render_pdf(
        "genomforandeplan/report_pdf.html",
        {
            "report": report,
            "scope": _what(report),
            "totals": totals,
            "rows": rows,
            "more": max(totals.orders - len(rows), 0),
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
            "deadline_days": reports.deadline_days(request.user),
        },
    )
    return pdf_response(pdf, _filename(report, "pdf"))


EXPORT_COLUMNS = [
    gettext_lazy("Beställarenhet"),
    gettext_lazy("Utförare"),
    gettext_lazy("Efternamn"),
    gettext_lazy("Förnamn"),
    gettext_lazy("Personnummer"),
    gettext_lazy("Beställning"),
    gettext_lazy("Verkställd"),
    gettext_lazy("Plan senast"),
    gettext_lazy("Plan klar (brukaren godkände)"),
    gettext_lazy("Dagar från start till klar"),
    gettext_lazy("Tidsfrist"),
    gettext_lazy("Dagar efter tidsfristen"),
    gettext_lazy("Plan"),
    gettext_lazy("Täcker beställningen helt"),
    gettext_lazy("Saknas i planen"),
    gettext_lazy("Inte beställt"),
    gettext_lazy("Frekvens"),
    gettext_lazy("Dagliga besök"),
]


def _date(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def _messages(gaps) -> str:
    return "; ".join(gap.message for gap in gaps)


def export_row(row: ReportRow) -> list:
    order, client = row.order, row.order.client
    return [
        client.ordering_unit.name,
        order.provider.name,
        client.last_name,
        client.first_name,
        client.personal_number_display,
        order.pk,
        _date(order.executed_on),
        _date(row.deadline.due),
        _date(row.ready_on),
        row.days_to_ready,
        str(row.deadline.status.label),
        row.deadline.days_late or None,
        row.plan_text,
        row.covers_text,
        _messages(row.missing),
        _messages(row.not_ordered),
        _messages(row.frequency),
        _messages(row.daily_visits),
    ]


def _export(request, kind: str):
    """The report's every row for a file: the order of the rows and their clients read first
    (one query), the access-log row written, then the rows read a chunk at a time."""
    report = _valid(request)
    orders, rows_in_order = _orders(request, report)
    order_ids, client_ids = reports.export_order(rows_in_order)
    _log(request, client_ids, f"Planrapport {_what(report)}, {kind}", AccessAction.EXPORT)
    rows = (export_row(row) for row in reports.rows_in_chunks(rows_in_order, order_ids))
    return report, orders, rows


@login_required
def plan_report_csv(request):
    """UTF-8 with a BOM and semicolons, as Swedish Excel opens it; streamed, row by row."""
    report, _queryset, rows = _export(request, "CSV")
    return csv_streaming_response(_filename(report, "csv"), EXPORT_COLUMNS, rows)


def totals_rows(totals: Totals) -> list[list]:
    return [
        [_("Sammanfattning"), totals.text()],
        [_("Verkställda beställningar"), totals.orders],
        [_("Med plan"), totals.with_plan],
        [_("Klar i tid"), totals.on_time],
        [_("Klar för sent"), totals.late],
        [_("Saknas, tidsfristen har gått ut"), totals.missing],
        [_("Inte klar, tid kvar"), totals.not_due],
        [_("Godkända av handläggaren"), totals.approved],
        [_("Återsända till utföraren"), totals.returned],
        [_("Väntar på granskning"), totals.awaiting_review],
        [_("Planer som följer beställningen (bedömda)"), totals.assessed],
        [_("Täcker beställningen helt"), totals.covering],
    ]


@login_required
def plan_report_xlsx(request):
    report, orders, rows = _export(request, "Excel")
    totals = reports.report_totals(orders)
    return xlsx_response(
        _filename(report, "xlsx"),
        [
            (_("Planrapport"), EXPORT_COLUMNS, rows),
            (_("Sammanfattning"), [_("Period"), _what(report)], totals_rows(totals)),
        ],
    )


# ---------------------------------------------------------------------------------------------
# The menu (settings.RAMTID_NAVIGATION)


def navigation(user) -> list[NavItem]:
    if not reports.sees_plan_report(user):
        return []
    return [NavItem(_("Planrapport"), reverse("plan_report"), "plan_report")]
