"""Worklists: the lists each role works from, bounded whatever the size of the user's scope.

A worklist is a queryset already scoped to the user and ordered by urgency. The start page shows
each of the user's worklists with its count, computed in SQL (one query), and its first rows;
the whole list is a page of its own, paginated, filterable and sortable in SQL (`sorts`), and a
CSV and an Excel file of every row (`columns`, through ramtid.exports.export_list). Nothing
brings a user's scope into Python: a start page costs the same at 500 and at 6,000 clients.

The apps define their worklists (bestallning/worklists.py, genomforandeplan/worklists.py) and
settings.RAMTID_WORKLISTS names them in the order of the start page, so the core never imports
the apps built on it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Count, Q, QuerySet, Window
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ramtid import permissions
from ramtid.choices import Role
from ramtid.exports import Column
from ramtid.models import Membership, OrderingUnit

ROWS_ON_START = 10  # rows a section shows on the start page; the rest on its own page
ROWS_PER_PAGE = 50
URGENCY = "bradskande"  # the sort a list has unless another is chosen: its own, most urgent first


@dataclass(frozen=True)
class Sort:
    """Another order a user may choose for a worklist's page and files: a label and the
    queryset's `order_by` (ending in a unique field, so that pages never overlap)."""

    label: str
    order: tuple[str, ...]


def by_client_name(client: str = "client") -> Sort:
    return Sort(_("Brukarens namn"), (f"{client}__last_name", f"{client}__first_name", "pk"))


def client_columns(
    client: Callable = attrgetter("client"), *, number: bool = True
) -> tuple[Column, ...]:
    """A row's client in a file: the surname and the given name apart (a spreadsheet sorts by
    them), and the personal number where the list shows one (never in a URL or a log)."""
    columns = (
        Column(_("Efternamn"), lambda row: client(row).last_name),
        Column(_("Förnamn"), lambda row: client(row).first_name),
    )
    if number:
        columns += (Column(_("Personnummer"), lambda row: client(row).personal_number_display),)
    return columns


class Worklist(ABC):
    """One list. Subclasses say who it is for, what it holds and how a row reads."""

    key: str = ""  # its address: /arbetslista/<key>/
    group: str = ""  # the start page's heading the section stands under
    title: str = ""
    one: str = ""  # the count's words: "1 plan att granska"
    many: str = ""  # "2 planer att granska"
    caption: str = ""  # for screen readers: what the rows are and their order
    empty: str = ""  # said when there is nothing to do
    head_template: str = ""  # the table's <tr> of column headings
    row_template: str = ""  # one <tr>, the row in `row`
    filterset_class = None  # a django-filter FilterSet for the full list, if any
    # Orders the page offers besides urgency (GET `sortera`), sorted in SQL: {value: Sort}.
    sorts: dict[str, Sort] = {}
    # The list as a file (CSV and Excel): its columns, read from the rows `decorate` gave.
    columns: tuple[Column, ...] = ()
    # The path from a row to its client's id, for the access log of an export (None: no client).
    client_field: str | None = "client_id"
    exports_on_start = False  # whether its section on the start page links to its files

    @abstractmethod
    def applies_to(self, user) -> bool:
        """Whether the user has this list at all (by role)."""

    @abstractmethod
    def queryset(self, user) -> QuerySet:
        """Scoped to the user and ordered by urgency, most urgent first."""

    def decorate(self, user, rows: list) -> list:
        """What a page of rows shows beyond the queryset (bounded: only these rows)."""
        return rows

    def client_of(self, row):
        return row.client


class WorklistFilters(django_filters.FilterSet):
    """A worklist's filters (GET parameters: they carry no personal data); choices may depend
    on the user, e.g. the contact persons of the user's provider."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        self.user = user
        super().__init__(data, queryset, **kwargs)


class SortForm(forms.Form):
    """A worklist's order: urgency, or one of the sorts the worklist offers."""

    sortera = forms.ChoiceField(label=_("Sortera"))

    def __init__(self, data, *, item: Worklist):
        super().__init__(data)
        self.fields["sortera"].choices = [
            (URGENCY, _("Mest brådskande först")),
            *((value, sort.label) for value, sort in item.sorts.items()),
        ]

    def chosen(self) -> str:
        return self.cleaned_data["sortera"] if self.is_valid() else URGENCY


