"""Every read of case data starts here: querysets already scoped to the user (NetBox's restrict()).

A page, export, PDF or API endpoint that fetches a client through clients_visible_to() cannot
reach another organisation's client: the object simply is not found, which is a 404.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    DateField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Greatest, StrIndex
from django.db.models.lookups import Contains, GreaterThan
from django.utils import timezone
from django.utils.module_loading import import_string

from ramtid import permissions, personal_number
from ramtid.models import (
    AccessLog,
    Client,
    ClientEvent,
    ClientRelativeEvent,
    InterventionType,
    User,
)


class _DaysBefore(Func):
    """date - integer days, in SQL (PostgreSQL date arithmetic)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = DateField()


def provider_sees(
    provider_ids: Iterable[int], *, client: str = "pk", provider: str | None = None
) -> Q:
    """Rows whose client one of these providers may see today: the one place that rule lives
    (issue 10). Clients when `client` is "pk"; rows of another table with the path to their
    client in `client` (orders, plans, time results, notices: "client"); with `provider` (the
    path to the row's provider) the row's own provider must be one of them and see the client,
    so that a provider never reads another provider's rows of a client they share.

    A provider sees a client through an order sent to it (never a draft) that is in force, not
    yet started (the provider prepares: a contact person, the plan) or ended, by its last day
    (valid_to, which ending and superseding set, bestallning.services), no more than the client's
    municipality's `provider_access_days` ago: the grace for the last visits, the plan's close
    and the time follow-up. On day valid_to + provider_access_days it still sees the client, the
    day after nothing. A superseded order's client stays visible through the order that
    replaced it.

    A semi-join (EXISTS): each row is tested once, however many orders its client has, by a
    probe of the partial index order_sent_provider_client (bestallning migrations 0005, 0007),
    which carries valid_to, so the probe reads the index alone; a page or a search of a
    provider's clients reads only the orders of the clients it looks at, where a join or an IN
    over all the provider's orders would read and hash every one of them first. The orders are
    named by their relation, so that the core does not import the bestallning app.
    """
    provider_ids = sorted(set(provider_ids))
    prefix = "" if client == "pk" else f"{client}__"
    days = OuterRef(f"{prefix}municipality__provider_access_days")
    orders = Client._meta.get_field("orders").related_model._default_manager.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=_DaysBefore(Value(timezone.localdate()), days)),
        client_id=OuterRef(client),
        provider_id__in=provider_ids,
        sent_at__isnull=False,
    )
    if provider is None:
        return Q(Exists(orders))
    return Q(**{f"{provider}__in": provider_ids}) & Q(
        Exists(orders.filter(provider_id=OuterRef(provider)))
    )


def clients_visible_to(user: User) -> QuerySet[Client]:
    """Officers and unit managers see their unit's clients; provider staff the clients their
    provider has an order for that is in force, about to start or ended within the municipality's
    grace (provider_sees); administrators and fee officers no case data through this path."""
    if not user.is_authenticated:
        return Client.objects.none()
    visible = Q(pk__in=[])
    unit_ids = permissions.ordering_unit_ids(user)
    if unit_ids:
        visible |= Q(ordering_unit_id__in=unit_ids)
    provider_ids = permissions.provider_ids(user)
    if provider_ids:
        visible |= provider_sees(provider_ids)
    # A client whose personal data was removed (gallring) is kept for the statistics only.
    return Client.objects.filter(visible, removed_on__isnull=True).select_related(
        "ordering_unit", "municipality", "responsible_officer"
    )


# Client search (the client list). A personal number, whole or four digits or more of it, finds
# the numbers that contain it; words find names whatever their case and accents ("ake" finds
# Åke), as part of a name ("anders" finds Andersson) or, failing that, by trigram similarity
# ("lissa" finds Lisa). Names are compared through ramtid_fold(), the immutable lower(unaccent())
# of migration 0003, which also indexes the folded first and last names with GIN trigram indexes:
# both the LIKE and the % (similarity) conditions below are answered from those indexes.
PARTIAL_NUMBER_MIN_DIGITS = 4
FUZZY_MIN_LETTERS = 3  # shorter words have too few trigrams for a similarity to mean anything
_NUMBER_WORD = re.compile(r"[\d+-]*\d[\d+-]*")


