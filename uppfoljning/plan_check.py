"""The daily plan check (004 §3.2.3, §3.2.4, §4.1.1, §4.2.2): notices for the provider's
coordinator and the client's officer when an executed order in force has no contact person
within the municipality's days, when its plan is not ready by its due day, or when the
provider's follow-up of the plan has fallen due.

The deadlines are the ones genomforandeplan.selectors already computes in SQL (plan_due,
missing_plans, with_follow_up_due, the contact person's days as the worklist counts them): the
check turns each into an INSERT … SELECT … ON CONFLICT (key) DO NOTHING, so it is set-based
whatever the number of orders, and a stable key per order and kind (per plan and due day for a
follow-up) makes a second run, or a run every day, create nothing new. A notice closes itself
(closed_at) when what it asks for is done: the contact person named, the plan ready, the
follow-up recorded, or the order no longer in force.

New notices are e-mailed once, after commit, through Celery: one e-mail per recipient per run
saying how many notices of each kind are new, with a link to the list and no personal data.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import (
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bestallning.models import Order
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import selectors as plan_selectors
from genomforandeplan.models import ContactAssignment, ImplementationPlan
from ramtid import permissions
from ramtid.choices import Role
from ramtid.models import Client, Membership, User
from ramtid.selectors import provider_sees
from uppfoljning.choices import NoticeKind
from uppfoljning.models import Notice

# One plan check at a time (two beats, or the command while beat runs): pg_advisory_xact_lock.
_LOCK_ID = 0x52414D54_0009  # "RAMT", issue 9


# ---------------------------------------------------------------------------------------------
# What is due: one queryset per kind, the candidates, each row annotated with the notice it
# would make (notice_key, notice_due, notice_plan). A candidate whose due day has passed gets a
# notice; an open notice whose key is no longer among the candidates is closed.


def orders_in_force(today: datetime.date) -> QuerySet[Order]:
    """Executed orders in force on `today`: help has started (the plans' worklists' rule: an
    active order with an executed day) and the order's last day, if any, is not past."""
    return Order.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        status__in=ACTIVE_STATUSES,
        executed_on__isnull=False,
    )


def _key(kind: NoticeKind, *parts) -> Concat:
    return Concat(Value(f"{kind.value}:"), *parts, output_field=CharField())


def _text(expression) -> Cast:
    return Cast(expression, CharField())


class _IsoDate(Func):
    """A date as YYYY-MM-DD whatever the session's DateStyle."""

    function = "to_char"
    template = "%(function)s(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()


def contact_person_due():
    """When a contact person must have been named (004 §3.2.3): the one rule, in SQL."""
    return plan_selectors.contact_person_due_expression()


