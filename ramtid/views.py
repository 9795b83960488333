from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ramtid import permissions, selectors, services, worklists
from ramtid.audit import log_access
from ramtid.choices import AccessAction, Role
from ramtid.exports import Column, export_list
from ramtid.forms import ClientForm, ClientRelativeForm, ClientSearchForm, apply_service_errors
from ramtid.models import Membership, OrderingUnit
from ramtid.panels import render_panels
from ramtid.pdf import pdf_response, render_pdf
from ramtid.web import next_url, require, visible

CLIENTS_PER_PAGE = 50
ACCESS_LOG_PER_PAGE = 50


@login_required
def start(request):
    """What must I do today? Each of the user's worklists with its count and its most urgent
    rows (ramtid.worklists): bounded, whatever the size of the user's scope."""
    sections = worklists.sections_for(request.user)
    _log_shown(request, sections, _("Startsidan"))
    groups: dict[str, list] = {}
    for section in sections:
        groups.setdefault(section.worklist.group, []).append(section)
    return render(
        request,
        "ramtid/start.html",
        {
            "memberships": permissions.memberships(request.user),
            "client_count": selectors.clients_visible_to(request.user).count(),
            "can_create_client": permissions.can_create_client(request.user),
            "sections": sections,
            "groups": list(groups.items()),
            "panels": render_panels("RAMTID_START_PANELS", request),
        },
    )


def _log_shown(request, sections, what: str) -> None:
    """One access-log entry for every client the page lists (ramtid.audit)."""
    clients = {}
    for section in sections:
        for row in section.rows:
            client = section.worklist.client_of(row)
            if client is not None:
                clients[client.pk] = client
    if clients:
        log_access(
            user=request.user,
            clients=clients.values(),
            action=AccessAction.LIST,
            what=what,
            request=request,
        )


def _worklist(request, key: str) -> worklists.Worklist:
    item = worklists.worklist(key)
    if item is None or not item.applies_to(request.user):
        raise Http404
    return item


def _worklist_rows(request, item: worklists.Worklist):
    """The list as the page shows it: the user's rows, filtered (a filter that is not valid,
    e.g. another organisation's provider, is ignored) and in the chosen order."""
    queryset = item.queryset(request.user)
    filters = None
    if item.filterset_class is not None:
        filters = item.filterset_class(request.GET or None, queryset=queryset, user=request.user)
        queryset = filters.qs if filters.is_bound and filters.is_valid() else queryset
    sort = worklists.SortForm(request.GET, item=item) if item.sorts else None
    chosen = sort.chosen() if sort else worklists.URGENCY
    return filters, sort, chosen, worklists.sorted_by(item, queryset, chosen)


@login_required
def worklist_page(request, key: str):
    """A whole worklist: paginated, filterable, most urgent first or in another order. An htmx
    request (the filter form) gets the results alone; the address follows the form."""
    item = _worklist(request, key)
    filters, sort, chosen, queryset = _worklist_rows(request, item)
    ids = queryset.values_list("pk", flat=True)
    page = Paginator(ids, worklists.ROWS_PER_PAGE).get_page(request.GET.get("sida"))
    rows = worklists.rows_of(item, request.user, queryset, page.object_list)
    section = worklists.Section(item, page.paginator.count, rows)
    _log_shown(request, [section], item.title)
    query = request.GET.copy()
    query.pop("sida", None)
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "ramtid/_worklist_results.html" if partial else "ramtid/worklist.html",
        {
            "worklist": item,
            "section": section,
            "page": page,
            "filters": filters,
            "sort": sort,
            "sorted_by": item.sorts[chosen].label if chosen in item.sorts else "",
            "partial": partial,
            "query": query.urlencode(),
        },
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def worklist_export(request, key: str, fmt: str):
    """A whole worklist as a file (CSV or Excel), filtered and sorted as its page; its rows are
    decorated as the page's, a chunk at a time (ramtid.exports.export_list)."""
    item = _worklist(request, key)
    if not item.columns:
        raise Http404
    _filters, _sort, _chosen, queryset = _worklist_rows(request, item)
    return export_list(
        request,
        fmt,
        queryset=queryset,
        columns=item.columns,
        filename=item.key,
        title=item.title,
        client_field=item.client_field,
        prepare=lambda rows: item.decorate(request.user, rows),
    )


