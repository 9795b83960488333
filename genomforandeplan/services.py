"""Every write of implementation plans (STYLE.md: services write)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Max, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning import rules as order_rules
from bestallning.choices import Period
from bestallning.models import Order
from genomforandeplan import rules, selectors
from genomforandeplan.choices import (
    CHECKLIST_STEPS,
    MeetingPlace,
    Participant,
    PlanStatus,
    ReviewOutcome,
)
from genomforandeplan.models import (
    HEADING_FIELDS,
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanReview,
    PlanVersion,
)
from genomforandeplan.states import AFTER_SAVE, PlanState
from ramtid.choices import Role
from ramtid.models import InterventionType, User

PLAN_FIELDS = (
    *HEADING_FIELDS,
    "planned_daily_visits",
    "participants",
    "meeting_place",
    "meeting_place_other",
    "client_influence",
    "deviation_reason",
    "deviation_helper",
    "life_story",
    "checklist",
    "coverage_reasons",
    # The client's approval is part of the working copy, saved as it is typed; completing the
    # plan freezes it into the version (plan_complete).
    "client_approved_on",
    "client_approval_how",
)


class StaleVersion(ValidationError):
    """Someone saved the plan after the page (or the API client) read it: nothing was saved."""


# ---------------------------------------------------------------------------------------------
# Contact person


@transaction.atomic
def contact_assign(
    *, order: Order, by: User, contact_person: User, deputy: User | None = None
) -> ContactAssignment:
    """The coordinator names the client's contact person and deputy (004 §3.2.3)."""
    if not order.state.active:
        raise ValidationError(_("Kontaktman utses för en gällande beställning."))
    staff = set(
        User.objects.filter(
            memberships__provider=order.provider,
            memberships__role__in=[Role.CONTACT_PERSON, Role.PROVIDER_COORDINATOR],
        ).values_list("pk", flat=True)
    )
    errors = {}
    if contact_person.pk not in staff:
        errors["contact_person"] = _("Kontaktmannen måste arbeta hos %(provider)s.") % {
            "provider": order.provider
        }
    if deputy is not None and deputy.pk not in staff:
        errors["deputy"] = _("Ersättaren måste arbeta hos %(provider)s.") % {
            "provider": order.provider
        }
    if deputy is not None and deputy == contact_person:
        errors["deputy"] = _("Ersättaren ska vara en annan person än kontaktmannen.")
    if errors:
        raise ValidationError(errors)
    assignment, _created = ContactAssignment.objects.update_or_create(
        order=order,
        defaults={
            "contact_person": contact_person,
            "deputy": deputy,
            "assigned_by": by,
            "assigned_on": timezone.localdate(),
        },
    )
    return assignment


# ---------------------------------------------------------------------------------------------
# The order a plan is checked against


def current_order(plan: ImplementationPlan) -> Order:
    """The order the plan must now follow: the newest issued order for the client at the
    provider (a change supersedes the order the plan was written for), with its interventions."""
    return selectors.current_orders([plan])[plan.pk]


def needs_revision(plan: ImplementationPlan, order: Order | None = None) -> bool:
    """A new order has superseded the one the plan was completed against (004 §4.2.4). The
    rule is computed once, in SQL (selectors.with_plan_facts); `order` is not needed."""
    return selectors.needs_revision(plan)


def _items_of_order(order: Order) -> list[rules.Item]:
    """The order's interventions, each care package with its contents. Reads what a caller
    prefetched (`order.interventions`, their types and package contents) when it did."""
    items = []
    for i in order.interventions.all():
        parts = ()
        if i.intervention_type.is_care_package:
            parts = tuple((t.pk, t.name) for t in i.care_package_contents.all())
        items.append(
            rules.Item(
                i.intervention_type_id, str(i), i.period, i.occasions, i.every_n_weeks, parts
            )
        )
    return items


def _plan_items(plan: ImplementationPlan) -> list[PlanItem]:
    """The plan's items with their types: the prefetched ones when the caller prefetched them."""
    if "items" in getattr(plan, "_prefetched_objects_cache", {}):
        return list(plan.items.all())
    return list(plan.items.select_related("intervention_type"))


def _items_of_plan(plan: ImplementationPlan) -> list[rules.Item]:
    return [
        rules.Item(i.intervention_type_id, str(i), i.period, i.occasions, i.every_n_weeks)
        for i in _plan_items(plan)
    ]


