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

from bestallning import rules
from bestallning.choices import (
    ApprovalStatus,
    DecisionOutcome,
    NeedChangeAnswer,
    OrderStatus,
    Period,
)
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
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
    granted_interventions: list[InterventionType] | tuple = (),
) -> Decision:
    """Record a decision. Above the officer's delegation (a municipal rule, e.g. 136 h/month in
    Stockholm, 002) it waits for the unit manager before any order built on it can be sent."""
    errors = {}
    if valid_to and valid_to < valid_from:
        errors["valid_to"] = _("Slutdatumet kan inte vara före startdatumet.")
    if decided_on > timezone.localdate():
        errors["decided_on"] = _("Beslutsdatumet kan inte vara i framtiden.")
    if outcome == DecisionOutcome.REFUSED and hours_per_month:
        errors["hours_per_month"] = _("Ett avslag beviljar inga timmar: ange 0.")
    foreign = [t for t in granted_interventions if t.municipality_id != client.municipality_id]
    if foreign:
        errors["granted_interventions"] = _("%(names)s finns inte i kommunens insatskatalog.") % {
            "names": ", ".join(t.name for t in foreign)
        }
    if errors:
        raise ValidationError(errors)
    limit = client.municipality.delegation_hours
    needs_manager = limit is not None and hours_per_month > limit
    decision = Decision(
        client=client,
        decided_by=by,
        outcome=outcome,
        legal_basis=legal_basis,
        decided_on=decided_on,
        valid_from=valid_from,
        valid_to=valid_to,
        hours_per_month=hours_per_month,
        reasoning=reasoning,
        purpose_and_goal=purpose_and_goal,
        approval_status=ApprovalStatus.PENDING if needs_manager else ApprovalStatus.NOT_REQUIRED,
    )
    decision.full_clean()
    decision.save()
    decision.granted_interventions.set(granted_interventions)
    return decision


