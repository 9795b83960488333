"""Complaints (synpunkter och klagomål), 002 "Synpunkter och klagomål": whoever complains about
a client's care gets an answer within the municipality's `complaint_answer_days` (14 days from
the day it was received), and late answers show.

The flow, as a Swedish municipality runs it:

1. **Registered** by the one who received it: an officer of the client's unit (about a provider
   that has or had an order for the client, or about the unit's own handling), or the provider's
   coordinator or the client's contact person (about their own provider). Who raised it (the
   client, a relative, a representative, staff, someone else, and a name if they want), what it
   concerns (a category and the text) and the day it was received. The deadline is fixed then.
2. **Answered** by the organisation it concerns: the provider's coordinator for the provider's
   work, an officer of the client's unit for the unit's handling. The answer records its text,
   how it was given (in writing, by phone, at a meeting) and the day it was given, which the
   deadline is measured on; the day is at most today and not before the complaint came in.
3. **Closed**: a complaint about the unit is closed by its answer. A provider's answer is read
   by an officer of the client's unit, who closes it with what was followed up and the
   registration number (002: it goes into the client's file). Until then it is on her list.

Both sides see the complaint: the unit's officers and managers every complaint of their clients,
the provider its own (its coordinators all of them while it sees the client, a contact person
those of her clients). Late means unanswered after the deadline, or answered after it. The
worklists (uppfoljning.worklists.complaints) show the open ones to whoever answers and the late
and answered ones to the officer who follows up; `complaint_figures` counts them per provider,
unit, category or month in one query for the dashboard and the liaison meetings' pack.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.models import Order
from bestallning.states import ISSUED_STATUSES
from genomforandeplan.models import ContactAssignment
from ramtid.models import Client, OrderingUnit, Provider, User
from ramtid.selectors import provider_sees
from uppfoljning import permissions
from uppfoljning.choices import (
    AnswerMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
)
from uppfoljning.models import Complaint

# The same complaint registered (or answered) again this soon is the same press twice.
DOUBLE_SEND_MINUTES = 10

# ---------------------------------------------------------------------------------------------
# Rules (no database)


def answer_due(received_on: datetime.date, days: int) -> datetime.date:
    """The last day of the answer: `days` calendar days after the complaint was received (002:
    "inom 14 dagar"). Answered on that day is on time; the day after is late."""
    return received_on + datetime.timedelta(days=days)


@dataclass(frozen=True)
class ComplaintState:
    """A complaint's stage and timeliness as the booleans the pages, the API and the lists ask
    about."""

    answered: bool
    closed: bool
    overdue: bool  # unanswered, and the deadline has passed
    answered_late: bool  # answered after the deadline
    days_left: int | None  # an open complaint's days to the deadline (negative: overdue)
    answer_days: int | None  # an answered complaint's days from received to answered

    @property
    def late(self) -> bool:
        return self.overdue or self.answered_late

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue else 0

    @property
    def status(self) -> str:
        return "closed" if self.closed else "answered" if self.answered else "open"

    @classmethod
    def of(cls, complaint: Complaint, today: datetime.date | None = None) -> ComplaintState:
        today = today or timezone.localdate()
        answered = complaint.answered_on is not None
        return cls(
            answered=answered,
            closed=complaint.closed_at is not None,
            overdue=not answered and today > complaint.answer_due,
            answered_late=answered and complaint.answered_on > complaint.answer_due,
            days_left=None if answered else (complaint.answer_due - today).days,
            answer_days=(complaint.answered_on - complaint.received_on).days if answered else None,
        )


# The same, in SQL, for the lists and the figures.
def open_q() -> Q:
    return Q(answered_on__isnull=True)


def overdue_q(today: datetime.date) -> Q:
    return Q(answered_on__isnull=True, answer_due__lt=today)


def answered_late_q() -> Q:
    return Q(answered_on__gt=F("answer_due"))


def late_q(today: datetime.date) -> Q:
    return overdue_q(today) | answered_late_q()


STATUS_Q = {
    "open": Q(answered_on__isnull=True),
    "answered": Q(answered_on__isnull=False, closed_at__isnull=True),
    "closed": Q(closed_at__isnull=False),
}

# ---------------------------------------------------------------------------------------------
# Reading


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """The officers and unit managers see the complaints of their unit's clients (whatever they
    concern: the client's file moves with the client); a provider's coordinators the complaints
    about the provider while it sees the client; a contact person those about her provider of
    the clients she is contact person or deputy for. Others see none."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    visible = Q(pk__in=[])
    units = permissions.complaint_unit_ids(user)
    if units:
        visible |= Q(client__ordering_unit_id__in=units)
    coordinated = permissions.complaint_coordinated_provider_ids(user)
    if coordinated:
        visible |= provider_sees(coordinated, client="client", provider="provider")
    contact_of = permissions.complaint_contact_provider_ids(user)
    if contact_of:
        visible |= Q(Exists(_assigned(user, client=OuterRef("client_id")))) & provider_sees(
            contact_of, client="client", provider="provider"
        )
    return Complaint.objects.filter(visible).select_related(
        "client",
        "client__municipality",
        "ordering_unit",
        "provider",
        "registered_by",
        "answered_by",
        "closed_by",
    )


