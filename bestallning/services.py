"""Every write of decisions, orders and change-of-need reports (STYLE.md: services write)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning import ordered_time, quality, rules, states
from bestallning.choices import (
    ApprovalStatus,
    DecisionOutcome,
    NeedChangeAnswer,
    OrderStatus,
    Period,
)
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from bestallning.selectors import decision_is_correctable
from bestallning.tasks import order_notify_provider_task
from ramtid.choices import InterventionCategory, Role
from ramtid.models import Client, InterventionType, Provider, User

ORDER_FIELDS = (
    "valid_from",
    "order_text",
    "daily_visits",
    "daily_visits_description",
    "overall_goals",
    "body_functions",
    "environmental_factors",
    "health_condition",
    "personal_factors",
)
INTERVENTION_FIELDS = (
    "intervention_type",
    "life_area",
    "life_area_category",
    "period",
    "occasions",
    "weekdays",
    "every_n_weeks",
    "minutes",
    "double_staffing",
    "assessed_level",
    "intended_level",
    "description",
    "client_goal",
    "support_orientation",
)

# ---------------------------------------------------------------------------------------------
# Decisions


DECISION_FIELDS = (
    "outcome",
    "kind",
    "legal_basis",
    "decided_on",
    "valid_from",
    "valid_to",
    "hours_per_month",
    "reasoning",
    "purpose_and_goal",
)


def _decision_errors(*, client: Client, values: dict, granted_interventions) -> dict[str, str]:
    errors = {}
    valid_from, valid_to = values["valid_from"], values.get("valid_to")
    if valid_to and valid_to < valid_from:
        errors["valid_to"] = _("Slutdatumet kan inte vara före startdatumet.")
    if values["decided_on"] > timezone.localdate():
        errors["decided_on"] = _("Beslutsdatumet kan inte vara i framtiden.")
    hours = values["hours_per_month"]
    if values["outcome"] == DecisionOutcome.REFUSED and hours:
        errors["hours_per_month"] = _("Ett avslag beviljar inga timmar: ange 0.")
    elif values["outcome"] != DecisionOutcome.REFUSED and not hours:
        errors["hours_per_month"] = _(
            "Ett beslut som beviljar hemtjänst beviljar timmar: ange hur många timmar per månad."
        )
    foreign = [t for t in granted_interventions if t.municipality_id != client.municipality_id]
    if foreign:
        errors["granted_interventions"] = _("%(names)s finns inte i kommunens insatskatalog.") % {
            "names": ", ".join(t.name for t in foreign)
        }
    return errors


def _approval_needed(client: Client, hours: Decimal) -> str:
    """Above the officer's delegation (a municipal rule, e.g. 136 h/month in Stockholm, 002) a
    decision waits for the unit manager before any order built on it can be sent."""
    limit = client.municipality.delegation_hours
    return (
        ApprovalStatus.PENDING
        if limit is not None and hours > limit
        else (ApprovalStatus.NOT_REQUIRED)
    )


@transaction.atomic
def decision_create(
    *,
    client: Client,
    by: User,
    outcome: str,
    decided_on: datetime.date,
    valid_from: datetime.date,
    hours_per_month: Decimal,
    reasoning: str,
    purpose_and_goal: str,
    valid_to: datetime.date | None = None,
    legal_basis: str = "SoL 4 kap. 1 §",
    kind: str | None = None,
    granted_interventions: list[InterventionType] | tuple = (),
) -> Decision:
    """Record a decision. A grant grants hours; a refusal none. Above the officer's delegation
    it waits for the unit manager. Without a kind, the kind follows the granted interventions."""
    values = {
        "outcome": outcome,
        "kind": kind or rules.decision_kind({t.category for t in granted_interventions}),
        "legal_basis": legal_basis,
        "decided_on": decided_on,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "hours_per_month": hours_per_month,
        "reasoning": reasoning,
        "purpose_and_goal": purpose_and_goal,
    }
    errors = _decision_errors(
        client=client, values=values, granted_interventions=granted_interventions
    )
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        client=client,
        decided_by=by,
        approval_status=_approval_needed(client, hours_per_month),
        **values,
    )
    decision.full_clean()
    decision.save()
    decision.granted_interventions.set(granted_interventions)
    return decision


@transaction.atomic
def decision_update(
    *, decision: Decision, by: User, granted_interventions=None, **values
) -> Decision:
    """Correct a decision before any order on it has been sent (the audit trail keeps what it
    said before). Above the delegation, the corrected decision goes to the unit manager again,
    whatever was approved before: she approved other figures."""
    decision = (
        Decision.objects.select_for_update()
        .select_related("client__municipality")
        .get(pk=decision.pk)
    )
    if not decision_is_correctable(decision):
        raise ValidationError(
            _(
                "Beslutet kan inte rättas: en beställning på det har skickats till utföraren. "
                "Återkalla beslutet med ett skäl och fatta ett nytt i stället."
            )
        )
    unknown = set(values) - set(DECISION_FIELDS)
    if unknown:
        raise ValueError(f"Not decision fields: {sorted(unknown)}")
    merged = {name: getattr(decision, name) for name in DECISION_FIELDS} | values
    granted = (
        list(decision.granted_interventions.all())
        if granted_interventions is None
        else list(granted_interventions)
    )
    errors = _decision_errors(client=decision.client, values=merged, granted_interventions=granted)
    if errors:
        raise ValidationError(errors)
    for name, value in merged.items():
        setattr(decision, name, value)
    decision.approval_status = _approval_needed(decision.client, decision.hours_per_month)
    decision.approved_by, decision.approved_at, decision.approval_comment = None, None, ""
    decision.full_clean()
    decision.save()
    decision.granted_interventions.set(granted)
    return decision


@transaction.atomic
def decision_withdraw(*, decision: Decision, by: User, reason: str) -> Decision:
    """Withdraw (återkalla) a decision that should not stand, with the reason, e.g. when it was
    registered wrongly after an order had been sent. Orders still in force on it must first be
    replaced by an order on the new decision, or ended: the help never lacks a decision."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.is_withdrawn:
        raise ValidationError(_("Beslutet är redan återkallat."))
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför beslutet återkallas.")})
    in_force = list(decision.orders.filter(status__in=states.ACTIVE).select_related("provider"))
    if in_force:
        raise ValidationError(
            _(
                "Beställningen till %(provider)s från %(date)s gäller fortfarande på beslutet. "
                "Ersätt den med en ändrad beställning på ett nytt beslut, eller avsluta den, "
                "innan beslutet återkallas."
            )
            % {"provider": in_force[0].provider, "date": f"{in_force[0].valid_from:%Y-%m-%d}"}
        )
    decision.withdrawn_at, decision.withdrawn_by = timezone.now(), by
    decision.withdrawal_reason = reason.strip()
    decision.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return decision


