"""The managers' dashboard (översikt, uppfoljning.dashboard): the page, its PDF (the same
figures and the same SVG chart), the list of the clients behind a figure, the menu item and the
unit manager's panel on the start page.

For the unit manager and the provider's coordinator only (permissions.sees_dashboard): anyone
else gets a 404, as does a link naming a provider or an officer outside the user's scope. The
period travels as whole months (`?fran=ÅÅÅÅ-MM&till=ÅÅÅÅ-MM`), a provider and an officer by id
(`utforare`, `handlaggare`), a figure by its key in the path (/oversikt/plan-saknas/brukare/):
no personal data in URLs.

The page and the PDF show figures, no client: no access-log row. The list of clients behind a
figure writes one, naming the clients of the page shown; its files (CSV and Excel, every row of
the list: ramtid.exports) one "export" row naming them all.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import Column, export_list, local_day
from ramtid.pdf import pdf_response, render_pdf
from ramtid.permissions import NavItem
from ramtid.worklists import client_columns
from uppfoljning import charts, dashboard, permissions
from uppfoljning.dashboard import FIGURES, Period, Row, Scope

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


class MonthInput(forms.TextInput):
    input_type = "month"


def _month_field(label):
    return forms.CharField(
        label=label,
        widget=MonthInput(attrs={"pattern": r"\d{4}-\d{2}"}),
        help_text=gettext_lazy("ÅÅÅÅ-MM"),
        error_messages={"required": gettext_lazy("Ange en månad.")},
    )


class PeriodForm(forms.Form):
    """The period in whole months, both included."""

    fran = _month_field(gettext_lazy("Från och med månad"))
    till = _month_field(gettext_lazy("Till och med månad"))

    def _month(self, name: str) -> datetime.date:
        match = _MONTH.match(self.cleaned_data[name].strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(_("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-01."))
        return datetime.date(int(match[1]), int(match[2]), 1)

    def clean_fran(self):
        return self._month("fran")

    def clean_till(self):
        return self._month("till")

    def clean(self):
        data = super().clean()
        first, last = data.get("fran"), data.get("till")
        if first and last:
            if first > last:
                self.add_error(
                    "till", _("Perioden måste sluta samma månad som den börjar eller senare.")
                )
            elif len(Period(first, last).months) > dashboard.MAX_MONTHS:
                self.add_error(
                    "fran",
                    _("Välj en period på högst %(years)d år.")
                    % {"years": dashboard.MAX_MONTHS // 12},
                )
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["fran"], self.cleaned_data["till"])


def _scope(request) -> Scope:
    scope = dashboard.scope_of(request.user)
    if scope is None:
        raise Http404
    return scope


def _period_form(request) -> PeriodForm:
    query = request.GET.copy()
    default = dashboard.default_period().query()
    for name, value in default.items():
        if not query.get(name):
            query[name] = value
    return PeriodForm(query)


def _month_label(month: datetime.date) -> str:
    return f"{_MONTH_NAMES[month.month - 1]} {month.year}"


def _url(name: str, kwargs: dict | None = None, **params) -> str:
    query = QueryDict(mutable=True)
    query.update({key: str(value) for key, value in params.items() if value is not None})
    return f"{reverse(name, kwargs=kwargs)}?{query.urlencode()}"


def _link_rows(section, source: str, period: Period, dimensions=("provider", "officer")) -> None:
    """Give each row of the section (and its total) the links of its source's figures: the
    clients behind each, for that provider or officer."""
    names = [name for (src, name) in dashboard.FIGURE_KEYS if src == source]
    # A provider's dashboard has hundreds of officer rows, each with its links: the paths and
    # the period's query are made once, a row only adds its id (an integer, nothing to quote).
    lists = {
        name: reverse("dashboard_clients", kwargs={"figure": dashboard.FIGURE_KEYS[(source, name)]})
        for name in names
    }
    query = urlencode(period.query())

    def links(dimension: str | None, key) -> dict[str, str]:
        if dimension is None:
            return {name: f"{path}?{query}" for name, path in lists.items()}
        if key is None:
            return {}  # a complaint about the unit itself: no provider (or officer) to name
        parameter = "utforare" if dimension == "provider" else "handlaggare"
        return {name: f"{path}?{query}&{parameter}={int(key)}" for name, path in lists.items()}

    section.links = links(None, None)
    for dimension in dimensions:
        for row in section.by.get(dimension, []):
            row.links = links(dimension, row.key)


def _link_granted(granted, period: Period) -> None:
    # Granted hours link per officer and in total (the lists have no category filter).
    _link_rows(granted, "granted", period, dimensions=("officer",))
    granted.total.links = granted.links


def _context(request, scope: Scope, period: Period, *, with_granted: bool) -> dict:
    figures = dashboard.dashboard(request.user, scope, period, with_granted=with_granted)
    _link_rows(figures.plans, "plans", period)
    _link_rows(figures.time, "time", period)
    if figures.reviews is not None:
        _link_rows(figures.reviews, "reviews", period)
    _link_rows(figures.quality, "quality", period)
    _link_rows(figures.complaints, "complaints", period, dimensions=("provider",))
    _link_rows(figures.continuity, "continuity", period)
    if figures.granted is not None:
        _link_granted(figures.granted, period)
    months: list[Row] = figures.time.by["month"]
    for row in months:
        row.label = _month_label(row.key)
    # Our own markup (uppfoljning.charts: leather's SVG, labels escaped by ElementTree).
    chart = charts.hours_by_month_svg(
        [
            charts.HoursRow(row.label, row.figures.ordered_hours, row.figures.performed_hours)
            for row in months
        ]
    )
    return {
        "figures": figures,
        "period": period,
        "months": months,
        "chart": mark_safe(chart),  # noqa: S308
        "unit_manager": bool(scope.units),
        "coordinator": bool(scope.providers),
        "pdf_url": _url("dashboard_pdf", **period.query()),
        "granted_url": _url("dashboard_granted", **period.query()),
        "with_granted": dashboard.granted_for(scope),
    }


@login_required
def dashboard_page(request):
    scope = _scope(request)
    form = _period_form(request)
    context = {"form": form}
    if form.is_valid():
        context.update(_context(request, scope, form.period(), with_granted=False))
    return render(request, "uppfoljning/dashboard/page.html", context)


@login_required
def dashboard_granted(request):
    """The granted hours of women and men: loaded into the dashboard by htmx after the rest (the
    fragment), or a page of its own without script. The ordering unit's only."""
    scope = _scope(request)
    if not dashboard.granted_for(scope):
        raise Http404
    form = _period_form(request)
    if not form.is_valid():
        raise Http404
    period = form.period()
    granted = dashboard.granted_section(request.user, scope, period)
    _link_granted(granted, period)
    if request.htmx:
        return render(request, "uppfoljning/dashboard/_granted.html", {"granted": granted})
    return render(
        request,
        "uppfoljning/dashboard/granted.html",
        {"granted": granted, "period": period, "back_url": _url("dashboard", **period.query())},
    )