def _client_search(request, data: dict) -> ClientSearchForm:
    form = ClientSearchForm(
        data,
        statuses=selectors.client_statuses(request.user),
        can_filter_own=bool(permissions.ordering_unit_ids(request.user, {Role.CASE_OFFICER})),
    )
    form.is_valid()
    return form


@login_required
def client_list(request):
    # The filters come from the URL (they carry no personal data) or, when the search form is
    # posted, from the form; the search text only ever from a POST body, never from a URL.
    data = {key: value for key, value in request.GET.items() if key in ClientSearchForm.FILTERS}
    form = _client_search(request, {**data, **request.POST.dict()})
    search = form.search()
    clients = selectors.client_search(user=request.user, **search)
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("sida"))
    log_access(
        user=request.user,
        clients=page.object_list,
        action=AccessAction.LIST,
        what="Brukarlistan",
        request=request,
    )
    filters = urlencode(form.filters())
    narrowed_by = ""
    if search["query"]:
        narrowed_by = _("sökningen")
    elif filters:
        narrowed_by = _("urvalet")
    template = "ramtid/_client_table.html" if request.htmx else "ramtid/client_list.html"
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": search["query"],
            "narrowed_by": narrowed_by,
            "filters": filters,
            "can_create_client": permissions.can_create_client(request.user),
        },
    )
    if request.htmx:
        # The address bar follows the filters (never the search), so a reload keeps them.
        response["HX-Replace-Url"] = reverse("client_list") + (f"?{filters}" if filters else "")
    return response


CLIENT_COLUMNS = (
    Column(_lazy("Efternamn"), lambda client: client.last_name),
    Column(_lazy("Förnamn"), lambda client: client.first_name),
    Column(_lazy("Personnummer"), lambda client: client.personal_number_display),
    Column(_lazy("Beställarenhet"), lambda client: client.ordering_unit.name),
    Column(_lazy("Ansvarig handläggare"), lambda client: str(client.responsible_officer or "")),
    Column(
        _lazy("Skyddade personuppgifter"),
        lambda client: _("Ja") if client.protected_identity else _("Nej"),
    ),
)


@login_required
def client_list_export(request, fmt: str):
    """The client list as a file, with the list's filters (from the URL: they carry no personal
    data). A search is never in a URL, so the file holds the filtered list, not a search."""
    data = {key: value for key, value in request.GET.items() if key in ClientSearchForm.FILTERS}
    form = _client_search(request, data)
    clients = selectors.client_search(user=request.user, **{**form.search(), "query": ""})
    return export_list(
        request,
        fmt,
        queryset=clients,
        columns=CLIENT_COLUMNS,
        filename="brukare",
        title=_("Brukare"),
        client_field="id",
    )


def _visible_client(request, pk):
    return visible(selectors.clients_visible_to(request.user), pk)


def _editable_client(request, pk):
    """A client the user may change: another organisation's is a 404, a read-only one a 403."""
    client = _visible_client(request, pk)
    require(permissions.can_edit_client(request.user, client))
    return client


@login_required
def client_detail(request, pk):
    client = _visible_client(request, pk)
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.VIEW,
        what="Brukarsidan",
        request=request,
    )
    return render(
        request,
        "ramtid/client_detail.html",
        {
            "client": client,
            "relatives": client.relatives.all(),
            "show_contact": permissions.can_view_client_contact(request.user, client),
            "can_edit": permissions.can_edit_client(request.user, client),
            "can_assign_officer": permissions.can_assign_responsible_officer(request.user, client),
            "can_view_access_log": permissions.can_view_access_log(request.user, client),
            "panels": render_panels("RAMTID_CLIENT_PANELS", request, client=client),
        },
    )


def _units_for(user):
    return OrderingUnit.objects.filter(
        pk__in=permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
    )


@login_required
def client_create(request):
    if not permissions.can_create_client(request.user):
        raise Http404
    form = ClientForm(request.POST or None, units=_units_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("ordering_unit")
        number = data.pop("personal_number_input")
        data["responsible_officer"] = data.get("responsible_officer") or request.user
        try:
            client = services.client_create(
                by=request.user, ordering_unit=unit, personal_number_input=number, **data
            )
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"personal_number": "personal_number_input"})
        else:
            messages.success(request, _("Brukaren är registrerad."))
            return redirect("client_detail", pk=client.pk)
    return render(request, "ramtid/client_form.html", {"form": form, "client": None})