def _plan_of_order() -> Subquery:
    """The client's plan at the order's provider, if one has been started."""
    return Subquery(
        ImplementationPlan.objects.filter(client=OuterRef("client"), provider=OuterRef("provider"))
        .order_by("-pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def contact_person_candidates(today: datetime.date) -> QuerySet[Order]:
    """Orders in force without a contact person (late or not yet)."""
    return (
        orders_in_force(today)
        .exclude(Exists(ContactAssignment.objects.filter(order=OuterRef("pk"))))
        .annotate(
            notice_key=_key(NoticeKind.CONTACT_PERSON_MISSING, _text("pk")),
            notice_due=contact_person_due(),
            notice_plan=Cast(Value(None), IntegerField()),
        )
    )


def plan_late_candidates(today: datetime.date) -> QuerySet[Order]:
    """Orders in force no plan has ever been ready for (late or not yet): the orders of
    genomforandeplan.selectors.missing_plans before its due-day filter."""
    return (
        orders_in_force(today)
        .exclude(plan_selectors.plan_ever_ready())
        .annotate(
            notice_key=_key(NoticeKind.PLAN_LATE, _text("pk")),
            notice_due=plan_selectors.plan_due(),
            notice_plan=_plan_of_order(),
        )
    )


def follow_up_candidates(today: datetime.date) -> QuerySet[ImplementationPlan]:
    """Plans of a client with an order in force at the plan's provider, with their next
    follow-up (every N months from the last follow-up or the first approval, 004 §4.2.2). The
    key holds the due day, so each period has its own notice and recording the follow-up, which
    moves the due day, closes it."""
    in_force = orders_in_force(today).filter(
        client=OuterRef("client"), provider=OuterRef("provider")
    )
    plans = ImplementationPlan.objects.annotate(
        notice_order=Subquery(
            in_force.order_by("-valid_from", "-pk").values("pk")[:1],
            output_field=IntegerField(),
        )
    ).filter(notice_order__isnull=False)
    return (
        plan_selectors.with_follow_up_due(plans)
        .filter(follow_up_due__isnull=False)
        .annotate(
            notice_key=_key(
                NoticeKind.PLAN_FOLLOW_UP_DUE, _text("pk"), Value(":"), _IsoDate("follow_up_due")
            ),
            notice_due=F("follow_up_due"),
            notice_plan=F("pk"),
        )
    )


@dataclass(frozen=True)
class _Kind:
    kind: NoticeKind
    # (today) -> the candidates, annotated with notice_key, notice_due and notice_plan
    candidates: Callable[[datetime.date], QuerySet]
    order: str  # the candidate's order id, as a field path
    late_on_due_day: bool  # False: the notice comes the day after the due day

    def rows(self, today: datetime.date) -> QuerySet:
        return (
            self.candidates(today)
            .values(
                "notice_key",
                "notice_due",
                "notice_plan",
                notice_order=F(self.order),
                notice_client=F("client_id"),
                notice_provider=F("provider_id"),
                notice_unit=F("client__ordering_unit_id"),
            )
            .order_by()
        )


KINDS = (
    # Not named within the days: the day after the last day (the worklist's "late").
    _Kind(NoticeKind.CONTACT_PERSON_MISSING, contact_person_candidates, "pk", False),
    # Not ready by the due day: the day after it (selectors.missing_plans' plan_due < today).
    _Kind(NoticeKind.PLAN_LATE, plan_late_candidates, "pk", False),
    # The follow-up is due on its day: the notice comes that morning.
    _Kind(NoticeKind.PLAN_FOLLOW_UP_DUE, follow_up_candidates, "notice_order", True),
)


# ---------------------------------------------------------------------------------------------
# The check


@dataclass
class PlanCheckSummary:
    today: datetime.date
    created: dict[str, int] = field(default_factory=dict)  # kind: new notices
    closed: dict[str, int] = field(default_factory=dict)  # kind: notices closed
    new_ids: list[int] = field(default_factory=list)

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    @property
    def closed_total(self) -> int:
        return sum(self.closed.values())


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


@transaction.atomic
def run_plan_check(*, today: datetime.date | None = None) -> PlanCheckSummary:
    """Open the notices that have fallen due and close those that are done, set-based: per
    kind one INSERT … SELECT … ON CONFLICT (key) DO NOTHING and one UPDATE. The new notices are
    e-mailed after commit (one task for the run, see `mail_notice`)."""
    today = today or timezone.localdate()
    summary = PlanCheckSummary(today=today)
    table = Notice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        for item in KINDS:
            # Closing: NOT IN over the candidates' keys (never null) is one hashed subplan,
            # the candidates read once whatever the planner guesses of the open notices; a
            # NOT EXISTS may become a nested loop that reads them again per notice.
            candidates, params = _sql(item.rows(today))
            cursor.execute(
                f"""
                UPDATE {table} AS n SET closed_at = now()
                WHERE n.kind = %s AND n.closed_at IS NULL
                  AND n.key NOT IN (SELECT c.notice_key FROM ({candidates}) AS c)
                """,  # noqa: S608 - the table and the candidates' SQL are ours, values are params
                (item.kind.value, *params),
            )
            summary.closed[item.kind.value] = cursor.rowcount
            due = "c.notice_due <= %s" if item.late_on_due_day else "c.notice_due < %s"
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (key, kind, order_id, plan_id, client_id, provider_id, ordering_unit_id,
                     due_on, created_at)
                SELECT c.notice_key, %s, c.notice_order, c.notice_plan, c.notice_client,
                       c.notice_provider, c.notice_unit, c.notice_due, now()
                FROM ({candidates}) AS c
                WHERE {due}
                ORDER BY c.notice_due, c.notice_order
                ON CONFLICT (key) DO NOTHING
                RETURNING id
                """,  # noqa: S608
                (item.kind.value, *params, today),
            )
            ids = [row[0] for row in cursor.fetchall()]
            summary.created[item.kind.value] = len(ids)
            summary.new_ids.extend(ids)
        # A client moved to another unit: its open notices follow it (who sees them).
        cursor.execute(
            f"""
            UPDATE {table} AS n SET ordering_unit_id = c.ordering_unit_id
            FROM {Client._meta.db_table} AS c
            WHERE c.id = n.client_id AND n.closed_at IS NULL
              AND n.ordering_unit_id <> c.ordering_unit_id
            """  # noqa: S608
        )
    if summary.new_ids:
        first = min(summary.new_ids)
        transaction.on_commit(lambda: _enqueue_mail(first))
    return summary


def _enqueue_mail(notice_id: int) -> None:
    from uppfoljning.tasks import notice_mail_task

    notice_mail_task.delay(notice_id)


# ---------------------------------------------------------------------------------------------
# E-mail


@dataclass(frozen=True)
class NoticeMail:
    email: str
    counts: dict[str, int]  # kind: number of new notices for this recipient


def _claim_and_count() -> list[NoticeMail]:
    """Claim every open notice not yet e-mailed (mailed_at, as order_notify_provider claims its
    order) and count them per recipient and kind: the provider's active coordinators and the
    client's responsible officer, each notice once per person."""
    notice = Notice._meta.db_table
    membership, user, client = (
        Membership._meta.db_table,
        User._meta.db_table,
        Client._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH claimed AS (
                UPDATE {notice} SET mailed_at = now()
                WHERE mailed_at IS NULL AND closed_at IS NULL
                RETURNING id, kind, provider_id, client_id
            ), recipients AS (
                SELECT c.id, c.kind, u.email
                FROM claimed c
                JOIN {membership} m ON m.provider_id = c.provider_id AND m.role = %s
                JOIN {user} u ON u.id = m.user_id
                WHERE u.is_active AND u.email <> ''
                UNION
                SELECT c.id, c.kind, u.email
                FROM claimed c
                JOIN {client} cl ON cl.id = c.client_id
                JOIN {user} u ON u.id = cl.responsible_officer_id
                WHERE u.is_active AND u.email <> ''
            )
            SELECT email, kind, count(*) FROM recipients GROUP BY email, kind ORDER BY email, kind
            """,  # noqa: S608
            [Role.PROVIDER_COORDINATOR.value],
        )
        rows = cursor.fetchall()
    mails: dict[str, dict[str, int]] = {}
    for email, kind, count in rows:
        mails.setdefault(email, {})[kind] = count
    return [NoticeMail(email, counts) for email, counts in mails.items()]


def notice_list_url() -> str:
    """The notices' page as an absolute address for an e-mail: settings.RAMTID_SITE_URL, or the
    first host name the site serves (https unless DJANGO_HTTPS=0)."""
    path = reverse("notice_list")
    site = getattr(settings, "RAMTID_SITE_URL", "")
    if not site:
        hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
        if not hosts:
            return path
        site = f"{'https' if getattr(settings, 'HTTPS', True) else 'http'}://{hosts[0]}"
    return site.rstrip("/") + path


def _message(counts: dict[str, int], url: str) -> tuple[str, str]:
    total = sum(counts.values())
    lines = [
        ngettext(
            "Den dagliga kontrollen av genomförandeplaner har hittat %(n)d ny påminnelse:",
            "Den dagliga kontrollen av genomförandeplaner har hittat %(n)d nya påminnelser:",
            total,
        )
        % {"n": total},
        "",
    ]
    for kind in NoticeKind:
        if counts.get(kind.value):
            lines.append(f"- {kind.label}: {counts[kind.value]}")
    lines += [
        "",
        _("Logga in i Ramtid och öppna Påminnelser för att se vilka brukare de gäller:"),
        url,
        "",
        _("Av sekretesskäl står inga uppgifter om brukarna i detta e-postmeddelande."),
    ]
    subject = ngettext("%(n)d ny påminnelse i Ramtid", "%(n)d nya påminnelser i Ramtid", total) % {
        "n": total
    }
    return subject, "\n".join(lines)


@transaction.atomic
def mail_notice(*, notice_id: int) -> int:
    """E-mail the notice, once, with every other open notice not yet e-mailed: one e-mail per
    recipient (the provider's coordinators, the client's responsible officer) counting the new
    notices of each kind, with a link to the list and no personal data (no name, no personal
    number). The claim (mailed_at) and the sending are one transaction: a failed send leaves
    the notices to be claimed again by the retry; a second call finds nothing to claim.
    Returns the number of e-mails sent."""
    del notice_id  # the run's notices are mailed together; any of them starts it
    mails = _claim_and_count()
    if not mails:
        return 0
    url = notice_list_url()
    messages = []
    for item in mails:
        subject, body = _message(item.counts, url)
        messages.append(mail.EmailMessage(subject=subject, body=body, to=[item.email]))
    with mail.get_connection() as smtp:
        smtp.send_messages(messages)
    return len(messages)


# ---------------------------------------------------------------------------------------------
# Reads, scoped to the user


def notices_visible_to(user: User) -> QuerySet[Notice]:
    """The provider's coordinators see its notices; a contact person those of the orders they
    are the contact person or deputy for (the clients they write plans with; a notice about a
    missing contact person is the coordinator's); the officers of a unit its clients' notices.
    Others (managers, fee officers, administrators) see none."""
    visible = Q(pk__in=[])
    coordinated = permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR})
    if coordinated:
        visible |= provider_sees(coordinated, client="client", provider="provider")
    contact_of = permissions.provider_ids(user, {Role.CONTACT_PERSON}) - coordinated
    if contact_of:
        assigned = ContactAssignment.objects.filter(order=OuterRef("order_id")).filter(
            Q(contact_person=user) | Q(deputy=user)
        )
        visible |= Q(Exists(assigned)) & provider_sees(
            contact_of, client="client", provider="provider"
        )
    units = permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
    if units:
        visible |= Q(ordering_unit_id__in=units)
    return Notice.objects.filter(visible)


def has_notices(user: User) -> bool:
    """Whether the user is one who gets notices (the menu item and the start page's section)."""
    return bool(
        permissions.provider_ids(user) or permissions.ordering_unit_ids(user, {Role.CASE_OFFICER})
    )


def open_notices_visible_to(user: User) -> QuerySet[Notice]:
    return notices_visible_to(user).filter(closed_at__isnull=True)


def open_notice_count(user: User) -> int:
    """The number in the menu: one COUNT on the partial indexes of open notices."""
    return open_notices_visible_to(user).count()
