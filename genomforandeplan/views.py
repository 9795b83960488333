"""Pages for contact persons and implementation plans. Thin, as in bestallning.views: every object
is fetched through a selector (another organisation's plan or order is a 404, and the officer never
sees a plan that has not been ready once), every action is checked by a permission (a visible
object the user may not act on is a 403), and every write is a service call. Ids only in URLs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestallning import selectors as order_selectors
from bestallning.forms import Catalogue
from bestallning.models import Order
from genomforandeplan import permissions, selectors, services
from genomforandeplan.choices import MeetingPlace, Participant
from genomforandeplan.forms import (
    ITEMS_PREFIX,
    MAX_ITEMS,
    CompareForm,
    CompleteForm,
    ContactAssignForm,
    FollowUpForm,
    PlanForm,
    PlanItemForm,
    PlanItemFormSet,
    PlanReviewForm,
)
from genomforandeplan.models import HEADING_FIELDS, Headings, ImplementationPlan, PlanVersion
from genomforandeplan.states import PlanState
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.formatting import every_n_months
from ramtid.forms import apply_page_errors, apply_service_errors, page_error_list, with_new_row
from ramtid.web import added_row, client_crumbs, form_page, require, visible

HEADING_LABELS = {name: str(Headings._meta.get_field(name).verbose_name) for name in HEADING_FIELDS}

# ---------------------------------------------------------------------------------------------
# Helpers


def _plan(request, pk: int) -> ImplementationPlan:
    return visible(selectors.plans_visible_to(request.user), pk)


def _writable(request, pk: int) -> ImplementationPlan:
    plan = _plan(request, pk)
    require(permissions.can_write_plan(request.user, plan))
    return plan


def _order(request, pk: int) -> Order:
    return visible(order_selectors.orders_visible_to(request.user), pk)


def _plan_crumbs(plan: ImplementationPlan) -> list[tuple[str, str]]:
    plan_url = reverse("plan_detail", args=[plan.pk])
    return [*client_crumbs(plan.client), (_("Genomförandeplan"), plan_url)]


def _log(request, plan: ImplementationPlan, what: str) -> None:
    log_access(
        user=request.user,
        clients=[plan.client],
        action=AccessAction.VIEW,
        what=what,
        request=request,
    )


def _headings(values: dict) -> list[tuple[str, str]]:
    # In the order of 004 §3.3: a JSON column does not keep the order its keys were written in.
    return [(HEADING_LABELS[name], values.get(name, "")) for name in HEADING_FIELDS]


def snapshot_view(data: dict) -> dict:
    """A version's frozen content, labelled for reading (the version page, the review page)."""
    participants = dict(Participant.choices)
    places = dict(MeetingPlace.choices)
    place = str(places.get(data.get("meeting_place", ""), ""))
    if data.get("meeting_place") == MeetingPlace.OTHER and data.get("meeting_place_other"):
        place = f"{place}: {data['meeting_place_other']}"
    return {
        "headings": _headings(data.get("headings", {})),
        "planned_daily_visits": data.get("planned_daily_visits") or 0,
        "items": [
            {
                "name": item["name"],
                "frequency": item["frequency"],
                "headings": _headings(item["headings"]),
            }
            for item in data.get("items", [])
        ],
        "participants": [str(participants.get(p, p)) for p in data.get("participants", [])],
        "meeting_place": place,
        "client_influence": data.get("client_influence", ""),
        "deviation_reason": data.get("deviation_reason", ""),
        "deviation_helper": data.get("deviation_helper", ""),
        "life_story": data.get("life_story", ""),
        "coverage_reasons": [r for r in data.get("coverage_reasons", {}).values() if r],
        "client_approved_on": data.get("client_approved_on", ""),
        "client_approval_how": data.get("client_approval_how", ""),
    }


def _versions(plan: ImplementationPlan) -> list[PlanVersion]:
    versions = list(plan.versions.select_related("review", "review__reviewed_by", "created_by"))
    for version in versions:
        version.outcome = getattr(version, "review", None)
    return versions


