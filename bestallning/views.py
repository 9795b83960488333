"""Pages for decisions, orders and change-of-need reports. Thin: every object is fetched through
a selector (another organisation's is a 404), every action is checked by a permission (a visible
object the user may not act on is a 403), and every write is one service call. An action the user
may take on an object that is no longer in a state for it (done in another tab, by a colleague, or
a page brought back with Back) leads to the object's page with what has happened, not to a 403."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestallning import ordered_time, pdf, permissions, quality, rules, selectors, services
from bestallning.choices import (
    NeedChangeAnswer,
    Period,
    SupportOrientation,
)
from bestallning.forms import (
    INTERVENTIONS_PREFIX,
    MAX_INTERVENTIONS,
    Catalogue,
    DecisionForm,
    DecisionReviewForm,
    DecisionWithdrawForm,
    InterventionForm,
    InterventionFormSet,
    NeedChangeNoChangeForm,
    NeedChangeReportForm,
    OrderChangeForm,
    OrderCreateForm,
    OrderEndForm,
    OrderExecuteForm,
    OrderForm,
)
from bestallning.models import Decision, Order
from bestallning.states import DecisionState, OrderState
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.formatting import genitive, hhmm
from ramtid.forms import (
    apply_page_errors,
    apply_service_errors,
    page_error_list,
    total_forms,
    with_new_row,
)
from ramtid.panels import render_panels
from ramtid.permissions import can_view_client_contact
from ramtid.selectors import clients_visible_to
from ramtid.web import added_row, client_crumbs, form_page, next_url, require, visible

# ---------------------------------------------------------------------------------------------
# Helpers


def decision_hhmm(decision: Decision) -> str:
    """A decision's hours per month (51.60) as the order writes time (51:36)."""
    return hhmm(ordered_time.frame_minutes(decision))


def _decision(request, pk: int) -> Decision:
    return visible(selectors.decisions_visible_to(request.user), pk)


def _order(request, pk: int) -> Order:
    return visible(selectors.orders_visible_to(request.user), pk)


def _order_crumbs(order: Order) -> list[tuple[str, str]]:
    return [
        *client_crumbs(order.client),
        (
            _("Beställning %(date)s") % {"date": f"{order.valid_from:%Y-%m-%d}"},
            reverse("order_detail", args=[order.pk]),
        ),
    ]


def _log(request, client, what: str) -> None:
    """One access-log row for the client the page shows (ramtid.audit)."""
    log_access(
        user=request.user, clients=[client], action=AccessAction.VIEW, what=what, request=request
    )


def _already(request, text: str, url_name: str, pk: int) -> HttpResponse:
    """The user may take this action, but the object has moved on: its page, with what has
    happened as information."""
    messages.info(request, text)
    return redirect(url_name, pk=pk)


def _order_moved_on(order: Order) -> str:
    """Why an order that was replaced or ended takes no more provider actions."""
    if OrderState.of(order).superseded:
        return _("Beställningen har ersatts av en ny beställning.")
    return _("Beställningen är avslutad.")


# ---------------------------------------------------------------------------------------------
# Decisions


@login_required
def decision_create(request, client_pk: int):
    client = visible(clients_visible_to(request.user), client_pk)
    require(permissions.can_create_decision(request.user, client))
    catalogue = Catalogue.for_municipality(client.municipality)
    form = DecisionForm(request.POST or None, catalogue=catalogue)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Above the delegation, the decision's page says so where the decision is shown.
            messages.success(request, _("Beslutet är registrerat."))
            return redirect("decision_detail", pk=decision.pk)
    return _decision_form_page(request, form, client)


def _decision_form_page(request, form, client, decision: Decision | None = None):
    _log(request, client, "Beslutet (rättelse)" if decision else "Nytt beslut")
    return render(
        request,
        "bestallning/decision_form.html",
        {
            "form": form,
            "client": client,
            "decision": decision,
            "crumbs": client_crumbs(client),
            "delegation_hours": client.municipality.delegation_hours,
        },
    )


