"""Log review (loggkontroll, issue 10): who read or changed which clients' data, searched, flagged
and sampled, for the people whose task is to follow it up. Reads (the selectors) and the two
writes (the services: draw a sample, record the conclusion) of the one feature, as
uppfoljning/reviews.py keeps its feature together.

Who reviews what:
- a unit manager the log of her units' clients (permissions.log_review_unit_ids);
- the municipality's security officer (Role.SECURITY_OFFICER, "Loggkontrollant") the log of the
  whole municipality's clients, and she draws and concludes the monthly samples
  (AccessLogReview). The role sees the log only: the clients' names and ids, never their cases
  (it is in no selector of case data, so every client, plan or order page is a 404 to her).

A row is one AccessLog entry, one request. An entry may name clients the reviewer does not
review (a provider's list spans units): only hers are named and counted.

Flags, computed in SQL for the rows shown only (a page, a sample, a chunk of an export):
- "outside the reader's work" (utanför uppdraget): the client is not in the reader's caseload
  today (`caseload`): an officer is not the client's responsible officer in her unit; a
  provider's staff no longer see the client through an order (ramtid.selectors.provider_sees,
  the grace period included); a contact person is not the client's named contact person or
  deputy; a reader with no role that reaches the client at all (an administrator, a role since
  revoked). Today's roles, not those of the day of the read: what the review asks is whether
  the read is explained by what the person works with.
- protected identity: every access to a client with protected identity (skyddade
  personuppgifter), the responsible officer's included.

Counting is bounded: a search counts at most RESULT_LIMIT entries (a reviewer narrows a larger
result), and a page reads its 50 ids first, then flags those. The queries of a page do not grow
with its rows. Writes (pghistory's events) are shown for one client at a time: every event of a
record that names the client (pghistory.models.Events.references).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.db.models.lookups import Contains, Exact
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pghistory.models import Events

from ramtid import permissions, selectors
from ramtid.choices import Role
from ramtid.models import AccessLog, AccessLogReview, Client, Membership, Municipality, User

PAGE_SIZE = 50
# A search counts and pages through at most this many entries; beyond it the reviewer narrows
# the search (a period, a user, a client). The export stops at the same number.
RESULT_LIMIT = 10_000
# The clients an entry names are listed up to this many (the flagged ones first), then counted.
NAMED_CLIENTS = 10
LOOKUP_LIMIT = 20
SAMPLE_SIZE_DEFAULT = 20
SAMPLE_SIZE_MAX = 100
# A period whose log spans at most this many ids is sampled exactly (ORDER BY random() over its
# rows); a longer one by drawing random ids in its id range (see sample_entry_ids).
EXACT_SAMPLE_IDS = 100_000
PROBE_ROUNDS = 12


# ---------------------------------------------------------------------------------------------
# Scope: whose log the reviewer reads


def review_scope(user: User) -> Q | None:
    """The clients whose log the user reviews, as a condition on Client; None for nobody."""
    parts = []
    if unit_ids := permissions.log_review_unit_ids(user):
        parts.append(Q(ordering_unit_id__in=sorted(unit_ids)))
    if municipality_ids := permissions.log_review_municipality_ids(user):
        parts.append(Q(municipality_id__in=sorted(municipality_ids)))
    return reduce(or_, parts) if parts else None


def require_reviewer(user: User) -> Q:
    """The user's scope; a 404 for anyone who reviews no log (the page does not exist for them)."""
    scope = review_scope(user)
    if scope is None:
        raise Http404
    return scope


def log_clients_visible_to(user: User) -> QuerySet[Client]:
    """The clients the reviewer may search the log for: names and ids, nothing of the case."""
    scope = review_scope(user)
    if scope is None:
        return Client.objects.none()
    return Client.objects.filter(scope).only(
        "id", "first_name", "last_name", "protected_identity", "municipality_id"
    )


def _reviewer_municipality_ids(user: User) -> set[int]:
    return permissions.municipality_ids(user, {Role.UNIT_MANAGER, Role.SECURITY_OFFICER})