@login_required
def client_edit(request, pk):
    client = _visible_client(request, pk)
    require(permissions.can_open_client_form(request.user, client))
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.VIEW,
        what="Ändra brukarens uppgifter",
        request=request,
    )
    form = ClientForm(
        request.POST or None, instance=client, units=_units_for(request.user), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"personal_number": "personal_number_input"})
        else:
            messages.success(request, _("Uppgifterna är sparade."))
            return redirect("client_detail", pk=client.pk)
    return render(
        request,
        "ramtid/client_form.html",
        {
            "form": form,
            "client": client,
            "contact_hidden": not permissions.can_view_client_contact(request.user, client),
        },
    )


@login_required
def relative_add(request, pk):
    client = _editable_client(request, pk)
    form = ClientRelativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.relative_add(client=client, by=request.user, **form.cleaned_data)
        messages.success(request, _("Närstående eller företrädare har lagts till."))
        return redirect("client_detail", pk=client.pk)
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.VIEW,
        what="Ny närstående eller företrädare",
        request=request,
    )
    return render(request, "ramtid/relative_form.html", {"form": form, "client": client})


@login_required
@require_POST
def relative_remove(request, pk, relative_pk):
    client = _editable_client(request, pk)
    relative = visible(client.relatives.all(), relative_pk)
    services.relative_remove(relative=relative, by=request.user)
    messages.success(request, _("%(name)s har tagits bort.") % {"name": relative.name})
    return redirect("client_detail", pk=client.pk)


@login_required
def client_export(request, pk):
    """Registerutdrag: what the system holds about the client, as a printable PDF."""
    client = _visible_client(request, pk)
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.EXPORT,
        what="Registerutdrag",
        request=request,
    )
    pdf = render_pdf(
        "ramtid/client_export_pdf.html",
        {
            "client": client,
            "relatives": client.relatives.all(),
            "show_contact": permissions.can_view_client_contact(request.user, client),
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
        },
    )
    return pdf_response(pdf, f"registerutdrag-{client.pk}.pdf")


@login_required
def client_access_log(request, pk):
    client = _visible_client(request, pk)
    require(permissions.can_view_access_log(request.user, client))
    log_access(
        user=request.user,
        clients=[client],
        action=AccessAction.VIEW,
        what="Åtkomstloggen",
        request=request,
    )
    history = selectors.client_access_history(client=client)
    page = Paginator(history, ACCESS_LOG_PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "ramtid/client_access_log.html",
        {"client": client, "page": page, "entries": page.object_list},
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to ours."""
    return redirect(static("ramtid/favicon.svg"), permanent=True)


@never_cache
@require_GET
def healthz(request):
    """Database and broker status for the load balancer and the compose healthcheck."""
    status = {"database": _database_ok(), "broker": _broker_status()}
    healthy = status["database"] == "ok" and status["broker"] in ("ok", "eager")
    return JsonResponse(status, status=200 if healthy else 503)


def _database_ok() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        return "fel"


def _broker_status() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        return "ok"
    except redis.RedisError:
        return "fel"


@login_required
@require_POST
def membership_decide(request, pk):
    """A unit manager approves or refuses a role granted in the admin (issue 10)."""
    membership = visible(
        worklists.RolesToApprove().queryset(request.user)
        if worklists.RolesToApprove().applies_to(request.user)
        else Membership.objects.none(),
        pk,
    )
    decision = request.POST.get("beslut")
    if decision not in ("godkann", "avsla"):
        return HttpResponseBadRequest(_("Välj Godkänn eller Avslå."))
    if decision == "godkann":
        try:
            services.membership_approve(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(next_url(request, reverse("start")))
        messages.success(
            request,
            _("%(user)s har fått rollen %(role)s.")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    else:
        services.membership_reject(membership=membership, by=request.user)
        messages.success(
            request,
            _("Rollen %(role)s för %(user)s är avslagen och borttagen.")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    return redirect(next_url(request, reverse("start")))