@login_required
def decision_edit(request, pk: int):
    """Correct a decision while no order on it has been sent (the audit trail keeps what it said
    before); above the delegation it goes to the unit manager again."""
    decision = _decision(request, pk)
    require(permissions.can_create_decision(request.user, decision.client))
    if not permissions.can_correct_decision(request.user, decision):
        messages.info(
            request,
            _(
                "Beslutet kan inte rättas längre: en beställning på det har "
                "skickats. Återkalla det i stället."
            ),
        )
        return redirect("decision_detail", pk=decision.pk)
    catalogue = Catalogue.for_municipality(decision.client.municipality)
    form = DecisionForm(
        request.POST or None, catalogue=catalogue, initial=DecisionForm.initial_for(decision)
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_update(
                decision=decision, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            text = _("Beslutet är rättat.")
            if DecisionState.of(decision).awaiting_manager:
                text += " " + _pending_text(decision)
            messages.success(request, text)
            return redirect("decision_detail", pk=decision.pk)
    return _decision_form_page(request, form, decision.client, decision)


@login_required
def decision_withdraw(request, pk: int):
    """Withdraw a decision that should not stand, with the reason."""
    decision = _decision(request, pk)
    require(permissions.can_create_decision(request.user, decision.client))
    if decision.is_withdrawn:
        return _already(request, _("Beslutet är redan återkallat."), "decision_detail", decision.pk)
    form = DecisionWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_withdraw(
                decision=decision, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Beslutet är återkallat."))
            return redirect("decision_detail", pk=decision.pk)
    _log(request, decision.client, "Beslutet (återkallelse)")
    return form_page(
        request,
        form=form,
        title=_("Återkalla beslutet?"),
        intro=_(
            "Beslutet från %(date)s (%(heading)s, %(hours)s timmar/månad) återkallas. Det "
            "finns kvar med skälet, men inga beställningar kan byggas på det. Beställningar "
            "som gäller på beslutet ska först ersättas eller avslutas."
        )
        % {
            "date": f"{decision.decided_on:%Y-%m-%d}",
            "heading": decision.heading,
            "hours": decision_hhmm(decision),
        },
        submit=_("Återkalla beslutet"),
        danger=True,
        cancel=reverse("decision_detail", args=[decision.pk]),
        crumbs=client_crumbs(decision.client),
    )


def _pending_text(decision: Decision) -> str:
    return _(
        "Beslutet är över din delegation (%(hours)s tim/mån) och väntar på enhetschefens "
        "godkännande. Beställningar på beslutet kan inte skickas förrän det är godkänt."
    ) % {"hours": decision.client.municipality.delegation_hours}


def _decision_context(request, decision: Decision) -> dict:
    return {
        "decision": decision,
        "client": decision.client,
        "crumbs": client_crumbs(decision.client),
        "hours_hhmm": decision_hhmm(decision),
        "granted": decision.granted_interventions.order_by("category", "position", "name"),
        "orders": selectors.orders_visible_to(request.user).filter(decision=decision),
        "pending_text": _pending_text(decision),
        "can_create_order": permissions.can_create_order(request.user, decision),
        "can_correct": permissions.can_correct_decision(request.user, decision),
        "can_withdraw": permissions.can_withdraw_decision(request.user, decision),
        "can_review": DecisionState.of(decision).awaiting_manager
        and permissions.can_review_decision(request.user, decision),
    }


@login_required
def decision_detail(request, pk: int):
    decision = _decision(request, pk)
    log_access(
        user=request.user,
        clients=[decision.client],
        action=AccessAction.VIEW,
        what="Beslutet",
        request=request,
    )
    return render(request, "bestallning/decision_detail.html", _decision_context(request, decision))


@login_required
def decision_review(request, pk: int):
    """The unit manager approves, or does not approve, a decision above the delegation."""
    decision = _decision(request, pk)
    require(permissions.can_review_decision(request.user, decision))
    if not DecisionState.of(decision).awaiting_manager:
        messages.info(request, _("Beslutet väntar inte på ditt godkännande."))
        return redirect("decision_detail", pk=decision.pk)
    form = DecisionReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_review(
                decision=decision,
                by=request.user,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["approval_comment"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if form.cleaned_data["approve"]:
                messages.success(request, _("Beslutet är godkänt."))
            else:
                messages.success(
                    request, _("Beslutet är inte godkänt. Handläggaren ser din kommentar.")
                )
            return redirect("start")
    _log(request, decision.client, "Beslutet (granskning)")
    context = _decision_context(request, decision)
    context["form"] = form
    return render(request, "bestallning/decision_review.html", context)


# ---------------------------------------------------------------------------------------------
# Orders: create, the draft page, send


@login_required
def order_create(request, decision_pk: int):
    decision = _decision(request, decision_pk)
    require(permissions.can_create_order(request.user, decision))
    form = OrderCreateForm(request.POST or None, decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(decision=decision, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Utkastet är skapat. Fyll i beställningen och skicka den till utföraren."),
            )
            return redirect("order_edit", pk=order.pk)
    _log(request, decision.client, "Ny beställning")
    return form_page(
        request,
        form=form,
        title=_("Ny beställning till utförare"),
        intro=_(
            "Beställningen byggs på beslutet från %(date)s (%(outcome)s, %(hours)s timmar/månad)."
        )
        % {
            "date": f"{decision.decided_on:%Y-%m-%d}",
            "outcome": decision.get_outcome_display().lower(),
            "hours": decision_hhmm(decision),
        },
        submit=_("Skapa utkast"),
        cancel=reverse("decision_detail", args=[decision.pk]),
        crumbs=client_crumbs(decision.client),
    )


def _draft(request, pk: int) -> Order:
    """An order of the user's unit, with its interventions, for the draft's pages (the caller
    sends an issued order to its read-only page: `_to_issued`)."""
    order = visible(
        selectors.order_with_interventions(selectors.orders_visible_to(request.user)), pk
    )
    require(permissions.can_order(request.user, order))
    return order


def _to_issued(request, order: Order) -> HttpResponse:
    messages.info(request, _("Beställningen är skickad och kan inte längre ändras."))
    return redirect("order_detail", pk=order.pk)


def _catalogue(order: Order) -> Catalogue:
    return Catalogue.for_municipality(
        order.client.municipality,
        in_use=[item.intervention_type_id for item in order.interventions.all()],
    )


def _formset(order: Order, catalogue: Catalogue, data=None) -> InterventionFormSet:
    if data is not None:
        return InterventionFormSet(
            data, prefix=INTERVENTIONS_PREFIX, form_kwargs={"catalogue": catalogue}
        )
    initial = [InterventionForm.initial_for(item) for item in order.interventions.all()]
    formset = InterventionFormSet(
        initial=initial, prefix=INTERVENTIONS_PREFIX, form_kwargs={"catalogue": catalogue}
    )
    formset.extra = 0 if initial else 1  # a new draft starts with one empty row
    return formset


def _save_draft(request, order: Order, catalogue: Catalogue):
    """Parse the whole order page and save it with one service call, all or nothing.

    Returns (saved order or None, order form, formset); on failure the forms carry the errors,
    each on its field: the service's `interventions-<i>-<field>` keys go onto the i:th row saved.
    """
    order_form = OrderForm(request.POST)
    formset = _formset(order, catalogue, request.POST)
    if not (order_form.is_valid() and formset.is_valid()):
        return None, order_form, formset
    rows = formset.rows()
    try:
        saved = services.order_save_draft(
            order=order,
            by=request.user,
            version=order_form.cleaned_data["version"],
            fields=order_form.service_fields(),
            interventions=[row.service_input() for row in rows],
        )
    except ValidationError as error:
        apply_page_errors(order_form, rows, error, prefix=INTERVENTIONS_PREFIX)
        return None, order_form, formset
    return saved, order_form, formset


def _time_basis_context(order: Order, entries: list) -> dict:
    """The aside beside the order form: minutes per month per intervention, the total and the
    decision's frame (bestallning.ordered_time).

    `entries` are (name, rules.Frequency or None): from the saved draft, or from the form as it
    is being typed. Computed with the municipality's month conversion, never saved here.
    """
    month = ordered_time.month_conversion(order.client.municipality)
    frame = ordered_time.frame_minutes(order.decision)
    time = ordered_time.time_of(entries, month=month, frame=frame)
    rows = []
    for (name, frequency), (_name, minutes) in zip(entries, time.rows, strict=True):
        if frequency is None:
            rows.append({"name": name, "hhmm": None, "frequency": ""})
            continue
        each = _("%(minutes)s min") % {"minutes": frequency.minutes}
        if frequency.double_staffing:
            each += _(", två personal")
        rows.append(
            {
                "name": name,
                "hhmm": hhmm(minutes),
                "frequency": f"{rules.occasion_text(frequency)}, {each}",
            }
        )
    doubled = time.basis.double_staffing_minutes
    return {
        "basis_rows": rows,
        "total_hhmm": hhmm(time.total),
        "double_staffing_hhmm": hhmm(doubled) if doubled else "",
        "frame_hhmm": hhmm(time.frame),
        "over_frame_hhmm": hhmm(time.over_frame) if time.over_frame else "",
        "days_per_month": _decimal_text(month.days_per_month),
        "weeks_per_month": _decimal_text(month.weeks_per_month),
    }


def _decimal_text(value: Decimal) -> str:
    """4.350 → '4,35': as the municipality's settings read in Swedish."""
    return f"{value.normalize():f}".replace(".", ",")


def _saved_entries(order: Order) -> list:
    return [(item.intervention_type.name, item.frequency()) for item in order.interventions.all()]


def _form_entries(formset) -> list:
    return [
        (form.cleaned_data["intervention_type"].name, frequency)
        for form, frequency in formset.rows_with_frequency()
    ]


def _group_warnings(warnings: list[quality.QualityWarning]) -> dict:
    """Quality warnings keyed by the field they concern; a row's are keyed
    'interventions-<i>-<field>' like the formset's own names, the overall goals' (one per line)
    all under 'overall_goals' with the line they are on."""
    by_field: dict[str, list] = {}
    for warning in warnings:
        field, line = warning.field, None
        if field.startswith("overall_goals-"):
            field, line = "overall_goals", int(field.rpartition("-")[2]) + 1
        by_field.setdefault(field, []).append(
            {
                "message": warning.message,
                "suggestion": warning.suggestion,
                "kind_label": quality.WARNING_KIND_LABELS.get(warning.kind, ""),
                "line": line,
            }
        )
    return by_field


def _form_warnings(order: Order, order_form: OrderForm, formset) -> dict:
    """The quality warnings of the page as it is being typed: the same rules as for the saved
    order (bestallning.quality), on the unsaved text, row by row as the page numbers them."""
    removed = set()
    rows = []
    for index, form in enumerate(formset.forms):
        if formset.can_delete and form["DELETE"].value():
            removed.add(index)
        rows.append(
            quality.InterventionTexts(
                form.chosen.name if form.chosen else "",
                form["description"].value() or "",
                form["client_goal"].value() or "",
            )
        )
    goals = tuple(line.strip() for line in (order_form["overall_goals"].value() or "").splitlines())
    texts = quality.OrderTexts(
        client_first_name=order.client.first_name,
        order_text=order_form["order_text"].value() or "",
        daily_visits_description=order_form["daily_visits_description"].value() or "",
        overall_goals=tuple(goal for goal in goals if goal),
        interventions=tuple(rows),
    )

    def shown(warning) -> bool:
        prefix, _sep, rest = warning.field.partition("-")
        if prefix != INTERVENTIONS_PREFIX:
            return True
        index = int(rest.partition("-")[0])
        return index not in removed and bool(rows[index].name)

    return _group_warnings([w for w in quality.order_warnings(texts) if shown(w)])


def _form_mismatches(order: Order, formset) -> tuple[list[str], list[str]]:
    """The order as typed against its decision: granted but not ordered, and the reverse."""
    granted = {t.pk: t.name for t in order.decision.granted_interventions.all()}
    ordered = []
    for form in formset.forms:
        if form.chosen is None or (formset.can_delete and form["DELETE"].value()):
            continue
        parts = ()
        if form.chosen.is_care_package:
            parts = tuple(int(pk) for pk in form["care_package_contents"].value() or ())
        ordered.append(rules.OrderedKind(form.chosen.pk, form.chosen.name, parts))
    return rules.decision_mismatches(granted, ordered)


def _warning_slots(formset) -> list[str]:
    """Every place on the page where warnings show, so that a live update also clears them."""
    slots = ["order_text", "daily_visits_description", "overall_goals"]
    for form in formset.forms:
        slots += [f"{form.prefix}-description", f"{form.prefix}-client_goal"]
    return slots


def _error_list(order_form: OrderForm, formset) -> list[tuple[str, str]]:
    """(text, anchor) for the summary at the top: the order's errors, then each row's."""
    return page_error_list(order_form, formset, row_word=_("Insats"))


def _label_rows(formset, warnings: dict) -> None:
    for index, form in enumerate(formset.forms):
        form.warnings_description = warnings.get(f"{form.prefix}-description", [])
        form.warnings_client_goal = warnings.get(f"{form.prefix}-client_goal", [])
        form.number = index + 1


def _render_order_page(request, order, catalogue, order_form=None, formset=None):
    """The draft's one page: its sections, the time basis, the quality warnings and the check
    against the decision beside them (all live as the officer types), and sending below."""
    bound = order_form is not None
    if not bound:
        order_form = OrderForm(initial=OrderForm.initial_for(order))
        formset = _formset(order, catalogue)
        entries = _saved_entries(order)
        warnings = _group_warnings(services.quality_warnings(order))
        not_ordered, not_granted = services.decision_mismatches(order)
    else:
        entries = _form_entries(formset)
        warnings = _form_warnings(order, order_form, formset)
        not_ordered, not_granted = _form_mismatches(order, formset)
    _label_rows(formset, warnings)
    _log(request, order.client, "Beställningen (utkast)")
    return render(
        request,
        "bestallning/order_edit.html",
        {
            "order": order,
            "client": order.client,
            "decision": order.decision,
            "decision_state": DecisionState.of(order.decision),
            "crumbs": client_crumbs(order.client),
            "order_form": order_form,
            "formset": formset,
            "warnings": warnings,
            "warning_count": sum(len(items) for items in warnings.values()),
            "not_ordered": not_ordered,
            "not_granted": not_granted,
            "blockers": services.sending_blockers(order),
            "error_list": _error_list(order_form, formset) if bound else [],
            "decision_hhmm": decision_hhmm(order.decision),
            "pending_text": _pending_text(order.decision),
            **_time_basis_context(order, entries),
        },
    )


@login_required
def order_edit(request, pk: int):
    order = _draft(request, pk)
    if not OrderState.of(order).editable:
        return _to_issued(request, order)
    catalogue = _catalogue(order)
    if request.method == "POST":
        if "add_row" in request.POST:  # "Lägg till insats" without JavaScript: nothing saved
            data = with_new_row(
                request.POST,
                prefix=INTERVENTIONS_PREFIX,
                maximum=MAX_INTERVENTIONS,
                defaults=NEW_ROW,
            )
            return _render_order_page(
                request, order, catalogue, OrderForm(data), _formset(order, catalogue, data)
            )
        saved, order_form, formset = _save_draft(request, order, catalogue)
        if saved is not None:
            messages.success(request, _("Utkastet är sparat."))
            return redirect("order_edit", pk=order.pk)
        return _render_order_page(request, order, catalogue, order_form, formset)
    return _render_order_page(request, order, catalogue)


# A new row's values ("Lägg till insats" without JavaScript): as the empty row on the page.
NEW_ROW = {
    "period": Period.PER_WEEK,
    "weekdays": [str(day) for day in sorted(rules.ALL_WEEKDAYS)],
    "every_n_weeks": "2",
    "support_orientation": SupportOrientation.UNSPECIFIED,
}


def _with_standard_minutes(post, catalogue: Catalogue):
    """When a row's intervention was just chosen (it differs from the one its minutes came
    from), its minutes become that intervention's standard time; returns the rows changed."""
    data = post.copy()
    changed = []
    for index in range(total_forms(data, prefix=INTERVENTIONS_PREFIX, maximum=MAX_INTERVENTIONS)):
        prefix = f"{INTERVENTIONS_PREFIX}-{index}"
        kind = catalogue.type_for(data.get(f"{prefix}-intervention_type"))
        if kind is not None and data.get(f"{prefix}-minutes_source") != str(kind.pk):
            data[f"{prefix}-minutes"] = str(kind.standard_minutes)
            data[f"{prefix}-minutes_source"] = str(kind.pk)
            changed.append(index)
    return data, changed


@login_required
@require_POST
def order_time_basis(request, pk: int):
    """The page as the officer types (htmx): the time basis, and out of band the quality
    warnings next to each field and the check against the decision, all from the unsaved form.
    It saves nothing, and it is all it does: sending is its own button's explicit press."""
    order = _draft(request, pk)
    if not OrderState.of(order).editable:
        return HttpResponse(status=204)  # sent meanwhile: the page is left as it is
    catalogue = _catalogue(order)
    data, changed = _with_standard_minutes(request.POST, catalogue)
    order_form, formset = OrderForm(data), _formset(order, catalogue, data)
    warnings = _form_warnings(order, order_form, formset)
    not_ordered, not_granted = _form_mismatches(order, formset)
    context = _time_basis_context(order, _form_entries(formset))
    context.update(
        changed_rows=[formset.forms[i] for i in changed if i < len(formset.forms)],
        warning_slots=[(slot, warnings.get(slot, [])) for slot in _warning_slots(formset)],
        not_ordered=not_ordered,
        not_granted=not_granted,
        decision=order.decision,
    )
    return render(request, "bestallning/_time_basis_update.html", context)


@login_required
@require_POST
def order_add_intervention(request, pk: int):
    """'Lägg till insats' with htmx: one empty row, and the formset's count raised by one."""
    order = _draft(request, pk)
    if not OrderState.of(order).editable:
        return HttpResponse(status=204)  # sent meanwhile: the aside is left as it is
    return added_row(
        request,
        _formset(order, _catalogue(order)),
        row_template="bestallning/_intervention_row.html",
        focus="intervention_type",
    )


@login_required
@require_POST
def order_send(request, pk: int):
    """'Skicka till utföraren' posts the whole page: it is saved first, so nothing typed is
    lost, then sent. What blocks sending comes back as a message above the form."""
    order = _draft(request, pk)
    if not OrderState.of(order).editable:
        return _to_issued(request, order)
    catalogue = _catalogue(order)
    saved, order_form, formset = _save_draft(request, order, catalogue)
    if saved is None:
        return _render_order_page(request, order, catalogue, order_form, formset)
    try:
        services.order_send(order=saved, by=request.user)
    except ValidationError as error:
        messages.error(
            request,
            _("Utkastet är sparat men kunde inte skickas: %(reasons)s")
            % {"reasons": " ".join(error.messages)},
        )
        return redirect("order_edit", pk=order.pk)
    messages.success(
        request, _("Beställningen är skickad till %(provider)s.") % {"provider": order.provider}
    )
    return redirect("order_detail", pk=order.pk)


@login_required
def order_delete(request, pk: int):
    order = _draft(request, pk)
    if not OrderState.of(order).editable:
        return _to_issued(request, order)
    form = forms.Form(request.POST or None)  # a confirmation: no fields
    if request.method == "POST":
        try:
            services.order_delete_draft(order=order, by=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Utkastet är borttaget."))
            return redirect("client_detail", pk=order.client_id)
    _log(request, order.client, "Beställningen (ta bort utkast)")
    return form_page(
        request,
        form=form,
        title=_("Ta bort utkastet?"),
        intro=_(
            "Utkastet till %(provider)s, som skulle gälla från %(date)s, tas bort. Det går "
            "inte att ångra."
        )
        % {"provider": order.provider, "date": f"{order.valid_from:%Y-%m-%d}"},
        submit=_("Ta bort utkastet"),
        danger=True,
        cancel=reverse("order_edit", args=[order.pk]),
        crumbs=client_crumbs(order.client),
    )


# ---------------------------------------------------------------------------------------------
# The issued order


def _day(moment: datetime.datetime) -> str:
    """The Swedish date of a moment stored in UTC: what was done at 00:30 in Stockholm is that
    day's, not the day before's."""
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def _history(order: Order) -> list[tuple[str, str]]:
    rows = [(_("Skapad"), f"{_day(order.created_at)}, {order.ordered_by}")]
    if order.sent_at:
        rows.append((_("Skickad till utföraren"), f"{_day(order.sent_at)}, {order.sent_by}"))
    if order.received_at:
        rows.append((_("Mottagen av utföraren"), f"{_day(order.received_at)}, {order.received_by}"))
    if order.executed_on:
        rows.append((_("Verkställd"), f"{order.executed_on:%Y-%m-%d}"))
    state = OrderState.of(order)
    if state.superseded and order.valid_to:
        rows.append(
            (
                _("Ersatt av ny beställning"),
                _("gällde till och med %(date)s") % {"date": f"{order.valid_to:%Y-%m-%d}"},
            )
        )
    if state.ended and order.valid_to:
        rows.append(
            (
                _("Avslutad"),
                _("sista dag %(date)s: %(reason)s")
                % {"date": f"{order.valid_to:%Y-%m-%d}", "reason": order.ended_reason},
            )
        )
    return rows


@login_required
def order_detail(request, pk: int):
    """The order as the provider reads it, laid out like 004 Bilaga 4 (the same wording as the
    PDF: bestallning.pdf.order_print_context), with its history and what the user may do."""
    order = visible(
        selectors.order_with_interventions(
            selectors.orders_visible_to(request.user).select_related("sent_by", "received_by")
        ),
        pk,
    )
    user = request.user
    if OrderState.of(order).editable and permissions.can_edit_order(user, order):
        return redirect("order_edit", pk=order.pk)
    log_access(
        user=user,
        clients=[order.client],
        action=AccessAction.VIEW,
        what="Beställningen",
        request=request,
    )
    successor = selectors.orders_visible_to(user).filter(supersedes=order).first()
    active = OrderState.of(order).active
    can_order = permissions.can_order(user, order)
    context = pdf.order_print_context(order, user)
    context.update(
        {
            "crumbs": client_crumbs(order.client),
            "show_personal_number": permissions.can_view_personal_number(user, order),
            "show_contact": can_view_client_contact(user, order.client),
            "changes": selectors.order_changes(order),
            "history": _history(order),
            "panels": render_panels("RAMTID_ORDER_PANELS", request, order=order),
            "need_changes": selectors.need_changes_visible_to(user).filter(order=order),
            "successor": successor,
            "can_change": can_order and active and successor is None,
            "can_end": can_order and active,
            "can_receive": permissions.can_receive_order(user, order),
            "can_execute": permissions.can_execute_order(user, order),
            "can_report": permissions.can_report_need_change(user, order),
            "execute_form": OrderExecuteForm(),
        }
    )
    return render(request, "bestallning/order_detail.html", context)


@login_required
def order_pdf(request, pk: int):
    order = _order(request, pk)
    return pdf.order_pdf_response(order, request.user, request=request)


@login_required
def order_change(request, pk: int):
    """'Ändra beställning': a new draft, a copy of this order, that replaces it from a date."""
    order = _order(request, pk)
    require(permissions.can_order(request.user, order))
    successor = selectors.orders_visible_to(request.user).filter(supersedes=order).first()
    if successor is not None:
        messages.info(request, _("Det finns redan en ändring av beställningen."))
        return redirect("order_detail", pk=successor.pk)
    state = OrderState.of(order)
    if state.draft:
        return redirect("order_edit", pk=order.pk)  # a draft is changed on its own page
    if not state.changeable:
        text = _order_moved_on(order) + " " + _("Den kan inte längre ändras.")
        return _already(request, text, "order_detail", order.pk)
    form = OrderChangeForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.order_change_create(
                order=order, by=request.user, valid_from=form.cleaned_data["valid_from"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            text = _(
                "Ändringen är ett utkast, en kopia av den nuvarande beställningen. Ändra "
                "det som behövs och skicka den till utföraren."
            )
            if order.need_changes.filter(answer="").exists():
                text += " " + _(
                    "När den skickas besvaras rapporten om förändrat behov med "
                    "den nya beställningen."
                )
            messages.success(request, text)
            return redirect("order_edit", pk=change.pk)
    _log(request, order.client, "Beställningen (ändring)")
    return form_page(
        request,
        form=form,
        title=_("Ändra beställning"),
        intro=_(
            "En ändrad beställning ersätter den nuvarande från det datum du väljer. Du "
            "får ett utkast att ändra i innan det skickas."
        ),
        submit=_("Skapa ändring"),
        cancel=reverse("order_detail", args=[order.pk]),
        crumbs=_order_crumbs(order),
    )


@login_required
def order_end(request, pk: int):
    order = _order(request, pk)
    require(permissions.can_order(request.user, order))
    state = OrderState.of(order)
    if state.draft:
        text = _(
            "Utkastet är inte skickat och behöver inte avslutas. Ta bort det om det inte ska "
            "skickas."
        )
        return _already(request, text, "order_edit", order.pk)
    if not state.endable:
        text = _("Beställningen är redan avslutad.") if state.ended else _order_moved_on(order)
        return _already(request, text, "order_detail", order.pk)
    form = OrderEndForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_end(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Beställningen är avslutad."))
            return redirect("order_detail", pk=order.pk)
    _log(request, order.client, "Beställningen (avslut)")
    return form_page(
        request,
        form=form,
        title=_("Avsluta beställning"),
        intro=_(
            "Beställningen till %(provider)s avslutas utan att ersättas av en ny, t.ex. när "
            "brukaren flyttar eller tackar nej till fortsatt hjälp."
        )
        % {"provider": order.provider},
        submit=_("Avsluta beställningen"),
        danger=True,
        cancel=reverse("order_detail", args=[order.pk]),
        crumbs=_order_crumbs(order),
    )


@login_required
@require_POST
def order_receive(request, pk: int):
    order = _order(request, pk)
    require(permissions.is_orders_coordinator(request.user, order))
    if not OrderState.of(order).receivable:
        # Acknowledged already, in another tab or by a colleague; or replaced or ended since.
        done = order.received_at is not None
        text = _("Beställningen är redan kvitterad.") if done else _order_moved_on(order)
        return _already(request, text, "order_detail", order.pk)
    try:
        services.order_receive(order=order, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Beställningen för %(client)s är kvitterad som mottagen.") % {"client": order.client},
        )
    return redirect(next_url(request, reverse("order_detail", args=[order.pk])))


@login_required
@require_POST
def order_execute(request, pk: int):
    order = _order(request, pk)
    require(permissions.is_orders_coordinator(request.user, order))
    if not OrderState.of(order).executable:
        done = order.executed_on is not None
        text = _("Beställningen är redan verkställd.") if done else _order_moved_on(order)
        return _already(request, text, "order_detail", order.pk)
    form = OrderExecuteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange datumet då hjälpen började, som ÅÅÅÅ-MM-DD."))
    else:
        try:
            services.order_execute(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Beställningen för %(client)s är verkställd från %(date)s.")
                % {"client": order.client, "date": form.cleaned_data["executed_on"]},
            )
    return redirect(next_url(request, reverse("order_detail", args=[order.pk])))


# ---------------------------------------------------------------------------------------------
# Change of need


@login_required
def need_change_create(request, order_pk: int):
    """The provider tells the officer that the client's needs have changed (004 §3.1, §4.2.4)."""
    order = _order(request, order_pk)
    require(permissions.is_orders_provider(request.user, order))
    if not OrderState.of(order).need_change_reportable:
        text = (
            _order_moved_on(order)
            + " "
            + _("Förändrade behov rapporteras på den beställning som gäller.")
        )
        return _already(request, text, "order_detail", order.pk)
    form = NeedChangeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_change_report(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rapporten är skickad till handläggaren."))
            return redirect("order_detail", pk=order.pk)
    _log(request, order.client, "Rapport om förändrat behov (ny)")
    return form_page(
        request,
        form=form,
        title=_("Rapportera förändrat behov"),
        intro=_(
            "Berätta för handläggaren att %(client)s behov har ändrats, mer eller mindre, "
            "varaktigt eller tillfälligt. Handläggaren svarar med en ny beställning eller "
            "med varför beställningen inte ändras."
        )
        % {"client": genitive(str(order.client))},
        submit=_("Skicka till handläggaren"),
        cancel=reverse("order_detail", args=[order.pk]),
        crumbs=_order_crumbs(order),
    )


def _report(request, pk: int):
    return visible(selectors.need_changes_visible_to(request.user), pk)


@login_required
def need_change_detail(request, pk: int):
    return _render_need_change(request, _report(request, pk), NeedChangeNoChangeForm())


def _render_need_change(request, report, form: NeedChangeNoChangeForm):
    order = report.order
    can_answer = permissions.can_answer_need_change(request.user, report)
    successor = selectors.orders_visible_to(request.user).filter(supersedes=order).first()
    _log(request, order.client, "Rapport om förändrat behov")
    return render(
        request,
        "bestallning/need_change_detail.html",
        {
            "report": report,
            "order": order,
            "client": order.client,
            "crumbs": _order_crumbs(order),
            "can_answer": can_answer,
            "can_change": can_answer and OrderState.of(order).changeable,
            "successor": successor,
            "form": form,
        },
    )


@login_required
@require_POST
def need_change_answer(request, pk: int):
    """'Ingen ändring' with its reason (a new order answers the report when it is sent)."""
    report = _report(request, pk)
    require(permissions.can_order(request.user, report.order))
    if not report.is_open:
        return _already(request, _("Rapporten är redan besvarad."), "need_change_detail", report.pk)
    form = NeedChangeNoChangeForm(request.POST)
    if form.is_valid():
        try:
            services.need_change_answer(
                report=report,
                by=request.user,
                answer=NeedChangeAnswer.NO_CHANGE,
                reason=form.cleaned_data["answer_reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("Svaret är registrerat. Utföraren ser det på beställningen.")
            )
            return redirect("start")
    return _render_need_change(request, report, form)