@transaction.atomic
def decision_review(*, decision: Decision, by: User, approve: bool, comment: str = "") -> Decision:
    """The unit manager approves, or does not approve, a decision above the delegation."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.approval_status != ApprovalStatus.PENDING:
        raise ValidationError(_("Beslutet väntar inte på enhetschefens godkännande."))
    if not approve and not comment.strip():
        raise ValidationError({"approval_comment": _("Skriv varför beslutet inte godkänns.")})
    decision.approval_status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    decision.approved_by, decision.approved_at = by, timezone.now()
    decision.approval_comment = comment
    decision.save(update_fields=["approval_status", "approved_by", "approved_at",
                                 "approval_comment"])  # fmt: skip
    return decision


# ---------------------------------------------------------------------------------------------
# Orders: drafts


@transaction.atomic
def order_create(
    *, decision: Decision, by: User, provider: Provider, valid_from: datetime.date
) -> Order:
    """A draft order from a decision, to the provider the client chose."""
    client = decision.client
    if provider.municipality_id != client.municipality_id:
        raise ValidationError({"provider": _("Utföraren har inget avtal med brukarens kommun.")})
    if decision.outcome == DecisionOutcome.REFUSED:
        raise ValidationError(_("Ett avslag kan inte beställas."))
    _check_within_decision(decision, valid_from)
    return Order.objects.create(
        client=client, decision=decision, provider=provider, ordered_by=by, valid_from=valid_from
    )


def _check_within_decision(decision: Decision, valid_from: datetime.date) -> None:
    if valid_from < decision.valid_from or (decision.valid_to and valid_from > decision.valid_to):
        raise ValidationError(
            {"valid_from": _("Beställningen måste börja inom beslutets period (%(period)s).")
             % {"period": _decision_period(decision)}}
        )  # fmt: skip


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
        add("intervention_type", _("%(name)s finns inte i kommunens insatskatalog.")
            % {"name": kind.name})  # fmt: skip
    elif not kind.active:
        add("intervention_type", _("%(name)s används inte längre i insatskatalogen.")
            % {"name": kind.name})  # fmt: skip
    if not 1 <= row.minutes <= 600:
        add("minutes", _("Ange minuter per tillfälle mellan 1 och 600."))
    if row.occasions is not None and not 1 <= row.occasions <= 24:
        add("occasions", _("Ange antal tillfällen mellan 1 och 24."))
    chosen_days = row.weekdays
    if (
        row.period == Period.PER_DAY
        and chosen_days is not None
        and (not chosen_days or not set(chosen_days) <= rules.ALL_WEEKDAYS)
    ):
        add("weekdays", _("Välj minst en veckodag."))
    if row.period == Period.EVERY_N_WEEKS and not 2 <= (row.every_n_weeks or 0) <= 52:
        add("every_n_weeks", _("Ange hur många veckor det går mellan tillfällena (2–52)."))
    if row.life_area_category and row.life_area_category.life_area_id != getattr(
        row.life_area, "pk", None
    ):
        add("life_area_category", _("Underkategorin hör inte till det valda livsområdet."))
    if row.life_area is not None and not row.life_area.grants_interventions:
        add("life_area", _("Insatser beviljas inte utifrån livsområde 11; välj brukarens behov."))
    if kind.is_care_package:
        contents = [
            t for t in row.care_package_contents
            if t.category == InterventionCategory.PERSONAL_CARE and not t.is_care_package
            and t.municipality_id == order.client.municipality_id
        ]  # fmt: skip
        if len(contents) < 3:
            add(
                "care_package_contents",
                _("Ett omvårdnadspaket används bara när minst tre omvårdnadsinsatser ges vid "
                  "samma besök (004 §2.4.2). Nu ingår %(count)s. Lägg till fler, eller beställ "
                  "insatserna var för sig.") % {"count": len(contents)},
            )  # fmt: skip
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
    updated = Order.objects.filter(pk=order.pk, version=version, status=OrderStatus.DRAFT).update(
        **values, version=F("version") + 1
    )
    if not updated:
        current = Order.objects.get(pk=order.pk)
        if current.status != OrderStatus.DRAFT:
            raise ValidationError(_("Beställningen är skickad och kan inte längre ändras."))
        raise ValidationError(
            _("Någon annan har sparat beställningen sedan du öppnade den. Dina ändringar har "
              "inte sparats: ladda om sidan för att se den senaste versionen.")
        )  # fmt: skip
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


def sending_blockers(order: Order) -> list[str]:
    """What stops the order from being sent, in words the officer can act on (001: legal
    certainty needs the decided frequency on the order)."""
    blockers = []
    if order.daily_visits is None:
        blockers.append(_("Antal dagliga besök saknas (ange 0 om brukaren inte har dagliga "
                          "besök)."))  # fmt: skip
    interventions = list(order.interventions.all())
    if not interventions:
        blockers.append(_("Beställningen har inga beställda insatser."))
    for item in interventions:
        if not item.occasions:
            blockers.append(_("%(name)s saknar fast frekvens (antal tillfällen).") % {"name": item})
        if item.life_area_id is None:
            blockers.append(_("%(name)s saknar livsområde.") % {"name": item})
    decision = order.decision
    if decision.approval_status == ApprovalStatus.PENDING:
        blockers.append(_("Beslutet är över handläggarens delegation och väntar på "
                          "enhetschefens godkännande."))  # fmt: skip
    elif decision.approval_status == ApprovalStatus.REJECTED:
        blockers.append(_("Enhetschefen har inte godkänt beslutet."))
    return blockers


def quality_warnings(order: Order) -> list[rules.QualityWarning]:
    """Warnings that do not block: detail steering, generic goals, interventions without goal."""
    warnings = []
    warnings += rules.lint_instruction("order_text", _("Beställningstexten"), order.order_text)
    warnings += rules.lint_instruction(
        "daily_visits_description",
        _("Beskrivningen av de dagliga besöken"),
        order.daily_visits_description,
    )
    for index, goal in enumerate(order.overall_goals):
        warnings += rules.lint_goal(f"overall_goals-{index}", _("Övergripande mål"), goal)
    for index, item in enumerate(order.interventions.all()):
        prefix = f"interventions-{index}"
        warnings += rules.lint_instruction(
            f"{prefix}-description",
            _("Beskrivningen för %(name)s") % {"name": item},
            item.description,
        )
        warnings += rules.lint_goal(
            f"{prefix}-client_goal",
            _("Målet för %(name)s") % {"name": item},
            item.client_goal,
            required=True,
        )
    return warnings


@transaction.atomic
def order_send(*, order: Order, by: User) -> Order:
    """Send the order to the provider. A change order supersedes its predecessor from the day
    it starts (004 §2.4.7); the warnings found are stored with the order."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(_("Endast utkast kan skickas."))
    blockers = sending_blockers(order)
    if blockers:
        raise ValidationError(blockers)
    if order.supersedes_id:
        previous = Order.objects.select_for_update().get(pk=order.supersedes_id)
        if previous.status not in (OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED):
            raise ValidationError(_("Beställningen som ska ersättas gäller inte längre."))
        if order.valid_from <= previous.valid_from:
            raise ValidationError(
                {"valid_from": _("Den nya beställningen måste börja efter %(date)s, då den "
                                 "tidigare började gälla.") % {"date": previous.valid_from}}
            )  # fmt: skip
        previous.status = OrderStatus.SUPERSEDED
        previous.valid_to = order.valid_from - datetime.timedelta(days=1)
        previous.save(update_fields=["status", "valid_to"])
    order.quality_warnings = [w.as_dict() for w in quality_warnings(order)]
    order.status, order.sent_at, order.sent_by = OrderStatus.SENT, timezone.now(), by
    transaction.on_commit(lambda: order_notify_provider_task.delay(order.pk))
    try:
        with transaction.atomic():
            order.save(update_fields=["status", "sent_at", "sent_by", "quality_warnings"])
    except IntegrityError:
        raise ValidationError(
            _("Brukaren har redan en beställning hos %(provider)s som gäller under samma tid. "
              "Gör en ändring av den i stället.") % {"provider": order.provider}
        ) from None  # fmt: skip
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
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.SENT).update(
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
    if order.status not in (OrderStatus.SENT, OrderStatus.RECEIVED):
        raise ValidationError(_("Beställningen kan inte verkställas i sitt nuvarande läge."))
    if executed_on < order.valid_from:
        raise ValidationError(
            {"executed_on": _("Verkställighetsdatumet kan inte vara före %(date)s, då "
                              "beställningen börjar gälla.") % {"date": order.valid_from}}
        )  # fmt: skip
    if executed_on > timezone.localdate():
        raise ValidationError({"executed_on": _("Verkställighetsdatumet kan inte vara i "
                                                "framtiden.")})  # fmt: skip
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
    if order.status not in (OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED):
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
            order=change, position=item.position,
            **{key: getattr(item, key) for key in INTERVENTION_FIELDS},
        )  # fmt: skip
        copy.care_package_contents.set(contents)
    return change