class Fold(Func):
    """A text with case and accents folded away (ramtid_fold(), migration 0003)."""

    function = "ramtid_fold"
    output_field = TextField()


@dataclass(frozen=True)
class ClientStatus:
    """One choice of the client list's status filter.

    A client's status comes from their orders, which the core does not know: the setting
    RAMTID_CLIENT_STATUS_FILTER names a function (user) -> list[ClientStatus] of the app that
    does (as RAMTID_CLIENT_PANELS names panels, ramtid/panels.py). `condition` is a Q on Client
    built from what the user may see, so the filter runs in the list's own SQL query.
    """

    value: str
    label: str
    condition: Q
    description: str = ""


def client_statuses(user: User) -> list[ClientStatus]:
    path = getattr(settings, "RAMTID_CLIENT_STATUS_FILTER", "")
    return list(import_string(path)(user)) if path else []


def client_search(
    *,
    user: User,
    query: str = "",
    mine: bool = False,
    status: ClientStatus | None = None,
) -> QuerySet[Client]:
    """The client list: the user's clients, narrowed by the search text and the filters, best
    matches first (a whole name word, then the start of one, then part of one, then a near
    miss), otherwise by name. `mine`: only the clients whose responsible officer is the user."""
    clients = clients_visible_to(user)
    if mine:
        clients = clients.filter(responsible_officer=user)
    if status is not None:
        clients = clients.filter(status.condition)
    return clients_matching(clients, query)


def clients_matching(clients: QuerySet[Client], query: str) -> QuerySet[Client]:
    """`clients` narrowed by a search text as the client list searches (client_search), best
    matches first; all of them for an empty text. The log review (ramtid.log_review) searches
    its own set of clients with it."""
    query = (query or "").strip()
    if not query:
        return clients
    if _NUMBER_WORD.fullmatch(re.sub(r"\s", "", query)):
        return _number_search(clients, query)
    words = [word for word in re.split(r"[\s,]+", query) if word]
    name_words = []
    for word in words:
        if _NUMBER_WORD.fullmatch(word):
            clients = _number_search(clients, word)
        else:
            name_words.append(word)
    return _name_search(clients, name_words) if name_words else clients


def _number_search(clients: QuerySet[Client], written: str) -> QuerySet[Client]:
    """A whole personal number finds the person; four digits or more find the numbers that
    contain them (the birth date, or the last four digits), birth dates first."""
    try:
        return clients.filter(personal_number=personal_number.normalise(written))
    except ValidationError:
        pass
    digits = re.sub(r"\D", "", written)
    if len(digits) < PARTIAL_NUMBER_MIN_DIGITS:
        return clients.none()
    return clients.filter(personal_number__contains=digits).order_by(
        Case(When(personal_number__startswith=digits, then=0), default=1),
        *Client._meta.ordering,
    )


def _name_search(clients: QuerySet[Client], words: list[str]) -> QuerySet[Client]:
    """Every word must be part of the first or last name, or close to one of them."""
    first, last = Fold("first_name"), Fold("last_name")
    name = Fold(Concat("first_name", Value(" "), "last_name"))
    # " anna lena svensson ": the parts of a hyphenated name are words of their own.
    padded = _text(
        Value(" "),
        Func(name, Value("-"), Value(" "), function="translate", output_field=TextField()),
        Value(" "),
    )
    tiers, closeness = [], []
    for word in words:
        folded = Fold(Value(word))
        condition = Contains(first, folded) | Contains(last, folded)
        if len(word) >= FUZZY_MIN_LETTERS:
            condition |= TrigramSimilar(first, folded) | TrigramSimilar(last, folded)
        clients = clients.filter(condition)
        tiers.append(
            Case(
                When(_has(padded, _text(Value(" "), folded, Value(" "))), then=0),  # a word
                When(_has(padded, _text(Value(" "), folded)), then=1),  # a word's start
                When(_has(name, folded), then=2),  # part of a word
                default=3,  # a near miss
            )
        )
        closeness.append(
            Greatest(TrigramSimilarity(first, folded), TrigramSimilarity(last, folded))
        )
    return clients.annotate(
        search_tier=sum(tiers[1:], start=tiers[0]),
        search_closeness=sum(closeness[1:], start=closeness[0]),
    ).order_by("search_tier", "-search_closeness", *Client._meta.ordering)


