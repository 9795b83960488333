"""Pages for performed time in: the upload, its progress (htmx polling while Celery works), the
import history with every error of a rejected file, and a client's visits of a month with the
plausibility flags. Thin: every import is fetched through imports_visible_to (another
organisation's is a 404), every write is a service call. Months travel as `?manad=YYYY-MM`."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ramtid import selectors as core_selectors
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import Column, csv_response, export_list, xlsx_response
from ramtid.permissions import NavItem
from ramtid.web import client_crumbs, require, visible
from uppfoljning import imports, permissions, plausibility
from uppfoljning.choices import ImportStatus
from uppfoljning.models import PerformedVisit, VisitImport
from uppfoljning.partitions import first_of_month, next_month

IMPORTS_PER_PAGE = 25
ERRORS_PER_PAGE = 100
FINISHED = (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)
# The largest file the upload takes: a Stockholm-sized month is about 150 MB.
MAX_UPLOAD_BYTES = 400 * 1024 * 1024


class UploadForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Utförare"), queryset=None, empty_label=gettext_lazy("Välj utförare")
    )
    file = forms.FileField(
        label=gettext_lazy("Fil med besök"),
        help_text=gettext_lazy(
            "CSV med rubrikrad, semikolon eller komma, UTF-8 eller Windows-1252 (som Excel "
            "sparar). Kolumner: besoks_id, personnummer, start, slut, personal, status och "
            "frivilligt insats och orsak."
        ),
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        only = list(providers[:2])
        if len(only) == 1:
            self.fields["provider"].initial = only[0].pk
            self.fields["provider"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Filen är för stor: högst 400 MB."))
        return upload


def _import(request, pk: int) -> VisitImport:
    return visible(imports.imports_visible_to(request.user), pk)


@login_required
def import_list(request):
    """The import history (who, when, file, rows, new and updated visits, errors)."""
    history = imports.imports_visible_to(request.user).order_by("-created_at", "-id")
    page = Paginator(history, IMPORTS_PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "uppfoljning/imports/import_list.html",
        {
            "page": page,
            "can_import": imports.may_import(request.user),
        },
    )


IMPORT_COLUMNS = (
    Column(
        gettext_lazy("Inläst"),
        lambda item: timezone.localtime(item.created_at).strftime("%Y-%m-%d %H:%M"),
    ),
    Column(gettext_lazy("Utförare"), lambda item: item.provider.name),
    Column(gettext_lazy("Av"), lambda item: str(item.created_by or "")),
    Column(gettext_lazy("Fil"), lambda item: item.file_name or item.get_channel_display()),
    Column(gettext_lazy("Status"), lambda item: item.get_status_display()),
    Column(gettext_lazy("Rader"), lambda item: item.rows_total),
    Column(gettext_lazy("Nya"), lambda item: item.created_count),
    Column(gettext_lazy("Uppdaterade"), lambda item: item.updated_count),
    Column(gettext_lazy("Fel"), lambda item: item.error_count),
)


@login_required
def import_list_export(request, fmt: str):
    """The import history as a file: counts and names of files, no client (not logged as a
    read of client data, as the page is not)."""
    history = imports.imports_visible_to(request.user).order_by("-created_at", "-id")
    return export_list(
        request,
        fmt,
        queryset=history.select_related("provider", "created_by"),
        columns=IMPORT_COLUMNS,
        filename="inlasningar",
        title=_("Inläsningar av besök"),
        client_field=None,
    )


@login_required
def import_new(request):
    require(imports.may_import(request.user))
    providers = imports.providers_for_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        provider = form.cleaned_data["provider"]
        require(permissions.can_import_visits(request.user, provider))
        upload = form.cleaned_data["file"]
        visit_import = imports.create_file_import(
            provider=provider, by=request.user, file_name=upload.name, stream=upload
        )
        return redirect("visit_import_detail", pk=visit_import.pk)
    return render(
        request,
        "uppfoljning/imports/import_new.html",
        {"form": form, "crumbs": [(_("Besök"), reverse("visit_imports"))]},
    )


def _progress_context(visit_import: VisitImport) -> dict:
    total = max(visit_import.rows_total, 1)
    checking = visit_import.rows_done < max(visit_import.rows_total // 2, 1)
    return {
        "visit_import": visit_import,
        "finished": visit_import.status in FINISHED,
        "percent": min(100, round(100 * visit_import.rows_done / total)),
        "phase": _("Kontrollerar raderna") if checking else _("Sparar besöken"),
    }


@login_required
def import_detail(request, pk: int):
    visit_import = _import(request, pk)
    see_errors = permissions.can_view_import_errors(request.user, visit_import)
    page = None
    if see_errors and visit_import.error_count:
        errors = visit_import.error_rows.order_by("row", "id")
        page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "uppfoljning/imports/import_detail.html",
        {
            **_progress_context(visit_import),
            "see_errors": see_errors,
            "page": page,
            "crumbs": [(_("Besök"), reverse("visit_imports"))],
        },
    )


@login_required
def import_progress(request, pk: int):
    """The progress bar, polled by htmx every second while the import waits or runs; once it has
    finished the page is loaded again (HX-Refresh) to show the result and the errors."""
    visit_import = _import(request, pk)
    context = _progress_context(visit_import)
    response = render(request, "uppfoljning/imports/_progress.html", context)
    if context["finished"] and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_errors_export(request, pk: int, fmt: str = "csv"):
    """Every error of a rejected file, as CSV or Excel: rows, columns and reasons, which never
    repeat a cell or a personal number (no access-log row, as the page has none)."""
    visit_import = _import(request, pk)
    require(permissions.can_view_import_errors(request.user, visit_import))
    rows = (
        visit_import.error_rows.order_by("row", "id")
        .values_list("row", "column", "message")
        .iterator(chunk_size=2000)
    )
    header = [_("Rad"), _("Kolumn"), _("Fel")]
    filename = f"inlasning-{visit_import.pk}-fel"
    if fmt == "xlsx":
        return xlsx_response(f"{filename}.xlsx", [(_("Fel"), header, rows)])
    return csv_response(f"{filename}.csv", header, rows)


# ---------------------------------------------------------------------------------------------
# A client's visits of a month


def parse_month(value: str | None) -> datetime.date | None:
    """`YYYY-MM` → the month's first day; None when absent or not a month."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return None