class NamedBy(Func):
    """`client.id = ANY(<an entry's client_ids>)`: the client is one the entry names. Each id is
    a probe of the client's primary key."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def _named_clients(scope: Q) -> QuerySet[Client]:
    """The reviewer's clients named by the outer AccessLog entry."""
    return Client.objects.filter(NamedBy(F("pk"), OuterRef("client_ids"))).filter(scope)


def log_reader(*, user: User, pk) -> User:
    """A user the reviewer may search the log by: someone with a role in her municipality, or
    who read one of her clients (a former employee too). Anyone else is a 404."""
    scope = require_reviewer(user)
    known = Q(
        Exists(
            Membership.objects.filter(
                user_id=OuterRef("pk"), municipality_id__in=_reviewer_municipality_ids(user)
            )
        )
    ) | Q(Exists(AccessLog.objects.filter(Exists(_named_clients(scope)), user_id=OuterRef("pk"))))
    try:
        return User.objects.filter(known).get(pk=int(pk))
    except (User.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def log_client(*, user: User, pk) -> Client:
    try:
        return log_clients_visible_to(user).get(pk=int(pk))
    except (Client.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def client_lookup(*, user: User, text: str) -> list[Client]:
    """Clients whose name or personal number matches, as the client list searches (the text
    comes from a POST body: a personal number never goes into a URL)."""
    if not text.strip():
        return []
    return list(selectors.clients_matching(log_clients_visible_to(user), text)[:LOOKUP_LIMIT])


def user_lookup(*, user: User, text: str) -> list[User]:
    """Users with a role in the reviewer's municipalities whose name or username contains every
    word of the text, case and accents aside."""
    words = [word for word in re.split(r"[\s,]+", text.strip()) if word]
    if not words:
        return []
    users = User.objects.filter(
        Exists(
            Membership.objects.filter(
                user_id=OuterRef("pk"), municipality_id__in=_reviewer_municipality_ids(user)
            )
        )
    )
    for word in words:
        folded = selectors.Fold(Value(word))
        users = users.filter(
            Contains(selectors.Fold("first_name"), folded)
            | Contains(selectors.Fold("last_name"), folded)
            | Contains(selectors.Fold("username"), folded)
        )
    return list(users.order_by("last_name", "first_name", "username")[:LOOKUP_LIMIT])


# ---------------------------------------------------------------------------------------------
# Caseload: whom a reader works with today


def caseload(reader: User) -> Q | None:
    """The clients in the reader's work today, as a condition on Client (None: nobody). Built
    from the reader's approved roles (permissions.memberships; prefetch_memberships reads many
    readers' at once):
    - case officer: her clients in her units (she is the responsible officer);
    - unit manager: the clients of her units;
    - provider coordinator: the clients her provider sees (ramtid.selectors.provider_sees: an
      order in force, about to start or ended within the grace period);
    - contact person: of those, the clients she is the named contact person or deputy for at
      her provider (the newest assignment, as genomforandeplan.selectors.with_named_contact);
    - fee officer and security officer: the municipality's clients (their work is municipal);
    - administrator: nobody (configuration, not cases).
    """
    parts = []
    if officer_units := permissions.ordering_unit_ids(reader, {Role.CASE_OFFICER}):
        parts.append(
            Q(ordering_unit_id__in=sorted(officer_units), responsible_officer_id=reader.pk)
        )
    if manager_units := permissions.ordering_unit_ids(reader, {Role.UNIT_MANAGER}):
        parts.append(Q(ordering_unit_id__in=sorted(manager_units)))
    coordinated = permissions.provider_ids(reader, {Role.PROVIDER_COORDINATOR})
    if coordinated:
        parts.append(selectors.provider_sees(coordinated))
    for provider_id in sorted(
        permissions.provider_ids(reader, {Role.CONTACT_PERSON}) - coordinated
    ):
        parts.append(selectors.provider_sees([provider_id]) & _named_contact(reader, provider_id))
    municipal = permissions.municipality_ids(reader, {Role.FEE_OFFICER, Role.SECURITY_OFFICER})
    if municipal:
        parts.append(Q(municipality_id__in=sorted(municipal)))
    return reduce(or_, parts) if parts else None


def _named_contact(reader: User, provider_id: int) -> Q:
    """The reader is the contact person or deputy on the newest of the client's orders at the
    provider that has a contact assignment. The orders and their assignments are named by their
    relations, so that the core does not import the apps."""
    orders = Client._meta.get_field("orders").related_model._default_manager
    newest = orders.filter(
        client_id=OuterRef("pk"), provider_id=provider_id, contact_assignment__isnull=False
    ).order_by("-valid_from", "-pk")
    return Q(
        Exact(Subquery(newest.values("contact_assignment__contact_person_id")[:1]), reader.pk)
    ) | Q(Exact(Subquery(newest.values("contact_assignment__deputy_id")[:1]), reader.pk))


def _in_readers_caseload(readers: Iterable[User], reader_ref: str = "user_id") -> Case:
    """True when the client (of a subquery) is in the caseload of the outer row's reader: one
    branch per reader of the rows at hand (at most a page's), so the readers' own selectors are
    reused as they are."""
    whens = []
    for reader in readers:
        condition = caseload(reader)
        if condition is not None:
            whens.append(
                When(Q(Exact(OuterRef(reader_ref), reader.pk)) & condition, then=Value(True))
            )
    return Case(*whens, default=Value(False), output_field=BooleanField())


# ---------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class LogQuery:
    """What the reviewer searches for: a period (dates, both included), optionally one client,
    one user and one kind of access."""

    start: datetime.date
    end: datetime.date
    client: Client | None = None
    reader: User | None = None
    action: str = ""


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=29), today


def period_bounds(start: datetime.date, end: datetime.date) -> tuple:
    """The period's first and (excluded) last instant, local time: a range on the indexed
    `at`, not a date computed per row."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    return first, after


def log_entries(*, user: User, query: LogQuery) -> QuerySet[AccessLog]:
    """The entries naming the reviewer's clients that match the search, newest first. A chosen
    client must be one of hers (log_client): then every entry naming it is hers, found by the
    GIN index on client_ids."""
    scope = require_reviewer(user)
    first, after = period_bounds(query.start, query.end)
    entries = AccessLog.objects.filter(at__gte=first, at__lt=after)
    if query.client is not None:
        entries = entries.filter(client_ids__contains=[query.client.pk])
    else:
        entries = entries.filter(Exists(_named_clients(scope)))
    if query.reader is not None:
        entries = entries.filter(user_id=query.reader.pk)
    if query.action:
        entries = entries.filter(action=query.action)
    return entries.order_by("-at", "-id")


class EntryIds:
    """A search's entry ids for a Paginator: counted up to RESULT_LIMIT (`capped` tells whether
    there were more), each page's ids read alone; log_rows then reads and flags them."""

    def __init__(self, entries: QuerySet[AccessLog]):
        self.entries = entries
        self.capped = False

    def count(self) -> int:
        counted = self.entries[: RESULT_LIMIT + 1].count()
        self.capped = counted > RESULT_LIMIT
        return min(counted, RESULT_LIMIT)

    def __getitem__(self, window: slice) -> list[int]:
        return list(self.entries.values_list("pk", flat=True)[window])