@transaction.atomic
def decision_review(*, decision: Decision, by: User, approve: bool, comment: str = "") -> Decision:
    """The unit manager approves, or does not approve, a decision above the delegation."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not states.DecisionState.of(decision).awaiting_manager:
        raise ValidationError(_("Beslutet väntar inte på enhetschefens godkännande."))
    if not approve and not comment.strip():
        raise ValidationError({"approval_comment": _("Skriv varför beslutet inte godkänns.")})
    decision.approval_status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    decision.approved_by, decision.approved_at = by, timezone.now()
    decision.approval_comment = comment
    decision.save(
        update_fields=["approval_status", "approved_by", "approved_at", "approval_comment"]
    )
    return decision


# ---------------------------------------------------------------------------------------------
# Orders: drafts


@transaction.atomic
def order_create(
    *, decision: Decision, by: User, provider: Provider, valid_from: datetime.date
) -> Order:
    """A draft order from a decision, to the provider the client chose, with a row for each
    intervention the decision grants (standard time, the frequency left for the officer)."""
    client = decision.client
    if provider.municipality_id != client.municipality_id:
        raise ValidationError({"provider": _("Utföraren har inget avtal med brukarens kommun.")})
    if decision.outcome == DecisionOutcome.REFUSED:
        raise ValidationError(_("Ett avslag kan inte beställas."))
    if decision.is_withdrawn:
        raise ValidationError(_("Beslutet är återkallat och kan inte beställas."))
    _check_within_decision(decision, valid_from)
    order = Order.objects.create(
        client=client, decision=decision, provider=provider, ordered_by=by, valid_from=valid_from
    )
    granted = decision.granted_interventions.filter(active=True).order_by(
        "category", "position", "name"
    )
    OrderedIntervention.objects.bulk_create(
        OrderedIntervention(
            order=order,
            position=position,
            intervention_type=kind,
            period=Period.PER_DAY if kind.is_care_package else Period.PER_WEEK,
            minutes=kind.standard_minutes,
        )
        for position, kind in enumerate(granted)
    )
    return order


def _check_within_decision(decision: Decision, valid_from: datetime.date) -> None:
    if valid_from < decision.valid_from or (decision.valid_to and valid_from > decision.valid_to):
        raise ValidationError(
            {
                "valid_from": _("Beställningen måste börja inom beslutets period (%(period)s).")
                % {"period": _decision_period(decision)}
            }
        )


def _decision_period(decision: Decision) -> str:
    end = f"{decision.valid_to:%Y-%m-%d}" if decision.valid_to else _("tills vidare")
    return f"{decision.valid_from:%Y-%m-%d} – {end}"


@dataclass
class InterventionInput:
    """One row of the order page's interventions, already parsed by the form."""

    intervention_type: InterventionType
    period: str
    minutes: int
    occasions: int | None = None
    weekdays: list[int] | None = None
    every_n_weeks: int = 1
    life_area: object = None
    life_area_category: object = None
    double_staffing: bool = False
    assessed_level: str = ""
    intended_level: str = ""
    description: str = ""
    client_goal: str = ""
    support_orientation: str = "unspecified"
    care_package_contents: list[InterventionType] | tuple = ()