@login_required
def dashboard_pdf(request):
    scope = _scope(request)
    form = _period_form(request)
    if not form.is_valid():
        raise Http404  # the page says what is wrong; a PDF of a wrong question is no PDF
    period = form.period()
    context = _context(request, scope, period, with_granted=True)
    context.update(printed_at=timezone.localtime(), printed_by=request.user)
    pdf = render_pdf("uppfoljning/dashboard/pdf.html", context)
    return pdf_response(pdf, f"oversikt-{period.first:%Y%m}-{period.last:%Y%m}.pdf")


def _id(request, name: str) -> int | None:
    value = request.GET.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _figure_rows(request, key: str):
    """The figure a list is about, its period, provider and officer, and its rows (a 404 for an
    unknown figure, a wrong period, or a provider or officer outside the user's scope)."""
    scope = _scope(request)
    figure = FIGURES.get(key)
    form = _period_form(request)
    if figure is None or not form.is_valid():
        raise Http404
    period = form.period()
    user = request.user
    try:
        provider = dashboard.chosen_provider(user, scope, _id(request, "utforare"))
        officer = dashboard.chosen_officer(user, scope, _id(request, "handlaggare"))
        rows = dashboard.figure_rows(
            user,
            scope,
            figure,
            period,
            provider=provider.pk if provider else None,
            officer=officer.pk if officer else None,
        )
    except LookupError:
        raise Http404 from None
    return figure, period, provider, officer, rows


def _what(figure, period: Period) -> str:
    return f"Översikt: {figure.label}, {period.first:%Y-%m} – {period.last:%Y-%m}"


@login_required
def dashboard_clients(request, figure: str):
    """The clients behind a figure (its key in the path), 50 a page, by name: the rows the
    figure counts (orders, months, reviews or complaints), each with its client. Without a
    period, the dashboard's default."""
    key = figure
    figure, period, provider, officer, rows = _figure_rows(request, key)
    user = request.user
    page = Paginator(rows, dashboard.PER_PAGE).get_page(request.GET.get("sida"))
    shown = list(page.object_list)
    log_access(
        user=user,
        clients=[row.client_id for row in shown],
        action=AccessAction.LIST,
        what=_what(figure, period),
        request=request,
    )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "uppfoljning/dashboard/clients.html",
        {
            "figure": figure,
            "period": period,
            "provider": provider,
            "officer": officer,
            "page": page,
            "rows": shown,
            "query": query.urlencode(),
            "back_url": _url("dashboard", **period.query()),
            "csv_url": reverse("dashboard_clients_csv", kwargs={"figure": key}),
            "xlsx_url": reverse("dashboard_clients_xlsx", kwargs={"figure": key}),
        },
    )


