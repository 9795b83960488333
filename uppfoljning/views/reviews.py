"""The officer's individual reviews and the staff continuity page.

- "Individuppföljningar": the unit's reviews, open ones by default, the earliest due first,
  filterable by reason, paginated.
- A review's page: the form (the five questions of 004 §4.1.4, the contact person, the outcome)
  beside what the officer reads before it (the client's current orders and plans, the last six
  months of time results, the previous reviews); a completed review read-only.
- "Personalkontinuitet": the clients over the continuity goal in a month (uppfoljning.continuity),
  for the officer (her units' clients) and the provider (its own clients and staff), and the
  month's list as a file (CSV, Excel).

Every page reads through the selectors (another unit's review is a 404) and writes one access-log
row for the clients it shows. Providers never see reviews.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bestallning.selectors import orders_visible_to
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import selectors as plan_selectors
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.exports import EXPORT_CHUNK, FORMATS, Column, export_list, in_chunks, list_response
from ramtid.forms import DateInput, apply_service_errors
from ramtid.permissions import NavItem
from ramtid.selectors import clients_visible_to
from ramtid.web import client_crumbs, require, visible
from ramtid.worklists import client_columns
from uppfoljning import continuity, permissions, reviews
from uppfoljning.choices import ReviewOutcome, ReviewReason
from uppfoljning.models import IndividualReview, MonthlyTimeResult
from uppfoljning.partitions import first_of_month, next_month

REVIEWS_PER_PAGE = 50
TIME_RESULT_MONTHS = 6  # the time results shown beside the form
PREVIOUS_REVIEWS = 3

# ---------------------------------------------------------------------------------------------
# Forms (thin: types and labels; the rules are the service's, uppfoljning.reviews)


def _label(name: str) -> str:
    return IndividualReview._meta.get_field(name).verbose_name


class ReviewForm(forms.Form):
    interventions_work = forms.CharField(label=_label("interventions_work"), widget=forms.Textarea)
    needs_met = forms.CharField(label=_label("needs_met"), widget=forms.Textarea)
    decision_must_change = forms.CharField(
        label=_label("decision_must_change"), widget=forms.Textarea
    )
    client_took_part = forms.CharField(label=_label("client_took_part"), widget=forms.Textarea)
    client_satisfied = forms.CharField(label=_label("client_satisfied"), widget=forms.Textarea)
    contacted_contact_person = forms.BooleanField(
        label=gettext_lazy("Jag har haft kontakt med brukarens kontaktman inför uppföljningen"),
        required=False,  # the service names what is missing, with the other answers
    )
    contacted_others = forms.CharField(
        label=gettext_lazy("Andra som har kontaktats"),
        help_text=gettext_lazy(
            "T.ex. anhöriga, god man eller sjuksköterska. Samtycke kan behövas."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Utfall"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    done_on = forms.DateField(
        label=gettext_lazy("Datum för uppföljningen"),
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in reviews.QUESTIONS:
            self.fields[name].error_messages["required"] = _("Svara på frågan.")
            self.fields[name].widget.attrs["rows"] = 3
        self.fields["outcome"].error_messages["required"] = _("Välj utfall.")
        self.fields["done_on"].error_messages["required"] = _("Ange datum för uppföljningen.")


OPEN, DONE = "oppna", "genomforda"


class ReviewListFilters(django_filters.FilterSet):
    visa = django_filters.ChoiceFilter(
        label=gettext_lazy("Visa"),
        choices=[(OPEN, gettext_lazy("Att göra")), (DONE, gettext_lazy("Genomförda"))],
        empty_label=None,
        method="filter_visa",
    )
    reason = django_filters.ChoiceFilter(
        label=gettext_lazy("Anledning"),
        choices=ReviewReason.choices,
        empty_label=gettext_lazy("Alla anledningar"),
    )

    def filter_visa(self, queryset, name, value):
        if value == DONE:
            return queryset.filter(done_on__isnull=False).order_by("-done_on", "-pk")
        return queryset.filter(done_on__isnull=True).order_by("due_on", "pk")


# ---------------------------------------------------------------------------------------------
# Pages


def _require_reviewer(user) -> None:
    if not permissions.review_unit_ids(user):
        raise Http404


def _reviews(request):
    """The reviews as the page lists them: to do (the earliest due first) or done (the latest
    first), by reason."""
    _require_reviewer(request.user)
    data = request.GET.copy()
    data.setdefault("visa", OPEN)
    queryset = reviews.reviews_visible_to(request.user)
    filters = ReviewListFilters(data, queryset=queryset)
    if filters.is_valid():
        return filters, filters.qs, filters.form.cleaned_data.get("visa") == DONE
    return filters, queryset.filter(done_on__isnull=True).order_by("due_on", "pk"), False


def _with_late(rows: list) -> list:
    today = timezone.localdate()
    for review in rows:
        review.late = review.done_on is None and review.due_on < today
    return rows


EXPORT_COLUMNS = (
    *client_columns(),
    Column(gettext_lazy("Anledning"), lambda row: row.get_reason_display()),
    Column(gettext_lazy("Görs senast"), lambda row: row.due_on),
    Column(gettext_lazy("Försenad"), lambda row: _("Ja") if row.late else _("Nej")),
    Column(gettext_lazy("Genomförd"), lambda row: row.done_on),
    Column(gettext_lazy("Genomförd av"), lambda row: str(row.done_by or "")),
    Column(gettext_lazy("Utfall"), lambda row: row.get_outcome_display() if row.outcome else ""),
)


@login_required
def review_export(request, fmt: str):
    """The reviews the page lists, every one, as a file (ramtid.exports.export_list)."""
    _filters, queryset, _done = _reviews(request)
    return export_list(
        request,
        fmt,
        queryset=queryset,
        columns=EXPORT_COLUMNS,
        filename="individuppfoljningar",
        title=_("Individuppföljningar"),
        prepare=_with_late,
    )


@login_required
def review_list(request):
    filters, queryset, showing_done = _reviews(request)
    page = Paginator(queryset, REVIEWS_PER_PAGE).get_page(request.GET.get("sida"))
    rows = _with_late(list(page.object_list))
    log_access(
        user=request.user,
        clients=[r.client for r in rows],
        action=AccessAction.LIST,
        what="Individuppföljningar",
        request=request,
    )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "uppfoljning/reviews/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "showing_done": showing_done,
            "query": query.urlencode(),
        },
    )


def _current_orders(user, client):
    """The client's orders in force or about to start, as the officer sees them, with the
    contact person: the newest first."""
    return list(
        orders_visible_to(user)
        .filter(client=client, status__in=ACTIVE_STATUSES)
        .select_related("contact_assignment__contact_person")
        .order_by("-valid_from", "-pk")
    )


def _time_results(client, today: datetime.date) -> tuple[list, datetime.date, datetime.date]:
    """The client's monthly time results of the last six whole months, the newest first."""
    this_month = first_of_month(today)
    first = this_month
    for _step in range(TIME_RESULT_MONTHS):
        first = first_of_month(first - datetime.timedelta(days=1))
    results = list(
        MonthlyTimeResult.objects.filter(client=client, month__gte=first, month__lt=this_month)
        .select_related("provider")
        .order_by("-month", "order_id")
    )
    return results, first, this_month - datetime.timedelta(days=1)