def _validate_intervention(
    order: Order, row: InterventionInput, index: int
) -> dict[str, list[str]]:
    """Errors for one row, keyed like a formset's fields: 'interventions-<index>-<field>'."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(f"interventions-{index}-{field}", []).append(message)

    kind = row.intervention_type
    if kind.municipality_id != order.client.municipality_id:
        add(
            "intervention_type",
            _("%(name)s finns inte i kommunens insatskatalog.") % {"name": kind.name},
        )
    elif not kind.active:
        add(
            "intervention_type",
            _("%(name)s används inte längre i insatskatalogen.") % {"name": kind.name},
        )
    # A draft may leave the number of occasions for later: sending requires it.
    for field, message in rules.frequency_errors(
        period=row.period,
        occasions=row.occasions,
        every_n_weeks=row.every_n_weeks,
        weekdays=row.weekdays,
        minutes=row.minutes,
        occasions_required=False,
    ).items():
        add(field, message)
    if row.life_area_category and row.life_area_category.life_area_id != getattr(
        row.life_area, "pk", None
    ):
        add("life_area_category", _("Underkategorin hör inte till det valda livsområdet."))
    if row.life_area is not None and not row.life_area.grants_interventions:
        add("life_area", _("Insatser beviljas inte utifrån livsområde 11; välj brukarens behov."))
    if kind.is_care_package:
        contents = [
            t
            for t in row.care_package_contents
            if t.category == InterventionCategory.PERSONAL_CARE
            and not t.is_care_package
            and t.municipality_id == order.client.municipality_id
        ]
        if len(contents) < 3:
            add(
                "care_package_contents",
                _(
                    "Ett omvårdnadspaket används bara när minst tre omvårdnadsinsatser ges vid "
                    "samma besök (004 §2.4.2). Nu ingår %(count)s. Lägg till fler, eller beställ "
                    "insatserna var för sig."
                )
                % {"count": len(contents)},
            )
    return errors


@transaction.atomic
def order_save_draft(
    *,
    order: Order,
    by: User,
    version: int,
    fields: dict,
    interventions: list[InterventionInput],
) -> Order:
    """Save the whole order page: the order's fields and its interventions, all or nothing.

    Optimistic locking: the page carries the version it was read at. If someone saved since,
    nothing is written and the second officer is told so; nothing is silently overwritten.
    """
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(interventions):
        errors.update(_validate_intervention(order, row, index))
    if "valid_from" in fields:
        try:
            _check_within_decision(order.decision, fields["valid_from"])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    values = {key: fields[key] for key in ORDER_FIELDS if key in fields}
    editable = Order.objects.filter(pk=order.pk, version=version, status__in=states.EDITABLE)
    updated = editable.update(**values, version=F("version") + 1)
    if not updated:
        current = Order.objects.get(pk=order.pk)
        if not states.OrderState.of(current).editable:
            raise ValidationError(_("Beställningen är skickad och kan inte längre ändras."))
        raise ValidationError(
            _(
                "Någon annan har sparat beställningen sedan du öppnade den. Dina ändringar har "
                "inte sparats: ladda om sidan för att se den senaste versionen."
            )
        )
    order.interventions.all().delete()
    for position, row in enumerate(interventions):
        item = OrderedIntervention.objects.create(
            order=order,
            position=position,
            intervention_type=row.intervention_type,
            life_area=row.life_area,
            life_area_category=row.life_area_category,
            period=row.period,
            occasions=row.occasions,
            weekdays=sorted(row.weekdays or []) if row.period == Period.PER_DAY else [],
            every_n_weeks=row.every_n_weeks if row.period == Period.EVERY_N_WEEKS else 1,
            minutes=row.minutes,
            double_staffing=row.double_staffing,
            assessed_level=row.assessed_level,
            intended_level=row.intended_level,
            description=row.description,
            client_goal=row.client_goal,
            support_orientation=row.support_orientation,
        )
        if row.intervention_type.is_care_package:
            item.care_package_contents.set(row.care_package_contents)
    order.refresh_from_db()
    return order


# ---------------------------------------------------------------------------------------------
# Sending and the order's life


def send_facts(order: Order) -> rules.SendFacts:
    """The saved draft as the sending rule reads it (its interventions prefetched or not)."""
    decision = order.decision
    decision_state = states.DecisionState.of(decision)
    return rules.SendFacts(
        daily_visits=order.daily_visits,
        interventions=tuple(
            (str(item), item.occasions, item.life_area_id is not None)
            for item in order.interventions.all()
        ),
        total_minutes=ordered_time.order_time(order).total,
        frame_minutes=ordered_time.frame_minutes(decision),
        decision_refused=decision.outcome == DecisionOutcome.REFUSED,
        decision_withdrawn=decision_state.withdrawn,
        decision_awaiting_manager=decision_state.awaiting_manager,
        decision_rejected_by_manager=decision_state.rejected_by_manager,
    )


def sending_blockers(order: Order) -> list[str]:
    """What stops the order from being sent (rules.sending_blockers)."""
    return rules.sending_blockers(send_facts(order))


def decision_mismatches(order: Order) -> tuple[list[str], list[str]]:
    """(granted but not ordered, ordered but not granted) for the saved draft."""
    granted = {t.pk: t.name for t in order.decision.granted_interventions.all()}
    ordered = [
        rules.OrderedKind(
            item.intervention_type_id,
            str(item),
            tuple(t.pk for t in item.care_package_contents.all()),
        )
        for item in order.interventions.all()
    ]
    return rules.decision_mismatches(granted, ordered)


def quality_warnings(order: Order) -> list[quality.QualityWarning]:
    """Warnings that do not block: detail steering, generic goals, interventions without goal.
    The rules are in bestallning/quality.py, which lints the page's unsaved form the same way."""
    return quality.order_warnings(
        quality.OrderTexts(
            client_first_name=order.client.first_name,
            order_text=order.order_text,
            daily_visits_description=order.daily_visits_description,
            overall_goals=tuple(order.overall_goals or ()),
            interventions=tuple(
                quality.InterventionTexts(str(item), item.description, item.client_goal)
                for item in order.interventions.all()
            ),
        )
    )