@dataclass(frozen=True)
class NamedClient:
    id: int
    name: str
    protected: bool
    outside: bool

    @property
    def flagged(self) -> bool:
        return self.protected or self.outside


@dataclass
class LogRow:
    """An entry as the reviewer reads it: the entry (its user attached), how many clients it
    showed in all, how many of hers, of those how many outside the reader's work and how many
    with protected identity, and hers by name (the flagged first, at most NAMED_CLIENTS)."""

    entry: AccessLog
    shown: int
    in_scope: int
    outside: int
    protected: int
    clients: list[NamedClient] = field(default_factory=list)

    @property
    def unnamed(self) -> int:
        return self.in_scope - len(self.clients)

    @property
    def flagged(self) -> bool:
        return bool(self.outside or self.protected)


class _FlagCounts(Func):
    """Over the named clients (a subquery): how many, how many outside the reader's work, how
    many with protected identity, as one jsonb, so that each client is probed once."""

    output_field = JSONField()

    def as_sql(self, compiler, connection, **extra):
        inside, inside_params = compiler.compile(self.source_expressions[0])
        protected, protected_params = compiler.compile(self.source_expressions[1])
        sql = (
            "jsonb_build_object('total', count(*), "
            f"'outside', count(*) FILTER (WHERE NOT ({inside})), "
            f"'protected', count(*) FILTER (WHERE {protected}))"
        )
        return sql, (*inside_params, *protected_params)