def _order_items(order: Order) -> list[dict]:
    """The order's interventions as the coverage check words them."""
    rows = []
    for item in order.interventions.select_related("intervention_type").order_by("position"):
        rows.append(
            {
                "type_id": item.intervention_type_id,
                "name": item.intervention_type.name,
                "frequency": services.frequency_text(
                    services.rules.Item(
                        item.intervention_type_id,
                        item.intervention_type.name,
                        item.period,
                        item.occasions,
                        item.every_n_weeks,
                    )
                ),
                "description": item.description,
                "client_goal": item.client_goal,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Contact person and deputy (the coordinator)


@login_required
def contact_assign(request, pk: int):
    order = _order(request, pk)
    require(permissions.can_assign_contact(request.user, order))
    current = getattr(order, "contact_assignment", None)
    initial = (
        {"contact_person": current.contact_person_id, "deputy": current.deputy_id}
        if current
        else {}
    )
    form = ContactAssignForm(request.POST or None, initial=initial, provider_id=order.provider_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_assign(
                order=order,
                by=request.user,
                contact_person=form.cleaned_data["contact_person"],
                deputy=form.cleaned_data["deputy"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(client)s har fått kontaktman.") % {"client": order.client},
            )
            return redirect("client_detail", pk=order.client_id)
    log_access(
        user=request.user,
        clients=[order.client],
        action=AccessAction.VIEW,
        what=_("Beställningen (kontaktman)"),
        request=request,
    )
    due = selectors.contact_person_due(order)
    intro = _("%(client)s hos %(provider)s.") % {"client": order.client, "provider": order.provider}
    if due:
        intro += " " + _("Brukaren ska erbjudas kontaktman och ersättare senast %(date)s.") % {
            "date": f"{due:%Y-%m-%d}"
        }
    return form_page(
        request,
        form=form,
        title=_("Ändra kontaktman") if current else _("Utse kontaktman"),
        intro=intro,
        submit=_("Spara kontaktman"),
        cancel=reverse("client_detail", args=[order.client_id]),
        crumbs=client_crumbs(order.client),
    )


# ---------------------------------------------------------------------------------------------
# Starting and writing the plan (the contact person)


@login_required
@require_POST
def plan_start(request, pk: int):
    order = _order(request, pk)
    require(permissions.can_start_plan(request.user, order))
    existing = (
        selectors.plans_visible_to(request.user)
        .filter(client_id=order.client_id, provider_id=order.provider_id)
        .first()
    )
    if existing is not None:
        return redirect("plan_edit", pk=existing.pk)
    try:
        plan = services.plan_start(order=order, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("client_detail", pk=order.client_id)
    messages.success(
        request,
        _("Planen är påbörjad med beställningens insatser. Fyll i den tillsammans med brukaren."),
    )
    return redirect("plan_edit", pk=plan.pk)


def _catalogue(plan: ImplementationPlan) -> Catalogue:
    return Catalogue.for_municipality(
        plan.client.municipality, in_use=[item.intervention_type_id for item in plan.items.all()]
    )


def _formset(plan: ImplementationPlan, catalogue: Catalogue, data=None) -> PlanItemFormSet:
    kwargs = {"prefix": ITEMS_PREFIX, "form_kwargs": {"catalogue": catalogue}}
    if data is not None:
        return PlanItemFormSet(data, **kwargs)
    initial = [PlanItemForm.initial_for(item) for item in plan.items.all()]
    formset = PlanItemFormSet(initial=initial, **kwargs)
    formset.extra = 0 if initial else 1
    return formset


def _parse(request, plan: ImplementationPlan, order: Order, data=None):
    data = data if data is not None else request.POST
    catalogue = _catalogue(plan)
    plan_form = PlanForm(
        data, gaps=services.coverage(plan, order), ordered_daily_visits=order.daily_visits
    )
    return plan_form, _formset(plan, catalogue, data)


SAVED, INVALID, STALE = "saved", "invalid", "stale"


def _save(request, plan: ImplementationPlan, plan_form: PlanForm, formset) -> str:
    """One service call for the whole page, all or nothing; errors go onto their fields.
    Returns SAVED, INVALID, or STALE when someone else saved since the page was read."""
    if not (plan_form.is_valid() and formset.is_valid()):
        return INVALID
    rows = formset.rows()
    try:
        services.plan_save(
            plan=plan,
            by=request.user,
            version=plan_form.cleaned_data["version"],
            fields=plan_form.service_fields(plan),
            items=[row.service_input() for row in rows],
        )
    except services.StaleVersion as error:
        plan_form.add_error(None, error.messages)
        return STALE
    except ValidationError as error:
        apply_page_errors(plan_form, rows, error, prefix=ITEMS_PREFIX)
        return INVALID
    return SAVED


def _error_list(plan_form: PlanForm, formset) -> list[tuple[str, str]]:
    return page_error_list(plan_form, formset, row_word=_("Insats"))


def _label_cards(formset, order: Order) -> None:
    """Number each card and say what the order has for its intervention (or that it is not
    ordered), as the coverage check words it."""
    ordered = {row["type_id"]: row["frequency"] for row in _order_items(order)}
    for index, form in enumerate(formset.forms):
        form.number = index + 1
        form.ordered_text = ordered.get(form.chosen.pk) if form.chosen else None


def _check_context(plan: ImplementationPlan, order: Order, plan_form: PlanForm) -> dict:
    """The check against the order and what blocks completion, for the saved working copy: on
    the page, and refreshed out of band after every save (_autosave_status.html)."""
    gaps = plan_form.gaps
    return {
        "gaps": gaps,
        "unexplained": {gap.key for gap in services.rules.unexplained(gaps, plan.coverage_reasons)},
        "blockers": services.completion_blockers(plan, order),
    }


def _render_edit(request, plan, plan_form=None, formset=None, status=200, stale=False):
    """The plan page; `stale` when what was posted met a newer save: the page shows what was
    typed, and the browser keeps it to be offered again after a reload (autosave.js)."""
    order = services.current_order(plan)
    bound = plan_form is not None
    if not bound:
        plan_form = PlanForm(
            initial=PlanForm.initial_for(plan),
            gaps=services.coverage(plan, order),
            ordered_daily_visits=order.daily_visits,
        )
        formset = _formset(plan, _catalogue(plan))
    _label_cards(formset, order)
    _log(request, plan, _("Genomförandeplanen (redigering)"))
    return render(
        request,
        "genomforandeplan/plan_edit.html",
        {
            "plan": plan,
            "client": plan.client,
            "order": order,
            "crumbs": _plan_crumbs(plan) if plan.versions.exists() else client_crumbs(plan.client),
            "plan_state": PlanState.of(plan),
            "plan_form": plan_form,
            "formset": formset,
            **_check_context(plan, order, plan_form),
            "needs_revision": services.needs_revision(plan, order),
            "review": _latest_review(plan),
            "error_list": _error_list(plan_form, formset) if bound else [],
            "stale": stale,
        },
        status=status,
    )


def _latest_review(plan: ImplementationPlan):
    """The review of the latest version, if any (the comment of a returned plan)."""
    version = plan.versions.select_related("review__reviewed_by").order_by("-number").first()
    return getattr(version, "review", None) if version else None


@login_required
def plan_edit(request, pk: int):
    """The plan on one page, a card per intervention; "Spara" saves everything or nothing, and
    "Markera planen som klar" saves it and asks for confirmation (plan_complete)."""
    plan = _writable(request, pk)
    if request.method == "POST":
        order = services.current_order(plan)
        if "add_row" in request.POST:  # "Lägg till insats" without JavaScript: nothing saved
            data = with_new_row(
                request.POST,
                prefix=ITEMS_PREFIX,
                maximum=MAX_ITEMS,
                defaults={"period": "per_week"},
            )
            plan_form, formset = _parse(request, plan, order, data)
            return _render_edit(request, plan, plan_form, formset)
        plan_form, formset = _parse(request, plan, order)
        outcome = _save(request, plan, plan_form, formset)
        if outcome == SAVED:
            if "complete" in request.POST:
                return redirect("plan_complete", pk=plan.pk)
            messages.success(request, _("Planen är sparad."))
            return redirect("plan_edit", pk=plan.pk)
        plan.refresh_from_db()
        return _render_edit(request, plan, plan_form, formset, stale=outcome == STALE)
    return _render_edit(request, plan)


@login_required
@require_POST
def plan_autosave(request, pk: int):
    """Saves the page as the contact person writes (htmx): the same save as "Spara", answered
    with a status line and, out of band, the new version for the next save, the check against
    the order, what blocks completion and each card's line about the order. It only ever
    saves: completing the plan is a separate, confirmed step.

    The header X-Ramtid-Save says how it went (saved, invalid, stale), so the page's script
    (static/ramtid/autosave.js) knows when it may forget the copy it keeps for a lost
    connection."""
    plan = _writable(request, pk)
    order = services.current_order(plan)
    plan_form, formset = _parse(request, plan, order)
    outcome = _save(request, plan, plan_form, formset)
    saved = outcome == SAVED
    context = {"saved": saved, "stale": outcome == STALE, "plan": plan, "now": timezone.localtime()}
    if saved:
        plan.refresh_from_db()
        fresh = PlanForm(
            initial=PlanForm.initial_for(plan),
            gaps=services.coverage(plan, order),
            ordered_daily_visits=order.daily_visits,
        )
        _label_cards(formset, order)
        context.update(plan_form=fresh, formset=formset, **_check_context(plan, order, fresh))
    else:
        context["errors"] = [text for text, _anchor in _error_list(plan_form, formset)]
    response = render(request, "genomforandeplan/_autosave_status.html", context)
    response["X-Ramtid-Save"] = outcome
    return response


@login_required
@require_POST
def plan_add_item(request, pk: int):
    """'Lägg till insats' with htmx: one empty card, and the formset's count raised by one."""
    plan = _writable(request, pk)
    return added_row(
        request,
        _formset(plan, _catalogue(plan)),
        row_template="genomforandeplan/_plan_item.html",
        focus="intervention_type",
    )


@login_required
def plan_complete(request, pk: int):
    """'Markera planen som klar': a page that says what is frozen and sent, and a button that
    does it. Only the explicit press completes the plan, against the version shown (someone
    saving meanwhile means nothing is frozen)."""
    plan = _writable(request, pk)
    if not PlanState.of(plan).can_complete:
        messages.info(request, _("Planen är redan klar och väntar på handläggarens granskning."))
        return redirect("plan_detail", pk=plan.pk)
    errors = []
    if request.method == "POST":
        form = CompleteForm(request.POST)
        if form.is_valid():
            try:
                version = services.plan_complete(
                    plan=plan, by=request.user, version=form.cleaned_data["version"]
                )
            except ValidationError as error:
                plan.refresh_from_db()
                if not PlanState.of(plan).can_complete:  # a second press of the same button
                    messages.info(
                        request, _("Planen är redan klar och väntar på handläggarens granskning.")
                    )
                    return redirect("plan_detail", pk=plan.pk)
                errors = error.messages
            else:
                messages.success(
                    request,
                    _(
                        "Version %(n)s av planen är klar och godkänd av brukaren. Handläggaren kan "
                        "nu granska den."
                    )
                    % {"n": version.number},
                )
                return redirect("plan_detail", pk=plan.pk)
        else:
            errors = [_("Sidan var inte komplett. Gå tillbaka till planen och försök igen.")]
    order = services.current_order(plan)
    blockers = services.completion_blockers(plan, order)
    _log(request, plan, _("Genomförandeplanen (klarmarkering)"))
    return render(
        request,
        "genomforandeplan/plan_complete.html",
        {
            "plan": plan,
            "client": plan.client,
            "order": order,
            "crumbs": _plan_crumbs(plan) if plan.versions.exists() else client_crumbs(plan.client),
            "number": plan.versions.count() + 1,
            "items": plan.items.select_related("intervention_type"),
            "blockers": blockers,
            "errors": errors,
            "form": CompleteForm(initial={"version": plan.version}),
        },
    )


# ---------------------------------------------------------------------------------------------
# Reading the plan: its page, versions, comparing versions, the PDF


@login_required
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    user = request.user
    can_write = permissions.can_write_plan(user, plan)
    versions = _versions(plan)
    if not versions and can_write:
        return redirect("plan_edit", pk=plan.pk)
    _log(request, plan, _("Genomförandeplanen"))
    order = services.current_order(plan)
    latest = versions[0] if versions else None
    return render(
        request,
        "genomforandeplan/plan_detail.html",
        {
            "plan": plan,
            "client": plan.client,
            "order": order,
            "crumbs": client_crumbs(plan.client),
            "versions": versions,
            "latest": latest,
            "content": snapshot_view(latest.snapshot) if latest else None,
            "gaps": services.coverage(plan, order),
            "needs_revision": services.needs_revision(plan, order),
            "deadline": selectors.order_plan_deadline(order),
            "next_follow_up": selectors.next_follow_up_due(plan),
            "today": timezone.localdate(),
            "follow_ups": plan.follow_ups.select_related("followed_up_by"),
            "review": getattr(latest, "review", None) if latest else None,
            "assignment": getattr(order, "contact_assignment", None),
            "can_write": can_write,
            "can_review": permissions.can_review_plan(user, plan),
            "draft_in_progress": bool(versions) and plan.state.draft,
        },
    )


def _version(plan: ImplementationPlan, number: int) -> PlanVersion:
    return get_object_or_404(
        plan.versions.select_related("review", "created_by", "order"), number=number
    )


@login_required
def plan_version(request, pk: int, number: int):
    plan = _plan(request, pk)
    version = _version(plan, number)
    _log(request, plan, _("Genomförandeplanen, version %(n)s") % {"n": number})
    return render(
        request,
        "genomforandeplan/plan_version.html",
        {
            "plan": plan,
            "client": plan.client,
            "version": version,
            "review": getattr(version, "review", None),
            "content": snapshot_view(version.snapshot),
            "crumbs": _plan_crumbs(plan),
        },
    )


@login_required
def plan_compare(request, pk: int):
    """Two versions side by side as a readable difference, heading by heading."""
    plan = _plan(request, pk)
    numbers = list(plan.versions.order_by("-number").values_list("number", flat=True))
    require(bool(numbers))
    default = {"a": numbers[1] if len(numbers) > 1 else numbers[0], "b": numbers[0]}
    form = CompareForm(request.GET if "a" in request.GET else default, numbers=numbers)
    changes, before, after = [], None, None
    if form.is_valid():
        before = _version(plan, form.cleaned_data["a"])
        after = _version(plan, form.cleaned_data["b"])
        changes = selectors.version_diff(before, after)
    _log(request, plan, _("Genomförandeplanen, jämförelse av versioner"))
    return render(
        request,
        "genomforandeplan/plan_compare.html",
        {
            "plan": plan,
            "client": plan.client,
            "form": form,
            "before": before,
            "after": after,
            "changes": changes,
            "crumbs": _plan_crumbs(plan),
        },
    )


@login_required
def plan_pdf(request, pk: int):
    from genomforandeplan import pdf  # written alongside; imported late so the pages load without

    plan = _plan(request, pk)
    return pdf.plan_pdf_response(plan, request.user, request=request)


# ---------------------------------------------------------------------------------------------
# The officer's review, the provider's follow-up


@login_required
def plan_review(request, pk: int):
    """The ready plan beside the order, with the coverage check on top: approve or return."""
    plan = _plan(request, pk)
    if not plan.state.can_review:
        review = _latest_review(plan)
        if review is not None and request.method == "POST":
            # Someone reviewed it first (another tab, another officer): say who and how.
            messages.info(
                request,
                _("Planen är redan granskad: %(outcome)s av %(who)s %(when)s.")
                % {
                    "outcome": review.get_outcome_display().lower(),
                    "who": review.reviewed_by,
                    "when": f"{timezone.localtime(review.reviewed_at):%Y-%m-%d %H:%M}",
                },
            )
        else:
            messages.info(request, _("Planen väntar inte på granskning."))
        return redirect("plan_detail", pk=plan.pk)
    require(permissions.can_review_plan(request.user, plan))
    form = PlanReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_review(
                plan=plan,
                by=request.user,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if form.cleaned_data["approve"]:
                messages.success(request, _("Planen är godkänd."))
            else:
                messages.success(
                    request, _("Planen är skickad tillbaka till utföraren med din kommentar.")
                )
            return redirect("start")
    _log(request, plan, _("Genomförandeplanen (granskning)"))
    version = plan.versions.order_by("-number").first()
    order = services.current_order(plan)
    return render(
        request,
        "genomforandeplan/plan_review.html",
        {
            "plan": plan,
            "client": plan.client,
            "order": order,
            "order_items": _order_items(order),
            "version": version,
            "content": snapshot_view(version.snapshot),
            "gaps": services.coverage(plan, order),
            "reasons": plan.coverage_reasons,
            "deadline": selectors.order_plan_deadline(order),
            "form": form,
            "crumbs": _plan_crumbs(plan),
        },
    )


@login_required
def plan_follow_up(request, pk: int):
    plan = _writable(request, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_follow_up(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Uppföljningen är registrerad."))
            return redirect("plan_detail", pk=plan.pk)
    _log(request, plan, _("Genomförandeplanen (uppföljning)"))
    due = selectors.next_follow_up_due(plan)
    return form_page(
        request,
        form=form,
        title=_("Följ upp genomförandeplanen"),
        intro=_("Planen för %(client)s följs upp minst %(interval)s och när behoven ändras.")
        % {
            "client": plan.client,
            "interval": every_n_months(plan.client.municipality.plan_follow_up_months),
        }
        + (
            " " + _("Nästa uppföljning senast %(date)s.") % {"date": f"{due:%Y-%m-%d}"}
            if due
            else ""
        ),
        submit=_("Registrera uppföljning"),
        cancel=reverse("plan_detail", args=[plan.pk]),
        crumbs=_plan_crumbs(plan),
    )