@transaction.atomic
def order_send(*, order: Order, by: User) -> Order:
    """Send the order to the provider. A change order supersedes its predecessor from the day
    it starts (004 §2.4.7); the warnings found are stored with the order."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not states.OrderState.of(order).sendable:
        raise ValidationError(_("Endast utkast kan skickas."))
    blockers = sending_blockers(order)
    if blockers:
        raise ValidationError(blockers)
    if order.supersedes_id:
        previous = Order.objects.select_for_update().get(pk=order.supersedes_id)
        if previous.status not in states.SUPERSEDABLE:
            raise ValidationError(_("Beställningen som ska ersättas gäller inte längre."))
        if order.valid_from <= previous.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "Den nya beställningen måste börja efter %(date)s, då den "
                        "tidigare började gälla."
                    )
                    % {"date": previous.valid_from}
                }
            )
        previous.status = OrderStatus.SUPERSEDED
        previous.valid_to = order.valid_from - datetime.timedelta(days=1)
        previous.save(update_fields=["status", "valid_to"])
    order.quality_warnings = [w.as_dict() for w in quality_warnings(order)]
    order.ordered_minutes = ordered_time.order_time(order).total
    order.status, order.sent_at, order.sent_by = OrderStatus.SENT, timezone.now(), by
    transaction.on_commit(lambda: order_notify_provider_task.delay(order.pk))
    try:
        with transaction.atomic():
            order.save(
                update_fields=[
                    "status",
                    "sent_at",
                    "sent_by",
                    "quality_warnings",
                    "ordered_minutes",
                ]
            )
    except IntegrityError:
        raise ValidationError(
            _(
                "Brukaren har redan en beställning hos %(provider)s som gäller under samma tid. "
                "Gör en ändring av den i stället."
            )
            % {"provider": order.provider}
        ) from None
    if order.supersedes_id:
        # The change answers the provider's open change-of-need reports on the order it replaces
        # (the officer's "Ny beställning", 004 §4.2.4): no report is left waiting after it.
        NeedChangeReport.objects.filter(order_id=order.supersedes_id, answer="").update(
            answer=NeedChangeAnswer.NEW_ORDER,
            new_order=order,
            answered_by=by,
            answered_at=timezone.now(),
        )
    return order


def order_notify_provider(*, order_id: int) -> int:
    """E-mail the provider's coordinators that an order has arrived; once per order.

    The e-mail carries no personal data (no name, no personal number): only that there is a new
    or changed order and where to read it. Returns the number of recipients (0 if already done).
    """
    with transaction.atomic():
        claimed = Order.objects.filter(
            pk=order_id, provider_notified_at__isnull=True, sent_at__isnull=False
        ).update(provider_notified_at=timezone.now())
        if not claimed:
            return 0
        order = Order.objects.select_related("provider").get(pk=order_id)
        recipients = sorted(
            User.objects.filter(
                memberships__provider=order.provider,
                memberships__role=Role.PROVIDER_COORDINATOR,
                is_active=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if recipients:
            kind = _("En ändrad beställning") if order.supersedes_id else _("En ny beställning")
            send_mail(
                subject=_("Ny beställning i Ramtid"),
                message=_(
                    "%(kind)s har skickats till %(provider)s och gäller från %(date)s.\n\n"
                    "Logga in i Ramtid och öppna Start för att läsa och kvittera den. "
                    "Av sekretesskäl står inga uppgifter om brukaren i detta e-postmeddelande."
                )
                % {"kind": kind, "provider": order.provider, "date": order.valid_from},
                from_email=None,
                recipient_list=recipients,
            )
        return len(recipients)


@transaction.atomic
def order_receive(*, order: Order, by: User) -> Order:
    """The provider acknowledges that the order has arrived."""
    updated = Order.objects.filter(pk=order.pk, status__in=states.RECEIVABLE).update(
        status=OrderStatus.RECEIVED, received_at=timezone.now(), received_by=by
    )
    if not updated:
        raise ValidationError(_("Beställningen är redan kvitterad eller inte skickad."))
    order.refresh_from_db()
    return order


@transaction.atomic
def order_execute(*, order: Order, by: User, executed_on: datetime.date) -> Order:
    """The provider records the day the help started (verkställd)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not states.OrderState.of(order).executable:
        raise ValidationError(_("Beställningen kan inte verkställas i sitt nuvarande läge."))
    if executed_on < order.valid_from:
        raise ValidationError(
            {
                "executed_on": _(
                    "Verkställighetsdatumet kan inte vara före %(date)s, då "
                    "beställningen börjar gälla."
                )
                % {"date": order.valid_from}
            }
        )
    if executed_on > timezone.localdate():
        raise ValidationError(
            {"executed_on": _("Verkställighetsdatumet kan inte vara i framtiden.")}
        )
    if order.received_at is None:
        order.received_at, order.received_by = timezone.now(), by
    order.status, order.executed_on = OrderStatus.EXECUTED, executed_on
    order.save(update_fields=["status", "executed_on", "received_at", "received_by"])
    return order