def log_rows(*, entry_ids: list[int], scope: Q, pinned: Client | None = None) -> list[LogRow]:
    """The entries `entry_ids` (a page, a sample), newest first, flagged. Four queries however
    many rows: the readers, their roles, the entries with their counts and named clients."""
    if not entry_ids:
        return []
    reader_ids = set(
        AccessLog.objects.filter(pk__in=entry_ids).values_list("user_id", flat=True).distinct()
    )
    readers = User.objects.in_bulk(reader_ids)
    permissions.prefetch_memberships(readers.values())
    clients = _named_clients(scope).annotate(inside=_in_readers_caseload(readers.values()))
    flagged_first = Case(
        When(Q(inside=False) | Q(protected_identity=True), then=Value(0)), default=Value(1)
    )
    order = [flagged_first, "last_name", "first_name", "pk"]
    if pinned is not None:
        order.insert(0, Case(When(pk=pinned.pk, then=Value(0)), default=Value(1)))
    entries = (
        AccessLog.objects.filter(pk__in=entry_ids)
        .defer("client_ids")
        .annotate(
            shown=Func("client_ids", function="cardinality", output_field=IntegerField()),
            counts=Subquery(
                clients.order_by().values(c=_FlagCounts(F("inside"), F("protected_identity")))[:1]
            ),
            named=ArraySubquery(
                clients.order_by(*order).values(
                    c=JSONObject(
                        id="pk",
                        first="first_name",
                        last="last_name",
                        protected="protected_identity",
                        inside="inside",
                    )
                )[:NAMED_CLIENTS]
            ),
        )
        .order_by("-at", "-id")
    )
    rows = []
    for entry in entries:
        entry.user = readers[entry.user_id]
        counts = entry.counts or {}
        rows.append(
            LogRow(
                entry=entry,
                shown=entry.shown,
                in_scope=counts.get("total", 0),
                outside=counts.get("outside", 0),
                protected=counts.get("protected", 0),
                clients=[
                    NamedClient(
                        id=named["id"],
                        name=f"{named['first']} {named['last']}",
                        protected=named["protected"],
                        outside=not named["inside"],
                    )
                    for named in entry.named
                ],
            )
        )
    return rows


def export_rows(*, user: User, query: LogQuery, chunk: int = 500) -> Iterator[LogRow]:
    """Every row of the search, newest first, up to RESULT_LIMIT, flagged a chunk at a time."""
    scope = require_reviewer(user)
    ids = list(log_entries(user=user, query=query).values_list("pk", flat=True)[:RESULT_LIMIT])
    for start in range(0, len(ids), chunk):
        yield from log_rows(entry_ids=ids[start : start + chunk], scope=scope, pinned=query.client)


# ---------------------------------------------------------------------------------------------
# Writes of one client (pghistory's events)


@dataclass(frozen=True)
class WriteRow:
    at: datetime.datetime
    who: User | None
    task: str
    record: str
    kind: str
    ip: str
    outside: bool


def _write_kind(label: str) -> str:
    if label in ("insert", "granted", "created", "drawn"):
        return _("Registrerade")
    if label in ("delete", "revoked"):
        return _("Tog bort")
    return _("Ändrade")