def _assigned(user: User, *, client, provider=None) -> QuerySet[ContactAssignment]:
    """The user's assignments as contact person or deputy for the client (at the provider)."""
    assigned = ContactAssignment.objects.filter(Q(contact_person=user) | Q(deputy=user)).filter(
        order__client_id=client
    )
    if provider is not None:
        assigned = assigned.filter(order__provider_id=provider)
    else:
        assigned = assigned.filter(order__provider_id=OuterRef("provider_id"))
    return assigned


def complaints_to_answer(user: User) -> QuerySet[Complaint]:
    """The open complaints the user's organisation answers: the coordinator's provider's, the
    officer's unit's own. The earliest deadline first."""
    answering = Q(pk__in=[])
    coordinated = permissions.complaint_coordinated_provider_ids(user)
    if coordinated:
        answering |= Q(provider_id__in=coordinated)
    units = permissions.complaint_officer_unit_ids(user)
    if units:
        answering |= Q(provider__isnull=True, client__ordering_unit_id__in=units)
    return (
        complaints_visible_to(user)
        .filter(answering, open_q())
        .order_by("answer_due", "received_on", "pk")
    )


def complaints_to_follow_up(user: User, today: datetime.date | None = None) -> QuerySet[Complaint]:
    """The officer's follow-up of the providers' complaints of her unit's clients: those past
    their deadline without an answer (to chase), then those answered and not closed (to read
    and close), the most urgent first."""
    today = today or timezone.localdate()
    units = permissions.complaint_officer_unit_ids(user)
    return (
        complaints_visible_to(user)
        .filter(client__ordering_unit_id__in=units, provider__isnull=False, closed_at__isnull=True)
        .filter(overdue_q(today) | Q(answered_on__isnull=False))
        .annotate(
            follow_up_order=Case(
                When(answered_on__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("follow_up_order", "answer_due", "pk")
    )


@dataclass(frozen=True)
class Targets:
    """What the user may register a complaint about for a client: the client's unit (its own
    handling) and the providers."""

    unit: OrderingUnit | None
    providers: list[Provider]

    def __bool__(self) -> bool:
        return self.unit is not None or bool(self.providers)


def complaint_targets(user: User, client: Client) -> Targets:
    """An officer of the client's unit registers complaints about the unit and about any
    provider that has or had an order for the client; a coordinator about her provider while it
    sees the client; a contact person about her provider for the clients she is contact person
    or deputy for. `client` is one the user can see (fetched through clients_visible_to)."""
    if client.ordering_unit_id in permissions.complaint_officer_unit_ids(user):
        providers = Provider.objects.filter(
            Exists(
                Order.objects.filter(
                    client=client, provider=OuterRef("pk"), status__in=ISSUED_STATUSES
                )
            )
        ).order_by("name", "pk")
        return Targets(client.ordering_unit, list(providers))
    coordinated = permissions.complaint_coordinated_provider_ids(user)
    contact_of = permissions.complaint_contact_provider_ids(user)
    allowed = set()
    # One query per provider of the user's (a person works for one or two).
    for provider_id in sorted(coordinated | contact_of):
        seen = Client.objects.filter(pk=client.pk).filter(provider_sees([provider_id]))
        if provider_id in contact_of:
            seen = seen.filter(Exists(_assigned(user, client=client.pk, provider=provider_id)))
        if seen.exists():
            allowed.add(provider_id)
    if not allowed:
        return Targets(None, [])
    return Targets(None, list(Provider.objects.filter(pk__in=allowed).order_by("name", "pk")))


# ---------------------------------------------------------------------------------------------
# Figures for the dashboard and the liaison meetings (in SQL, one query)


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of a number, null for no rows."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _DaysBetween(Func):
    """later - earlier for two dates, in whole days (PostgreSQL's date arithmetic)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


GROUPS = {
    "provider": ("provider", "provider__name"),
    "ordering_unit": ("ordering_unit", "ordering_unit__name"),
    "about": ("about",),
    "category": ("category",),
    "month": ("month",),
}


@dataclass(frozen=True)
class ComplaintFigures:
    """One group's complaints received in a period. `key` holds the group's values
    ({"provider": 3, "provider__name": "Lindgårdens Omsorg AB"}, {"month": date(2026, 10, 1)},
    {} for the total)."""

    key: dict
    received: int
    answered: int
    answered_on_time: int
    answered_late: int
    open: int
    overdue: int
    median_answer_days: float | None

    @property
    def late(self) -> int:
        """Late answers: answered after the deadline, or still unanswered after it."""
        return self.answered_late + self.overdue


def complaint_figures(
    complaints: QuerySet[Complaint],
    *,
    start: datetime.date,
    end: datetime.date,
    group_by: Sequence[str] = (),
    today: datetime.date | None = None,
) -> list[ComplaintFigures]:
    """The complaints of `complaints` (a selector's, already scoped to the user) received from
    `start` to `end` inclusive, counted per group (GROUPS: provider, ordering_unit, about,
    category, month; none: one row for the total), in one query whatever their number: how many
    came in, were answered, on time and late, are open and overdue, and the median days from
    received to answered. A group without complaints has no row."""
    today = today or timezone.localdate()
    fields = [name for group in group_by for name in GROUPS[group]]
    queryset = complaints.filter(received_on__gte=start, received_on__lte=end)
    if "month" in group_by:
        queryset = queryset.annotate(month=TruncMonth("received_on"))
    aggregates = {
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(answered_on__isnull=False)),
        "answered_on_time": Count("pk", filter=Q(answered_on__lte=F("answer_due"))),
        "answered_late": Count("pk", filter=answered_late_q()),
        "open": Count("pk", filter=open_q()),
        "overdue": Count("pk", filter=overdue_q(today)),
        "median_answer_days": Median(
            _DaysBetween(F("answered_on"), F("received_on")),
            filter=Q(answered_on__isnull=False),
        ),
    }
    if fields:
        rows = list(queryset.order_by().values(*fields).annotate(**aggregates).order_by(*fields))
    else:
        rows = [queryset.order_by().aggregate(**aggregates)]
    figures = ("received", "answered", "answered_on_time", "answered_late", "open", "overdue")
    return [
        ComplaintFigures(
            key={name: row[name] for name in fields},
            median_answer_days=row["median_answer_days"],
            **{name: row[name] for name in figures},
        )
        for row in rows
        if row["received"]
    ]


# ---------------------------------------------------------------------------------------------
# Writing


def _not_blank(value: str | None) -> str:
    return str(value or "").strip()


def _date_errors(
    value, *, field: str, today: datetime.date, not_before=None, before_text: str = ""
) -> dict[str, str]:
    if not isinstance(value, datetime.date):
        return {field: _("Ange datumet som ÅÅÅÅ-MM-DD.")}
    if value > today:
        return {field: _("Datumet kan inte vara senare än i dag.")}
    if not_before is not None and value < not_before:
        return {field: before_text}
    return {}


@transaction.atomic
def register_complaint(
    *,
    client: Client,
    by: User,
    about: str,
    provider: Provider | None = None,
    received_on: datetime.date,
    raised_by: str,
    raised_by_name: str = "",
    category: str,
    description: str,
    registration_number: str = "",
) -> Complaint:
    """Register a complaint about the client's care (step 1 of the flow above). `about` says
    whose work it concerns: a provider (named) that has or had an order for the client, or the
    client's unit. Every error is named by field at once; nothing is saved unless all is well.

    The same complaint registered twice (a double press, a resent request) is one complaint:
    the client is locked and an identical complaint registered by the same person in the last
    DOUBLE_SEND_MINUTES is returned instead of a second row (as bestallning's change of need)."""
    client = (
        Client.objects.select_related("municipality", "ordering_unit")
        .select_for_update(of=("self",))
        .get(pk=client.pk)
    )
    today = timezone.localdate()
    description = _not_blank(description)
    errors: dict[str, str] = {}
    if about == ComplaintAbout.PROVIDER:
        if provider is None:
            errors["provider"] = _("Välj vilken utförare klagomålet gäller.")
        elif not Order.objects.filter(
            client=client, provider=provider, status__in=ISSUED_STATUSES
        ).exists():
            errors["provider"] = _("Utföraren har ingen beställning för brukaren.")
    elif about == ComplaintAbout.ORDERING_UNIT:
        provider = None
    else:
        errors["about"] = _("Välj vad klagomålet gäller: utförarens insatser eller handläggningen.")
    errors |= _date_errors(received_on, field="received_on", today=today)
    if raised_by not in ComplainantKind.values:
        errors["raised_by"] = _("Välj vem som har lämnat klagomålet.")
    if category not in ComplaintCategory.values:
        errors["category"] = _("Välj en kategori.")
    if not description:
        errors["description"] = _("Skriv vad klagomålet gäller.")
    if errors:
        raise ValidationError(errors)
    fields = {
        "about": about,
        "provider": provider,
        "received_on": received_on,
        "raised_by": raised_by,
        "raised_by_name": _not_blank(raised_by_name),
        "category": category,
        "description": description,
        "registration_number": _not_blank(registration_number),
    }
    same = Complaint.objects.filter(
        client=client,
        registered_by=by,
        registered_at__gte=timezone.now() - datetime.timedelta(minutes=DOUBLE_SEND_MINUTES),
        **fields,
    ).first()
    if same is not None:
        return same
    complaint = Complaint(
        client=client,
        ordering_unit=client.ordering_unit,
        answer_due=answer_due(received_on, client.municipality.complaint_answer_days),
        registered_by=by,
        **fields,
    )
    complaint.full_clean()
    complaint.save()
    return complaint


def _already(complaint: Complaint, what: str, day, who) -> ValidationError:
    return ValidationError(
        _("Klagomålet är redan %(what)s %(date)s av %(who)s.")
        % {"what": what, "date": f"{day:%Y-%m-%d}", "who": who}
    )


@transaction.atomic
def answer_complaint(
    *,
    complaint: Complaint,
    by: User,
    answer_text: str,
    answer_method: str,
    answered_on: datetime.date | None = None,
) -> Complaint:
    """The organisation the complaint concerns records its answer (step 2): the text, how it was
    given and the day (today unless given; not before the complaint came in). A complaint about
    the unit's own handling is closed by its answer.

    Who may answer is the caller's check (permissions.can_answer_complaint). The same answer
    sent twice by the same person is one answer; any other answer to an answered complaint is
    refused, naming who answered."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    answer_text = _not_blank(answer_text)
    if complaint.answered_at is not None:
        if complaint.answered_by_id == by.pk and complaint.answer_text == answer_text:
            return complaint
        raise _already(complaint, _("besvarat"), complaint.answered_on, complaint.answered_by)
    today = timezone.localdate()
    answered_on = answered_on or today
    errors: dict[str, str] = {}
    if not answer_text:
        errors["answer_text"] = _("Skriv svaret som lämnades.")
    if answer_method not in AnswerMethod.values:
        errors["answer_method"] = _("Välj hur svaret lämnades.")
    errors |= _date_errors(
        answered_on,
        field="answered_on",
        today=today,
        not_before=complaint.received_on,
        before_text=_("Svaret kan inte ha lämnats före %(date)s, då klagomålet togs emot.")
        % {"date": f"{complaint.received_on:%Y-%m-%d}"},
    )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    complaint.answer_text, complaint.answer_method = answer_text, answer_method
    complaint.answered_on, complaint.answered_at, complaint.answered_by = answered_on, now, by
    fields = ["answer_text", "answer_method", "answered_on", "answered_at", "answered_by"]
    if complaint.provider_id is None:
        complaint.closed_at, complaint.closed_by = now, by
        fields += ["closed_at", "closed_by"]
    complaint.save(update_fields=fields)
    return complaint


@transaction.atomic
def close_complaint(
    *,
    complaint: Complaint,
    by: User,
    closing_note: str = "",
    registration_number: str | None = None,
) -> Complaint:
    """The officer closes a provider's answered complaint (step 3), with what she followed up
    and, when it has one, the case's registration number (diarienummer). Closed twice by the
    same person is closed once."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.closed_at is not None:
        if complaint.closed_by_id == by.pk:
            return complaint
        raise _already(
            complaint, _("avslutat"), timezone.localtime(complaint.closed_at), complaint.closed_by
        )
    if complaint.answered_at is None:
        raise ValidationError(_("Klagomålet kan avslutas först när utföraren har besvarat det."))
    complaint.closing_note = _not_blank(closing_note)
    if registration_number is not None:
        complaint.registration_number = _not_blank(registration_number)
    complaint.closed_at, complaint.closed_by = timezone.now(), by
    complaint.save(update_fields=["closing_note", "registration_number", "closed_at", "closed_by"])
    return complaint