@login_required
def client_visits(request, pk: int):
    """The visits of a client's month, the minutes by status and the plausibility flags: the
    officers of the client's unit see every provider's visits, a provider its own."""
    client = visible(core_selectors.clients_visible_to(request.user), pk)
    month = parse_month(request.GET.get("manad"))
    if request.GET.get("manad") and month is None:
        raise Http404
    month = month or first_of_month(timezone.localdate())
    providers = permissions.client_visit_provider_ids(request.user, client)
    visits = PerformedVisit.objects.filter(client=client, month=month).select_related(
        "provider", "intervention_type"
    )
    if providers is not None:
        visits = visits.filter(provider_id__in=providers)
    visits = list(visits.order_by("start", "external_id"))
    flags = plausibility.client_month_flags(
        client_id=client.pk, month=month, provider_ids=providers
    )
    flagged: dict[str, list[str]] = {}
    for flag in flags:
        flagged.setdefault(flag.external_id, []).append(flag.message)
    for visit in visits:
        visit.flags = flagged.get(visit.external_id, [])
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.VIEW,
        what=f"Besök {month:%Y-%m}",
        request=request,
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "uppfoljning/imports/client_visits.html",
        {
            "client": client,
            "month": month,
            "previous": f"{previous:%Y-%m}",
            "next": f"{next_month(month):%Y-%m}",
            "visits": visits,
            "totals": plausibility.month_totals(
                client_id=client.pk, month=month, provider_ids=providers
            ).values(),
            "flags": flags,
            "crumbs": client_crumbs(client),
        },
    )


def navigation(user) -> list[NavItem]:
    """settings.RAMTID_NAVIGATION: "Besök" for those who import (coordinators, administrators)."""
    if not imports.may_import(user):
        return []
    return [NavItem(_("Besök"), reverse("visit_imports"), "visit_imports")]


urlpatterns = [
    path("besok/", import_list, name="visit_imports"),
    path("besok/inlasningar.csv", import_list_export, {"fmt": "csv"}, name="visit_imports_csv"),
    path("besok/inlasningar.xlsx", import_list_export, {"fmt": "xlsx"}, name="visit_imports_xlsx"),
    path("besok/ny/", import_new, name="visit_import_new"),
    path("besok/<int:pk>/", import_detail, name="visit_import_detail"),
    path("besok/<int:pk>/status/", import_progress, name="visit_import_progress"),
    path("besok/<int:pk>/fel.csv", import_errors_export, name="visit_import_errors_csv"),
    path(
        "besok/<int:pk>/fel.xlsx",
        import_errors_export,
        {"fmt": "xlsx"},
        name="visit_import_errors_xlsx",
    ),
    path("brukare/<int:pk>/besok/", client_visits, name="client_visits"),
]