@transaction.atomic
def order_end(*, order: Order, by: User, ended_on: datetime.date, reason: str) -> Order:
    """End an order without a successor, e.g. the client moves or declines further help."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in (OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED):
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
    deleted, _count = Order.objects.filter(pk=order.pk, status=OrderStatus.DRAFT).delete()
    if not deleted:
        raise ValidationError(_("Endast utkast kan tas bort."))


# ---------------------------------------------------------------------------------------------
# Change of need


@transaction.atomic
def need_change_report(
    *, order: Order, by: User, direction: str, duration: str, reason: str, description: str
) -> NeedChangeReport:
    """The provider reports changed needs (004 §3.1, §4.2.1, §4.2.4): to the officer's list."""
    if order.status not in (OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED):
        raise ValidationError(_("Förändrade behov rapporteras på en gällande beställning."))
    report = NeedChangeReport(
        order=order, reported_by=by, direction=direction, duration=duration, reason=reason,
        description=description,
    )  # fmt: skip
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def need_change_answer(
    *, report: NeedChangeReport, by: User, answer: str, reason: str = "",
    new_order: Order | None = None,
) -> NeedChangeReport:  # fmt: skip
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
    report.save(update_fields=["answer", "answer_reason", "new_order", "answered_by",
                               "answered_at"])  # fmt: skip
    return report