@transaction.atomic
def order_change_create(
    *, order: Order, by: User, valid_from: datetime.date, decision: Decision | None = None
) -> Order:
    """A new draft that will supersede `order` from `valid_from`: a copy to edit."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not states.OrderState.of(order).changeable:
        raise ValidationError(_("Endast en gällande beställning kan ändras."))
    if Order.objects.filter(supersedes=order).exists():
        raise ValidationError(_("Det finns redan en ändring av beställningen."))
    decision = decision or order.decision
    if valid_from <= order.valid_from:
        raise ValidationError(
            {"valid_from": _("Ändringen måste börja efter %(date)s.") % {"date": order.valid_from}}
        )
    _check_within_decision(decision, valid_from)
    change = Order.objects.create(
        client=order.client,
        decision=decision,
        provider=order.provider,
        ordered_by=by,
        supersedes=order,
        valid_from=valid_from,
        **{key: getattr(order, key) for key in ORDER_FIELDS if key != "valid_from"},
    )
    for item in order.interventions.all():
        contents = list(item.care_package_contents.all())
        copy = OrderedIntervention.objects.create(
            order=change,
            position=item.position,
            **{key: getattr(item, key) for key in INTERVENTION_FIELDS},
        )
        copy.care_package_contents.set(contents)
    return change


@transaction.atomic
def order_end(*, order: Order, by: User, ended_on: datetime.date, reason: str) -> Order:
    """End an order without a successor, e.g. the client moves or declines further help."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not states.OrderState.of(order).endable:
        raise ValidationError(_("Endast en gällande beställning kan avslutas."))
    if ended_on < order.valid_from:
        raise ValidationError({"ended_on": _("Slutdatumet kan inte vara före startdatumet.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Ange varför beställningen avslutas.")})
    order.status, order.valid_to, order.ended_reason = OrderStatus.ENDED, ended_on, reason
    order.save(update_fields=["status", "valid_to", "ended_reason"])
    return order