def frequency_text(item: rules.Item) -> str:
    if not item.occasions:
        return _("utan frekvens")
    frequency = order_rules.Frequency(
        period=Period(item.period),
        occasions=item.occasions,
        minutes=1,
        every_n_weeks=item.every_n_weeks,
    )
    return order_rules.occasion_text(frequency)


def coverage(plan: ImplementationPlan, order: Order | None = None) -> list[rules.Gap]:
    order = order or current_order(plan)
    return rules.coverage_gaps(
        ordered=_items_of_order(order),
        planned=_items_of_plan(plan),
        ordered_daily_visits=order.daily_visits,
        planned_daily_visits=plan.planned_daily_visits,
        frequency_text=frequency_text,
    )


@transaction.atomic
def refresh_coverage(*, plans: QuerySet[ImplementationPlan] | Iterable[int]) -> int:
    """Store the coverage check's answer on `plans` (a queryset of plans, or their ids) in one
    UPDATE: covers_order is whether the plan as it is now covers its order fully, as
    reports.PlanCoversOrder decides it over that order (the one rule, tested equal to
    rules.coverage_gaps). Every write of what the check reads calls this: the plan's items,
    its daily visits and its order (plan_start, plan_save, which the page, its autosave and the
    API save through, and plan_complete); a sent order's interventions and daily visits do not
    change (only a draft is edited, and no plan follows a draft). The load-data generator, which
    updates nothing, decides it with rules.coverage_gaps on the rows it copies. Returns the
    number of plans updated."""
    # Imported here: the report reads services (the plan page's check), not the other way round.
    from genomforandeplan.reports import PlanCoversOrder

    check = (
        Order.objects.filter(pk=OuterRef("order_id"))
        .annotate(covers=PlanCoversOrder())
        .values("covers")[:1]
    )
    return ImplementationPlan.objects.filter(pk__in=plans).update(covers_order=Subquery(check))


# ---------------------------------------------------------------------------------------------
# Writing the plan


@transaction.atomic
def plan_start(*, order: Order, by: User) -> ImplementationPlan:
    """Start the plan from the order, pre-filled with each ordered intervention and its
    frequency and with the ordered daily visits. A client has one living plan per provider."""
    if not order.state.active:
        raise ValidationError(_("En genomförandeplan skrivs mot en gällande beställning."))
    existing = ImplementationPlan.objects.filter(client=order.client, provider=order.provider)
    if existing.exists():
        raise ValidationError(_("Brukaren har redan en genomförandeplan hos utföraren."))
    try:
        with transaction.atomic():
            plan = ImplementationPlan.objects.create(
                client=order.client,
                provider=order.provider,
                order=order,
                created_by=by,
                planned_daily_visits=order.daily_visits,
            )
    except IntegrityError:
        raise ValidationError(_("Brukaren har redan en genomförandeplan hos utföraren.")) from None
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            position=item.position,
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions or 1,
            every_n_weeks=item.every_n_weeks,
        )
        for item in order.interventions.all()
    )
    refresh_coverage(plans=[plan.pk])
    plan.refresh_from_db(fields=["covers_order"])
    return plan


@dataclass
class PlanItemInput:
    intervention_type: InterventionType
    period: str
    occasions: int
    every_n_weeks: int = 1
    can_do_myself: str = ""
    need_help_with: str = ""
    how_and_when: str = ""
    who_helps: str = ""
    my_goal: str = ""