def _day(value) -> str:
    day = local_day(value)
    return f"{day:%Y-%m-%d}" if day else "–"


def _provider_cell(source: str, row) -> str:
    if source == "reviews":
        return row.order.provider.name if row.order_id and row.order.provider_id else "–"
    return row.provider.name if row.provider_id else _("Beställarenheten")


def _officer_name(user) -> str:
    return (user.get_full_name() or str(user)) if user else ""


def _task_cell(source: str, row) -> str:
    """What the row is, as the list's "Uppgift" says it (uppfoljning/dashboard/clients.html)."""
    if source == "plans":
        return _("Beställning verkställd %(day)s, handläggare %(officer)s") % {
            "day": _day(row.executed_on),
            "officer": _officer_name(row.ordered_by),
        }
    if source == "quality":
        count = len(row.quality_warnings or [])
        return _("Beställning skickad %(day)s: %(count)d varning(ar)") % {
            "day": _day(row.sent_at),
            "count": count,
        }
    if source == "time":
        return _("%(month)s: beställd %(ordered)s min, utförd %(performed)s min (%(status)s)") % {
            "month": f"{row.month:%Y-%m}",
            "ordered": row.ordered_minutes,
            "performed": row.performed_minutes,
            "status": row.get_status_display(),
        }
    if source == "continuity":
        return _("%(month)s: %(staff)s olika personal") % {
            "month": f"{row.month:%Y-%m}",
            "staff": row.continuity_staff,
        }
    if source == "reviews":
        return _("%(reason)s, senast %(day)s") % {
            "reason": row.get_reason_display(),
            "day": _day(row.due_on),
        }
    if source == "granted":
        return _("Beställning gäller från %(day)s") % {"day": _day(row.valid_from)}
    text = _("Klagomål mottaget %(received)s, besvaras senast %(due)s") % {
        "received": _day(row.received_on),
        "due": _day(row.answer_due),
    }
    if row.answered_on:
        text += _(", besvarat %(day)s") % {"day": _day(row.answered_on)}
    return text


def _export_columns(source: str) -> tuple[Column, ...]:
    return (
        *client_columns(number=False),
        Column(gettext_lazy("Utförare"), lambda row: _provider_cell(source, row)),
        Column(gettext_lazy("Uppgift"), lambda row: _task_cell(source, row)),
    )


@login_required
def dashboard_clients_export(request, figure: str, fmt: str):
    """The clients behind a figure, every row of the list, as a file (ramtid.exports)."""
    key = figure
    figure, period, _provider, _officer, rows = _figure_rows(request, key)

    def prepare(chunk: list) -> list:
        # Some figures' rows (continuity) come without their client and provider joined.
        prefetch_related_objects(chunk, "client", "provider")
        return chunk

    return export_list(
        request,
        fmt,
        queryset=rows,
        columns=_export_columns(figure.source),
        filename=f"oversikt-{key}",
        title=figure.label,
        prepare=None if figure.source == "reviews" else prepare,
        what=_what(figure, period),
    )


# ---------------------------------------------------------------------------------------------
# The menu (settings.RAMTID_NAVIGATION) and the start page (settings.RAMTID_START_PANELS)


def navigation(user) -> list[NavItem]:
    if not permissions.sees_dashboard(user):
        return []
    return [NavItem(_("Översikt"), reverse("dashboard"), "dashboard")]


def start_panel(request, **context) -> str:
    """The unit manager's way to the dashboard from her start page (no figures: the start page
    stays quick; the dashboard counts)."""
    if not permissions.dashboard_unit_ids(request.user):
        return ""
    return render_to_string("uppfoljning/dashboard/start_panel.html", request=request)


urlpatterns = [
    path("oversikt/", dashboard_page, name="dashboard"),
    path("oversikt/oversikt.pdf", dashboard_pdf, name="dashboard_pdf"),
    path("oversikt/jamstalldhet/", dashboard_granted, name="dashboard_granted"),
    path("oversikt/<slug:figure>/brukare/", dashboard_clients, name="dashboard_clients"),
    path(
        "oversikt/<slug:figure>/brukare/brukare.csv",
        dashboard_clients_export,
        {"fmt": "csv"},
        name="dashboard_clients_csv",
    ),
    path(
        "oversikt/<slug:figure>/brukare/brukare.xlsx",
        dashboard_clients_export,
        {"fmt": "xlsx"},
        name="dashboard_clients_xlsx",
    ),
]