def sorted_by(item: Worklist, queryset: QuerySet, sort: str) -> QuerySet:
    """The list in the chosen order; urgency (the queryset's own) unless one of its sorts."""
    chosen = item.sorts.get(sort)
    return queryset.order_by(*chosen.order) if chosen else queryset


def worklists() -> list[Worklist]:
    return [import_string(path)() for path in getattr(settings, "RAMTID_WORKLISTS", [])]


def worklist(key: str) -> Worklist | None:
    return next((item for item in worklists() if item.key == key), None)


@dataclass
class Section:
    """A worklist on the start page: its count and its first rows."""

    worklist: Worklist
    count: int
    rows: list = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)

    @property
    def count_words(self) -> str:
        """What is counted, in the number the count needs: "plan att granska" or "planer …"."""
        return self.worklist.one if self.count == 1 else self.worklist.many


def rows_of(item: Worklist, user, queryset: QuerySet, ids_page) -> list:
    """The rows of one page of a worklist, most urgent first, decorated.

    Sorting a long list by urgency needs only the ids: they are sorted alone (a lean query, the
    related rows the page shows are not joined for thousands of rows), then the page's rows
    are read in full, with their related rows, in a second query (unsorted: the ids give the
    order, so the sort's expressions are neither compiled nor computed again)."""
    ids = list(ids_page)
    if not ids:
        return []
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return item.decorate(user, [by_id[pk] for pk in ids if pk in by_id])


def sections_for(user, *, rows: int = ROWS_ON_START) -> list[Section]:
    """The user's worklists with their counts and first rows.

    A section's count and the ids of its first rows come from one query: the window
    `COUNT(*) OVER ()` counts the whole list while the sort is done once for the first rows
    (an empty list returns no row, so its count is 0). The rows are then read in full."""
    sections = []
    for item in worklists():
        if not item.applies_to(user):
            continue
        queryset = item.queryset(user)
        head = list(
            queryset.annotate(worklist_total=Window(Count("pk"))).values_list(
                "pk", "worklist_total"
            )[:rows]
        )
        count = head[0][1] if head else 0
        shown = rows_of(item, user, queryset, [pk for pk, _total in head])
        sections.append(Section(item, count, shown))
    return sections


class RolesToApprove(Worklist):
    """Roles granted in the admin that wait for a unit manager's approval (issue 10): a second
    person decides who reaches case data. Oldest first."""

    key = "roller-att-godkanna"
    group = _("Att godkänna")
    title = _("Roller som väntar på godkännande")
    one = _("roll att godkänna")
    many = _("roller att godkänna")
    caption = _("Roller som administratören gett och som ger tillgång till ärenden, äldst först")
    empty = _("Inga roller väntar på godkännande.")
    head_template = "ramtid/worklists/roles_head.html"
    row_template = "ramtid/worklists/role_row.html"
    client_field = None
    columns = (
        Column(_("Användare"), lambda row: str(row.user)),
        Column(_("Roll"), lambda row: row.get_role_display()),
        Column(_("Var"), lambda row: str(row.ordering_unit or row.provider or row.municipality)),
        Column(_("Given av"), lambda row: str(row.granted_by or "")),
    )

    def applies_to(self, user) -> bool:
        return bool(permissions.ordering_unit_ids(user, {Role.UNIT_MANAGER}))

    def queryset(self, user):
        units = permissions.ordering_unit_ids(user, {Role.UNIT_MANAGER})
        municipalities = OrderingUnit.objects.filter(pk__in=units).values("municipality_id")
        return (
            Membership.objects.filter(approved_at__isnull=True)
            .filter(
                Q(ordering_unit_id__in=units)
                | Q(ordering_unit__isnull=True, municipality_id__in=municipalities)
            )
            .exclude(user=user)
            .exclude(granted_by=user)
            .select_related("user", "granted_by", "ordering_unit", "provider", "municipality")
            .order_by("pk")
        )

    def client_of(self, row):
        return None