@transaction.atomic
def order_delete_draft(*, order: Order, by: User) -> None:
    deleted, _count = Order.objects.filter(pk=order.pk, status__in=states.EDITABLE).delete()
    if not deleted:
        raise ValidationError(_("Endast utkast kan tas bort."))


# ---------------------------------------------------------------------------------------------
# Change of need


# A report identical to one made this recently is the same report sent twice.
DOUBLE_SEND_MINUTES = 10


@transaction.atomic
def need_change_report(
    *, order: Order, by: User, direction: str, duration: str, reason: str, description: str
) -> NeedChangeReport:
    """The provider reports changed needs (004 §3.1, §4.2.1, §4.2.4): to the officer's list.

    The same report sent twice (a double press, a resent request) is one report: the order is
    locked, and an open report with the same content made in the last few minutes is returned
    instead of a second row."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not states.OrderState.of(order).need_change_reportable:
        raise ValidationError(_("Förändrade behov rapporteras på en gällande beställning."))
    same = NeedChangeReport.objects.filter(
        order=order,
        answer="",
        direction=direction,
        duration=duration,
        reason=reason,
        description=description,
        reported_at__gte=timezone.now() - datetime.timedelta(minutes=DOUBLE_SEND_MINUTES),
    ).first()
    if same is not None:
        return same
    report = NeedChangeReport(
        order=order,
        reported_by=by,
        direction=direction,
        duration=duration,
        reason=reason,
        description=description,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def need_change_answer(
    *,
    report: NeedChangeReport,
    by: User,
    answer: str,
    reason: str = "",
    new_order: Order | None = None,
) -> NeedChangeReport:
    """The officer answers: a new order, or no change with a reason."""
    report = NeedChangeReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        raise ValidationError(_("Rapporten är redan besvarad."))
    if answer == NeedChangeAnswer.NO_CHANGE and not reason.strip():
        raise ValidationError({"answer_reason": _("Skriv varför beställningen inte ändras.")})
    if answer == NeedChangeAnswer.NEW_ORDER and new_order is None:
        raise ValidationError({"new_order": _("Ange den nya beställningen.")})
    report.answer, report.answer_reason, report.new_order = answer, reason, new_order
    report.answered_by, report.answered_at = by, timezone.now()
    report.save(
        update_fields=["answer", "answer_reason", "new_order", "answered_by", "answered_at"]
    )
    return report