def _validate_fields(plan: ImplementationPlan, fields: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    participants = fields.get("participants", [])
    if not set(participants) <= set(Participant.values):
        errors["participants"] = [_("Välj bland de angivna deltagarna.")]
    place = fields.get("meeting_place", "")
    if place and place not in MeetingPlace.values:
        errors["meeting_place"] = [_("Välj var planen skrevs.")]
    if place == MeetingPlace.OTHER and not fields.get("meeting_place_other", "").strip():
        errors["meeting_place_other"] = [_("Skriv var ni träffades.")]
    steps = dict(CHECKLIST_STEPS)
    for step, day in (fields.get("checklist") or {}).items():
        if step not in steps:
            errors.setdefault("checklist", []).append(_("Okänt steg i checklistan."))
        elif day:
            try:
                ticked = datetime.date.fromisoformat(day)
            except (TypeError, ValueError):
                errors.setdefault("checklist", []).append(
                    _("%(step)s: datumet är inte giltigt.") % {"step": steps[step]}
                )
                continue
            if ticked > timezone.localdate():
                errors.setdefault("checklist", []).append(
                    _("%(step)s: datumet kan inte vara i framtiden.") % {"step": steps[step]}
                )
    approved_on = fields.get("client_approved_on")
    if approved_on and approved_on > timezone.localdate():
        errors["client_approved_on"] = [
            _("Datumet då brukaren godkände planen kan inte vara i framtiden.")
        ]
    return errors


@transaction.atomic
def plan_save(
    *, plan: ImplementationPlan, by: User, version: int, fields: dict, items: list[PlanItemInput]
) -> ImplementationPlan:
    """Save the working copy, all or nothing, against the version the page was read at.

    Saving a ready or approved plan makes it the draft of a new version, a returned one stays
    returned (states.AFTER_SAVE): the completed versions stay as they were, and a new version is
    made when the client approves the revision.
    """
    errors = _validate_fields(plan, fields)
    for index, item in enumerate(items):
        if item.intervention_type.municipality_id != plan.client.municipality_id:
            errors[f"items-{index}-intervention_type"] = [
                _("%(name)s finns inte i kommunens insatskatalog.")
                % {"name": item.intervention_type}
            ]
        for field, message in order_rules.frequency_errors(
            period=item.period, occasions=item.occasions or None, every_n_weeks=item.every_n_weeks
        ).items():
            errors[f"items-{index}-{field}"] = [message]
    if errors:
        raise ValidationError(errors)
    values = {key: fields[key] for key in PLAN_FIELDS if key in fields}
    status_after_save = Case(
        *(When(status=before, then=Value(after)) for before, after in AFTER_SAVE.items()),
        output_field=CharField(),
    )
    updated = ImplementationPlan.objects.filter(pk=plan.pk, version=version).update(
        **values, status=status_after_save, version=F("version") + 1
    )
    if not updated:
        raise StaleVersion(
            _(
                "Någon annan har sparat planen sedan du öppnade den. Dina ändringar har inte "
                "sparats: ladda om sidan för att se den senaste versionen."
            )
        )
    plan.items.all().delete()
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            position=position,
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions,
            every_n_weeks=item.every_n_weeks if item.period == Period.EVERY_N_WEEKS else 1,
            **{key: getattr(item, key) for key in HEADING_FIELDS},
        )
        for position, item in enumerate(items)
    )
    refresh_coverage(plans=[plan.pk])
    plan.refresh_from_db()
    return plan


def _latest_version(plan: ImplementationPlan) -> PlanVersion | None:
    """The newest completed version: from the prefetched versions when the caller has them."""
    if "versions" in getattr(plan, "_prefetched_objects_cache", {}):
        return max(plan.versions.all(), key=lambda version: version.number, default=None)
    return plan.versions.order_by("-number").first()


def completion_facts(plan: ImplementationPlan, order: Order) -> rules.CompletionFacts:
    previous = _latest_version(plan)
    return rules.CompletionFacts(
        participants=tuple(plan.participants),
        meeting_place=plan.meeting_place,
        client_influence=plan.client_influence,
        deviation_reason=plan.deviation_reason,
        deviation_helper=plan.deviation_helper,
        client_approved_on=plan.client_approved_on,
        client_approval_how=plan.client_approval_how,
        item_count=len(_plan_items(plan)),
        gaps=tuple(coverage(plan, order)),
        reasons=dict(plan.coverage_reasons or {}),
        order_starts=order.valid_from,
        previous_approval=previous.client_approved_on if previous else None,
        today=timezone.localdate(),
    )


def completion_blockers(plan: ImplementationPlan, order: Order | None = None) -> list[str]:
    """What stops the plan from being completed, in words the contact person can act on
    (the rule and each field's label: rules.completion_blockers and its requirements)."""
    order = order or current_order(plan)
    return [blocker.message for blocker in rules.completion_blockers(completion_facts(plan, order))]


def snapshot(plan: ImplementationPlan, order: Order) -> dict:
    """The plan as text, frozen in a version: what the client approved."""
    return {
        "order_id": order.pk,
        "headings": {field: getattr(plan, field) for field in HEADING_FIELDS},
        "planned_daily_visits": plan.planned_daily_visits,
        "items": [
            {
                "name": str(item),
                "intervention_type_id": item.intervention_type_id,
                "frequency": frequency_text(
                    rules.Item(
                        item.intervention_type_id,
                        str(item),
                        item.period,
                        item.occasions,
                        item.every_n_weeks,
                    )
                ),
                "headings": {field: getattr(item, field) for field in HEADING_FIELDS},
            }
            for item in plan.items.select_related("intervention_type")
        ],
        "participants": list(plan.participants),
        "meeting_place": plan.meeting_place,
        "meeting_place_other": plan.meeting_place_other,
        "client_influence": plan.client_influence,
        "deviation_reason": plan.deviation_reason,
        "deviation_helper": plan.deviation_helper,
        "life_story": plan.life_story,
        "coverage_reasons": dict(plan.coverage_reasons),
        # None only for a working copy (the PDF of a draft); a version always has the date.
        "client_approved_on": (
            plan.client_approved_on.isoformat() if plan.client_approved_on else None
        ),
        "client_approval_how": plan.client_approval_how,
    }