def client_writes(*, client: Client, query: LogQuery) -> QuerySet[Events]:
    """Every change to a record that names the client (its details, relatives, decisions,
    orders, plans …: pghistory's events with a foreign key to it), newest first, in the
    period and by the user searched for. Which record and what kind of change; never its
    content (the reviewer sees no case data)."""
    first, after = period_bounds(query.start, query.end)
    events = Events.objects.references(client).filter(
        pgh_created_at__gte=first, pgh_created_at__lt=after
    )
    if query.reader is not None:
        events = events.filter(pgh_context__user=query.reader.pk)
    return events.order_by("-pgh_created_at", "-pgh_id").values(
        "pgh_slug", "pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_context"
    )


def write_rows(*, client: Client, events: list[dict]) -> list[WriteRow]:
    """A page of client_writes, each change by a person flagged when the client is outside
    that person's work today. Three queries however many rows."""
    writer_ids = {(event["pgh_context"] or {}).get("user") for event in events} - {None}
    writers = User.objects.in_bulk(writer_ids)
    permissions.prefetch_memberships(writers.values())
    inside = {}
    if writers:
        annotations = {}
        for writer in writers.values():
            condition = caseload(writer)
            annotations[f"u{writer.pk}"] = (
                Case(When(condition, then=Value(True)), default=Value(False))
                if condition is not None
                else Value(False)
            )
        values = Client.objects.filter(pk=client.pk).values(**annotations).get()
        inside = {writer_id: values[f"u{writer_id}"] for writer_id in writers}
    rows = []
    for event in events:
        context = event["pgh_context"] or {}
        who = writers.get(context.get("user"))
        model = apps.get_model(event["pgh_obj_model"])
        rows.append(
            WriteRow(
                at=event["pgh_created_at"],
                who=who,
                task=context.get("task") or "",
                record=str(model._meta.verbose_name).capitalize(),
                kind=_write_kind(event["pgh_label"]),
                ip=context.get("ip") or "",
                outside=who is not None and not inside.get(who.pk, False),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The monthly sample (AccessLogReview)


def reviews_visible_to(user: User) -> QuerySet[AccessLogReview]:
    """The samples of the municipalities where the user is the security officer."""
    return (
        AccessLogReview.objects.filter(
            municipality_id__in=permissions.log_review_municipality_ids(user)
        )
        .select_related("municipality", "drawn_by", "concluded_by")
        .order_by("-drawn_at", "-id")
    )


def sample_municipalities(user: User) -> QuerySet[Municipality]:
    return Municipality.objects.filter(
        pk__in=permissions.log_review_municipality_ids(user)
    ).order_by("name")


def last_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def sample_entry_ids(
    *,
    municipality: Municipality,
    start: datetime.date,
    end: datetime.date,
    size: int,
    exact_ids: int = EXACT_SAMPLE_IDS,
) -> list[int]:
    """`size` distinct entries drawn at random, each equally likely, from the period's entries
    that name a client of the municipality (fewer when there are fewer).

    The period's entries lie in an id range (ids grow with time), found at its two ends through
    the index on `at`. A range of at most `exact_ids` ids is drawn from exactly:
    ORDER BY random() over its matching rows. A longer one (a month of a large municipality:
    millions of rows) is drawn from by probing: random ids in the range are looked up by primary
    key, those that exist, lie in the period and name the municipality's clients are kept, and
    more are drawn until there are enough. Every matching entry is as likely as any other, and
    the work grows with the sample, not with the log. Should the matching entries be too sparse
    in the range for the probes (a small municipality in a large shared log), the exact draw
    over the range is made after all.
    """
    first, after = period_bounds(start, end)
    scope = Q(municipality_id=municipality.pk)
    entries = AccessLog.objects.filter(at__gte=first, at__lt=after).filter(
        Exists(_named_clients(scope))
    )
    low = AccessLog.objects.filter(at__gte=first, at__lt=after).order_by("at", "id")
    high = AccessLog.objects.filter(at__gte=first, at__lt=after).order_by("-at", "-id")
    low_id = low.values_list("pk", flat=True).first()
    high_id = high.values_list("pk", flat=True).first()
    if low_id is None or high_id is None:
        return []
    low_id, high_id = min(low_id, high_id), max(low_id, high_id)
    span = high_id - low_id + 1
    if span <= exact_ids:
        return _exact_sample(entries, low_id, high_id, size)
    found: list[int] = []
    draws = 4 * size + 50
    for _round in range(PROBE_ROUNDS):
        missing = size - len(found)
        if missing <= 0:
            break
        probes = RawSQL(
            "SELECT DISTINCT (%s + floor(random() * %s))::bigint FROM generate_series(1, %s)",
            (low_id, span, draws),
        )
        hits = list(
            entries.filter(pk__in=probes)
            .exclude(pk__in=found)
            .order_by("?")
            .values_list("pk", flat=True)[:missing]
        )
        found.extend(hits)
        draws = min(draws * 2, span)
    if len(found) < size:
        # Too sparse for probing: what remains is drawn exactly among the rest.
        rest = _exact_sample(entries.exclude(pk__in=found), low_id, high_id, size - len(found))
        found.extend(rest)
    return found


def _exact_sample(entries: QuerySet[AccessLog], low_id: int, high_id: int, size: int) -> list[int]:
    return list(
        entries.filter(pk__gte=low_id, pk__lte=high_id)
        .order_by("?")
        .values_list("pk", flat=True)[:size]
    )


@transaction.atomic
def review_draw(
    *,
    municipality: Municipality,
    period_start: datetime.date,
    period_end: datetime.date,
    size: int,
    by: User,
) -> AccessLogReview:
    """Draw the month's sample (sample_entry_ids) and keep it: the entries drawn, in the order
    drawn, with who drew them and when. The drawing is in the audit trail
    (AccessLogReviewEvent "drawn")."""
    if municipality.pk not in permissions.log_review_municipality_ids(by):
        raise ValidationError(_("Du gör inte loggkontroll för %(name)s.") % {"name": municipality})
    errors = {}
    if period_start > period_end:
        errors["period_end"] = _("Perioden måste sluta samma dag som den börjar eller senare.")
    elif period_end > timezone.localdate():
        errors["period_end"] = _("Perioden kan inte sluta i framtiden.")
    if not 1 <= size <= SAMPLE_SIZE_MAX:
        errors["size"] = _("Ange ett antal mellan 1 och %(max)s.") % {"max": SAMPLE_SIZE_MAX}
    if errors:
        raise ValidationError(errors)
    ids = sample_entry_ids(municipality=municipality, start=period_start, end=period_end, size=size)
    if not ids:
        raise ValidationError(
            {"period_start": _("Under perioden finns inga åtkomster till kommunens brukare.")}
        )
    return AccessLogReview.objects.create(
        municipality=municipality,
        period_start=period_start,
        period_end=period_end,
        sample=ids,
        drawn_by=by,
    )


@transaction.atomic
def review_conclude(*, review: AccessLogReview, conclusion: str, by: User) -> AccessLogReview:
    """Record the reviewer's conclusion, once: a conclusion given is never changed (the update
    is conditional on there being none, so two reviewers at once cannot both give one). The
    change is in the audit trail (AccessLogReviewEvent "concluded")."""
    if review.municipality_id not in permissions.log_review_municipality_ids(by):
        raise ValidationError(_("Du gör inte loggkontroll för kommunen."))
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise ValidationError({"conclusion": _("Skriv slutsatsen av kontrollen.")})
    updated = AccessLogReview.objects.filter(pk=review.pk, concluded_at__isnull=True).update(
        conclusion=conclusion, concluded_at=timezone.now(), concluded_by=by
    )
    if not updated:
        raise ValidationError(_("Slutsatsen är redan given och kan inte ändras."))
    return AccessLogReview.objects.get(pk=review.pk)


def sample_rows(review: AccessLogReview) -> list[LogRow]:
    """The review's sample, flagged, naming the municipality's clients, newest first."""
    return log_rows(entry_ids=list(review.sample), scope=Q(municipality_id=review.municipality_id))