def _text(*parts) -> Concat:
    return Concat(*parts, output_field=TextField())


def _has(text, part) -> GreaterThan:
    return GreaterThan(StrIndex(text, part), 0)


def client_access_history(*, client: Client) -> AccessHistory:
    """Reads and writes of one client's data, newest first, for the unit manager's follow-up.

    Reads come from AccessLog, each row one request that showed the client (alone, or as one
    of `shown` clients in a list); writes from the trigger-written events, whose context names
    the person (or the Celery task) and the address. Paged: see AccessHistory.
    """
    return AccessHistory(
        reads=AccessLog.objects.filter(client_ids__contains=[client.pk])
        .annotate(shown=Func("client_ids", function="cardinality", output_field=IntegerField()))
        .defer("client_ids")  # a start page's row can name thousands of clients
        .select_related("user")
        .order_by("-at", "-id"),
        client_writes=ClientEvent.objects.filter(pgh_obj_id=client.pk).order_by(
            "-pgh_created_at", "-pgh_id"
        ),
        relative_writes=ClientRelativeEvent.objects.filter(client_id=client.pk).order_by(
            "-pgh_created_at", "-pgh_id"
        ),
    )


@dataclass(frozen=True)
class AccessHistory:
    """Three newest-first querysets read as one newest-first sequence, which a Paginator pages.

    A page ending at row n reads at most n rows of each source (by its index) and merges them,
    so a client seen in thousands of lists costs a page, not the whole log. `count()` is three
    counts.
    """

    reads: QuerySet[AccessLog]
    client_writes: QuerySet[ClientEvent]
    relative_writes: QuerySet[ClientRelativeEvent]

    def count(self) -> int:
        return sum(qs.count() for qs in (self.reads, self.client_writes, self.relative_writes))

    def __getitem__(self, window: slice) -> list[dict]:
        stop = window.stop
        reads = [
            {
                "at": entry.at,
                "user": entry.user,
                "kind": entry.get_action_display(),
                "what": entry.what,
                "shown": entry.shown,
                "ip": entry.ip_address,
                "acted_as": entry.acted_as,
            }
            for entry in self.reads[:stop]
        ]
        events = [(event, "Brukaruppgifter") for event in self.client_writes[:stop]] + [
            (event, f"Närstående: {event.name}") for event in self.relative_writes[:stop]
        ]
        user_ids = {(event.pgh_context or {}).get("user") for event, _ in events}
        users = User.objects.in_bulk([uid for uid in user_ids if uid])
        writes = []
        for event, what in events:
            context = event.pgh_context or {}
            task = context.get("task")
            who = users.get(context.get("user")) or (f"Uppgift: {task}" if task else None)
            writes.append(
                {
                    "at": event.pgh_created_at,
                    "user": who,
                    "kind": WRITE_LABELS.get(event.pgh_label, event.pgh_label),
                    "what": what,
                    "shown": None,
                    "ip": context.get("ip"),
                    "acted_as": "",
                }
            )
        writes.sort(key=lambda row: row["at"], reverse=True)
        rows = heapq.merge(reads, writes, key=lambda row: row["at"], reverse=True)
        return list(islice(rows, window.start, stop))


WRITE_LABELS = {"insert": "Registrerade", "update": "Ändrade", "delete": "Tog bort"}


def catalogue_visible_to(user: User) -> QuerySet[InterventionType]:
    """The intervention catalogues of the municipalities the user works in (any membership), so
    that a provider's system can find the ids it writes plans with. Inactive rows are listed
    too: older orders and plans still name them."""
    municipality_ids = {m.municipality_id for m in permissions.memberships(user)}
    return (
        InterventionType.objects.filter(municipality_id__in=municipality_ids)
        .select_related("municipality")
        .order_by("municipality__name", "category", "position", "name")
    )