@transaction.atomic
def plan_complete(
    *,
    plan: ImplementationPlan,
    by: User,
    version: int | None = None,
    client_approved_on: datetime.date | None = None,
    client_approval_how: str | None = None,
) -> PlanVersion:
    """The client has approved the plan (004 §3.2.8): it becomes ready, the working copy as it
    is saved is frozen as a new version, and the officer can see and check it. The plan is now
    written against the current order.

    `version` is the working copy's version the contact person confirmed: if anyone saved
    since, nothing is frozen (she would freeze something she has not seen). The approval may be
    given here (the API) or saved with the page beforehand.
    """
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    if not PlanState.of(plan).can_complete:
        raise ValidationError(_("Planen är redan klar och väntar på handläggaren."))
    if version is not None and plan.version != version:
        raise StaleVersion(
            _(
                "Planen har ändrats sedan du öppnade den. Ingenting är klarmarkerat: gå tillbaka "
                "till planen och läs igenom den igen."
            )
        )
    if client_approved_on is not None:
        plan.client_approved_on = client_approved_on
    if client_approval_how is not None:
        plan.client_approval_how = client_approval_how
    order = current_order(plan)
    blockers = rules.completion_blockers(completion_facts(plan, order))
    if blockers:
        raise ValidationError([blocker.message for blocker in blockers])
    number = (plan.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        order=order,
        snapshot=snapshot(plan, order),
        client_approved_on=plan.client_approved_on,
        created_by=by,
    )
    # The approval belongs to the version now; the next revision needs the client's own.
    plan.client_approved_on, plan.client_approval_how = None, ""
    plan.order, plan.status, plan.version = order, PlanStatus.READY, plan.version + 1
    plan.save(
        update_fields=["client_approved_on", "client_approval_how", "order", "status", "version"]
    )
    # Now checked against the order it was completed against (a change order, perhaps).
    refresh_coverage(plans=[plan.pk])
    plan.refresh_from_db(fields=["covers_order"])
    return version


@transaction.atomic
def plan_review(
    *, plan: ImplementationPlan, by: User, approve: bool, comment: str = ""
) -> PlanReview:
    """The officer checks the ready plan against the order: approves it, or returns it with a
    comment the provider sees on its worklist (002 "Arbetssätt")."""
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    if not PlanState.of(plan).can_review:
        raise ValidationError(_("Planen väntar inte på granskning."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Skriv vad utföraren behöver ändra.")})
    version = plan.versions.order_by("-number").first()
    review = PlanReview.objects.create(
        version=version,
        outcome=ReviewOutcome.APPROVED if approve else ReviewOutcome.RETURNED,
        comment=comment,
        reviewed_by=by,
    )
    # A new version number, so that a page the provider opened before the review cannot
    # save over it unseen: it gets the conflict message and reloads to read the comment.
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.version += 1
    plan.save(update_fields=["status", "version"])
    return review


@transaction.atomic
def plan_follow_up(
    *,
    plan: ImplementationPlan,
    by: User,
    followed_up_on: datetime.date,
    notes: str,
    needs_changed: bool = False,
) -> PlanFollowUp:
    """Record the provider's follow-up (at least every 6 months, and when needs change).

    The same follow-up sent twice (a double press, a resent request) is one row: the plan is
    locked and an identical follow-up of the same day is returned instead of a second."""
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    same = PlanFollowUp.objects.filter(
        plan=plan, followed_up_on=followed_up_on, notes=notes, needs_changed=needs_changed
    ).first()
    if same is not None:
        return same
    errors = {}
    if followed_up_on > timezone.localdate():
        errors["followed_up_on"] = _("Datumet kan inte vara i framtiden.")
    if not notes.strip():
        errors["notes"] = _("Skriv vad uppföljningen visade.")
    if not plan.versions.exists():
        errors["__all__"] = _("Planen följs upp när den har blivit klar första gången.")
    if errors:
        raise ValidationError(errors)
    return PlanFollowUp.objects.create(
        plan=plan,
        followed_up_on=followed_up_on,
        notes=notes,
        needs_changed=needs_changed,
        followed_up_by=by,
    )