@login_required
def review_detail(request, pk: int):
    """Read a review, and complete an open one (an officer of the client's unit)."""
    user = request.user
    review = visible(reviews.reviews_visible_to(user), pk)
    client = review.client
    can_complete = review.done_on is None and permissions.can_review(user, review)
    form = None
    if can_complete:
        form = ReviewForm(
            request.POST if request.method == "POST" else None,
            initial={"done_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            try:
                reviews.complete_review(review=review, by=user, data=form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Individuppföljningen för %(client)s är registrerad.") % {"client": client},
                )
                return redirect("review_detail", pk=review.pk)
        elif request.method == "POST":
            # The form's own checks found something: let the service name the rest as well
            # (an unanswered question, the contact person), so every error shows at once.
            data = {**form.cleaned_data}
            data.setdefault("done_on", timezone.localdate())
            for name, message in reviews.review_errors(data, today=timezone.localdate()).items():
                if name not in form.errors:
                    form.add_error(name, message)
    elif request.method == "POST":
        if review.done_on is not None:
            messages.info(
                request,
                _("Individuppföljningen är redan registrerad som genomförd %(date)s av %(who)s.")
                % {"date": f"{review.done_on:%Y-%m-%d}", "who": review.done_by},
            )
            return redirect("review_detail", pk=review.pk)
        require(False)  # a manager reads the review; the unit's officers make it
    today = timezone.localdate()
    results, results_from, results_to = _time_results(client, today)
    plans = list(
        plan_selectors.with_plan_facts(plan_selectors.plans_visible_to(user).filter(client=client))
    )
    previous = list(
        reviews.reviews_visible_to(user)
        .filter(client=client, done_on__isnull=False)
        .exclude(pk=review.pk)
        .order_by("-done_on")[:PREVIOUS_REVIEWS]
    )
    log_access(
        user=user,
        clients=[client],
        action=AccessAction.VIEW,
        what="Individuppföljning",
        request=request,
    )
    return render(
        request,
        "uppfoljning/reviews/detail.html",
        {
            "review": review,
            "client": client,
            "form": form,
            "late": review.done_on is None and review.due_on < today,
            "orders": _current_orders(user, client),
            "plans": plans,
            "results": results,
            "several_providers": len({result.provider_id for result in results}) > 1,
            "results_from": results_from,
            "results_to": results_to,
            "check_day": client.municipality.monthly_check_day,
            "previous": previous,
            "questions": {name: _label(name) for name in reviews.QUESTIONS},
            "crumbs": [
                *client_crumbs(client),
                (_("Individuppföljningar"), reverse("review_list")),
            ],
        },
    )


class MonthForm(forms.Form):
    manad = forms.RegexField(
        label=gettext_lazy("Månad"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        help_text=gettext_lazy("ÅÅÅÅ-MM"),
        error_messages={"invalid": gettext_lazy("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-10.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
    )


def _month(request) -> tuple[MonthForm, datetime.date]:
    """The month asked for (?manad=YYYY-MM), by default the last whole month."""
    default = first_of_month(first_of_month(timezone.localdate()) - datetime.timedelta(days=1))
    form = MonthForm(request.GET if "manad" in request.GET else {"manad": f"{default:%Y-%m}"})
    if form.is_valid():
        year, month = form.cleaned_data["manad"].split("-")
        return form, datetime.date(int(year), int(month), 1)
    return form, default


@login_required
def continuity_page(request):
    """The clients over the continuity goal in a month, the most staff first (003)."""
    user = request.user
    if not permissions.can_follow_continuity(user):
        raise Http404
    form, month = _month(request)
    try:
        number = max(1, int(request.GET.get("sida", 1)))
    except ValueError:
        number = 1
    page = continuity.clients_over_goal(user, month, page=number)
    clients = clients_visible_to(user).in_bulk([row.client_id for row in page.rows])
    rows = [(row, clients[row.client_id]) for row in page.rows if row.client_id in clients]
    log_access(
        user=user,
        clients=[client for _row, client in rows],
        action=AccessAction.LIST,
        what="Personalkontinuitet",
        request=request,
    )
    previous = first_of_month(month - datetime.timedelta(days=1))
    return render(
        request,
        "uppfoljning/reviews/continuity.html",
        {
            "form": form,
            "month": month,
            "page": page,
            "rows": rows,
            "previous_month": previous,
            "next_month": next_month(month),
            "window_days": continuity.WINDOW_DAYS,
            "own_staff_only": not permissions.continuity_unit_ids(user),
            "query": f"manad={month:%Y-%m}",
        },
    )


CONTINUITY_COLUMNS = (
    *client_columns(lambda pair: pair[1]),
    Column(gettext_lazy("Olika personal"), lambda pair: pair[0].staff),
    Column(gettext_lazy("Perioden börjar"), lambda pair: pair[0].window_start),
    Column(gettext_lazy("Perioden slutar"), lambda pair: pair[0].window_end),
    Column(gettext_lazy("Mål, högst"), lambda pair: pair[0].goal),
)


@login_required
def continuity_export(request, fmt: str):
    """The clients over the goal in the month, every one, as a file: the page's statement
    (uppfoljning.continuity, raw SQL, not a queryset) read whole once (a few numbers a client),
    its clients logged as one "export" row, then the clients read a chunk at a time as the
    file is written (ramtid.exports)."""
    user = request.user
    if not permissions.can_follow_continuity(user) or fmt not in FORMATS:
        raise Http404
    _form, month = _month(request)
    page = continuity.clients_over_goal(user, month, per_page=EXPORT_CHUNK)
    found = page.rows
    if page.total > len(found):
        found = continuity.clients_over_goal(user, month, per_page=page.total).rows
    visible_ids = set(
        clients_visible_to(user)
        .filter(pk__in=[row.client_id for row in found])
        .values_list("pk", flat=True)
    )
    found = [row for row in found if row.client_id in visible_ids]
    log_access(
        user=user,
        clients=[row.client_id for row in found],
        action=AccessAction.EXPORT,
        what=f"Personalkontinuitet {month:%Y-%m}, {'Excel' if fmt == 'xlsx' else 'CSV'}",
        request=request,
    )

    def read(chunk: list) -> list:
        clients = clients_visible_to(user).in_bulk([row.client_id for row in chunk])
        return [(row, clients[row.client_id]) for row in chunk if row.client_id in clients]

    return list_response(
        fmt,
        filename=f"personalkontinuitet-{month:%Y-%m}",
        title=_("Personalkontinuitet %(month)s") % {"month": f"{month:%Y-%m}"},
        columns=CONTINUITY_COLUMNS,
        rows=in_chunks(found, read),
    )


def navigation(user) -> list[NavItem]:
    """settings.RAMTID_NAVIGATION: "Individuppföljningar" for the unit's officers and managers,
    "Personalkontinuitet" for them and the providers. No count: the worklist has it."""
    items = []
    if permissions.review_unit_ids(user):
        items.append(NavItem(_("Individuppföljningar"), reverse("review_list"), "review_list"))
    if permissions.can_follow_continuity(user):
        items.append(NavItem(_("Personalkontinuitet"), reverse("continuity"), "continuity"))
    return items


urlpatterns = [
    path("individuppfoljningar/", review_list, name="review_list"),
    path(
        "individuppfoljningar/individuppfoljningar.csv",
        review_export,
        {"fmt": "csv"},
        name="review_list_csv",
    ),
    path(
        "individuppfoljningar/individuppfoljningar.xlsx",
        review_export,
        {"fmt": "xlsx"},
        name="review_list_xlsx",
    ),
    path("individuppfoljningar/<int:pk>/", review_detail, name="review_detail"),
    path("personalkontinuitet/", continuity_page, name="continuity"),
    path(
        "personalkontinuitet/personalkontinuitet.csv",
        continuity_export,
        {"fmt": "csv"},
        name="continuity_csv",
    ),
    path(
        "personalkontinuitet/personalkontinuitet.xlsx",
        continuity_export,
        {"fmt": "xlsx"},
        name="continuity_xlsx",
    ),
]
