"""Performed time in: the provider's visits from a file or an API batch (issue 9 §1, 004 §4.1.2).

One path behind both ways in, set-based in PostgreSQL so that a Stockholm-sized month (about 2.5
million rows) is never parsed row by row in Python:

1. `create_file_import` (the upload page) reads only the header line in Python: the encoding
   (UTF-8 with or without BOM, else Windows-1252), the delimiter (semicolon or comma) and which
   column is which (any order, unknown columns ignored). The raw rows then go through
   PostgreSQL's COPY into a staging table of their own (UNLOGGED, text columns, no index:
   `uppfoljning_visitstaging_<import id>`, made and dropped by the owner's functions of
   migration 0003, since the application's role may not create tables), and the check is
   queued for Celery after commit.
   A file COPY cannot read (a row with the wrong number of cells, a byte that is not in the
   encoding, an unterminated quote) is rejected at once with the row named.
   `import_visits_batch` (the API) COPYs its JSON rows into the same kind of table and runs
   the check at once.
2. `run_import` checks every row in SQL (one statement parses and joins them all into a typed
   TEMP table `uppfoljning_visitparsed_<import id>`), and either
   - stores every error (row, column, Swedish reason) as VisitImportError rows and saves no
     visit (status rejected), or
   - in ONE transaction: makes the months' partitions, deletes a visit whose start moved to
     another month from its old month, and upserts every row with one INSERT … SELECT …
     ON CONFLICT (provider, month, besöks-id) DO UPDATE, which leaves a row that did not change
     alone.
   Both staging tables are dropped at the end, whatever the outcome.

The rules of a row (README "Besök in"): the columns of `COLUMNS`; start and end as
`YYYY-MM-DD HH:MM` in Swedish time (seconds, a `T` and, over the API, an offset such as `+01:00`
are accepted too); the end after the start, at most 16 hours later; the start not in the future;
the personal number in any common spelling (normalised as ramtid.personal_number does); the
client must have an order with this provider in force on the start's day (an issued order:
valid_from ≤ day ≤ valid_to, or open) — one message whether the number is unknown, belongs to
someone else's client or has no order that day, so nothing is revealed about people outside the
provider's own; `insats`, when given, is the id or the name (any case) of an intervention in the
municipality's catalogue; a besöks-id only once per file. The month of a visit is its start's
month in Swedish time; `outside_window` marks a visit with any part outside the municipality's
ramtid window, or spanning midnight.

Error messages are fixed Swedish texts: they never repeat a cell, so a personal number is never
echoed and a cell such as `=HYPERLINK(…)` is data that is never shown back.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import psycopg
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bestallning.models import Order
from ramtid import permissions as core_permissions
from ramtid.choices import ORDERING_UNIT_ROLES, Role
from ramtid.models import Provider, User
from uppfoljning.choices import VISIT_STATUS_WORDS, ImportChannel, ImportStatus, VisitStatus
from uppfoljning.models import PerformedVisit, VisitImport, VisitImportError
from uppfoljning.partitions import (
    ensure_month_partitions,
    first_of_month,
    next_month,
)

# ---------------------------------------------------------------------------------------------
# The format


@dataclass(frozen=True)
class Column:
    name: str  # the file's column and the staging table's
    api_field: str  # the API's field
    required: bool


COLUMNS = (
    Column("besoks_id", "external_id", True),
    Column("personnummer", "personal_number", True),
    Column("start", "start", True),
    Column("slut", "end", True),
    Column("personal", "staff", True),
    Column("insats", "intervention", False),
    Column("status", "status", True),
    Column("orsak", "reason", False),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
API_FIELDS = {c.api_field: c.name for c in COLUMNS}

MAX_HOURS = 16  # a visit longer than this is refused (issue 9 §1)
MAX_EXTERNAL_ID = PerformedVisit._meta.get_field("external_id").max_length
MAX_STAFF = PerformedVisit._meta.get_field("staff").max_length
# An API batch is synchronous: bigger months go as a file (the upload page runs them on Celery).
MAX_BATCH_ROWS = 50_000
# VisitImport.errors keeps this many errors as a glance; every error is a VisitImportError.
ERROR_PREVIEW = 100
HEADER_READ = 1 << 20  # the first MiB: the header line and the sample the encoding is told from
CHUNK = 1 << 20

# The statuses the file may write (any case; with or without diacritics) and the API's codes.
STATUS_WORDS = {**VISIT_STATUS_WORDS, **{s.value: s for s in VisitStatus}}


class Rejected(Exception):
    """The file or batch cannot be read at all: its errors, [(row, column, message)]."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(errors)
        self.errors = errors


def staging_table(import_id: int) -> str:
    return f"uppfoljning_visitstaging_{int(import_id)}"


def parsed_table(import_id: int) -> str:
    return f"uppfoljning_visitparsed_{int(import_id)}"


# ---------------------------------------------------------------------------------------------
# Reads (scoped to the user)


def imports_visible_to(user: User) -> QuerySet[VisitImport]:
    """The import history a user may open: the provider's coordinators their provider's, the
    municipality's administrators their providers', and the officers and unit managers the
    imports of providers that have had an order for a client of their unit (never the error
    rows: those may concern another unit's clients, see can_view_import_errors)."""
    if not user.is_authenticated:
        return VisitImport.objects.none()
    visible = Q(pk__in=[])
    provider_ids = core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR})
    if provider_ids:
        visible |= Q(provider_id__in=provider_ids)
    municipality_ids = core_permissions.administered_municipality_ids(user)
    if municipality_ids:
        visible |= Q(provider__municipality_id__in=municipality_ids)
    unit_ids = core_permissions.ordering_unit_ids(user, ORDERING_UNIT_ROLES)
    if unit_ids:
        serving = Order.objects.filter(
            client__ordering_unit_id__in=unit_ids, sent_at__isnull=False
        ).values("provider_id")
        visible |= Q(provider_id__in=serving)
    return VisitImport.objects.filter(visible).select_related("provider", "created_by")


def may_import(user: User) -> bool:
    """Whether the user imports visits for some provider (from the memberships, no query)."""
    return bool(
        core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR})
        or core_permissions.administered_municipality_ids(user)
    )


def providers_for_import(user: User) -> QuerySet[Provider]:
    """The providers whose visits the user may import (the upload page's choice)."""
    return Provider.objects.filter(
        Q(pk__in=core_permissions.provider_ids(user, {Role.PROVIDER_COORDINATOR}))
        | Q(municipality_id__in=core_permissions.administered_municipality_ids(user))
    ).order_by("name")


# ---------------------------------------------------------------------------------------------
# The file's header


@dataclass(frozen=True)
class Header:
    encoding: str  # PostgreSQL's name: UTF8 or WIN1252
    delimiter: str
    columns: tuple[str, ...]  # the staging column of each column of the file, in its order
    bom: bool


def _fold(name: str) -> str:
    """A header cell as a column name: "Besöks-ID " → "besoks_id"."""
    name = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff").lower())
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return re.sub(r"[\s\-]+", "_", name)


def read_header(head: bytes) -> Header:
    """What the header line says: encoding, delimiter, and which column is which."""
    if not head.strip():
        raise Rejected([(1, "", _("Filen är tom."))])
    bom = head.startswith(codecs.BOM_UTF8)
    body = head[len(codecs.BOM_UTF8) :] if bom else head
    encoding = "UTF8"
    if not bom:
        try:
            # The sample may end inside a character: final=False leaves that byte undecided.
            codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
        except UnicodeDecodeError:
            encoding = "WIN1252"
    line, newline, _rest = body.partition(b"\n")
    if not newline and len(head) >= HEADER_READ:
        raise Rejected([(1, "", _("Rubrikraden saknas eller är för lång."))])
    text = line.rstrip(b"\r").decode("utf-8" if encoding == "UTF8" else "cp1252", "replace")
    delimiter = ";" if text.count(";") >= text.count(",") and ";" in text else ","
    cells = next(csv.reader([text], delimiter=delimiter), [])
    names = [_fold(cell) for cell in cells]
    errors = []
    seen: set[str] = set()
    columns = []
    for position, name in enumerate(names, start=1):
        if name in COLUMN_NAMES:
            if name in seen:
                errors.append(
                    (
                        1,
                        name,
                        _("Kolumnen %(column)s finns två gånger i rubrikraden.") % {"column": name},
                    )
                )
            seen.add(name)
            columns.append(name)
        else:
            columns.append(f"ignored_{position}")
    missing = [c.name for c in COLUMNS if c.required and c.name not in seen]
    for name in missing:
        errors.append((1, name, _("Kolumnen %(column)s saknas i rubrikraden.") % {"column": name}))
    if errors:
        raise Rejected(errors)
    return Header(encoding=encoding, delimiter=delimiter, columns=tuple(columns), bom=bom)


# ---------------------------------------------------------------------------------------------
# Into the staging table


_SAFE_COLUMN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _create_staging(import_id: int, columns: Iterable[str]) -> None:
    """The import's staging table: it must outlive the web request that COPYs into it (the
    Celery worker reads it), so it is no TEMP table; and the application's role may not create
    tables (ramtid/database_roles.py), so the owner's function `uppfoljning_create_visit_staging`
    (migration 0003) makes it, UNLOGGED, text columns with collation "C" (compared and hashed as
    bytes), no index, and grants the caller SELECT and INSERT on it."""
    columns = list(columns)
    if not all(_SAFE_COLUMN.match(c) for c in columns):
        raise ValueError(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uppfoljning_create_visit_staging(%s::bigint, %s::text[])",
            [int(import_id), columns],
        )


def _drop_work_tables(import_id: int) -> None:
    """The parsed rows are a TEMP table of this session; the staging table is the owner's."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quote(parsed_table(import_id))}")
        cursor.execute("SELECT uppfoljning_drop_visit_staging(%s::bigint)", [int(import_id)])


_LINE = re.compile(r"\bline (\d+)")


def _copy_error(error: psycopg.Error, *, offset: int) -> tuple[int, str, str]:
    """COPY's complaint as a Swedish message naming the row (never its content: PostgreSQL's
    own message and context quote the row, so they are not passed on)."""
    match = _LINE.search(getattr(error.diag, "context", None) or "")
    row = int(match.group(1)) + offset if match else 0
    primary = error.diag.message_primary or ""
    if error.sqlstate in ("22021", "22P05"):
        message = _("Raden har tecken som inte går att läsa: spara filen som UTF-8 eller CSV.")
    elif "extra data" in primary:
        message = _("Raden har fler fält än rubrikraden.")
    elif "missing data" in primary:
        message = _("Raden har färre fält än rubrikraden.")
    elif "unterminated" in primary or "quote" in primary:
        message = _('Ett citattecken (") avslutas aldrig.')
    else:
        message = _("Raden går inte att läsa som CSV.")
    return (row, "", message)


def _write_file(copy, stream: BinaryIO, head: bytes) -> None:
    """The file to COPY as it is, in chunks, except blank lines at its very end (which Excel
    leaves and COPY would read as a row of one empty cell)."""
    pending = b""
    data = head
    while data:
        data = pending + data
        kept = data.rstrip(b"\r\n")
        pending = data[len(kept) :]
        if kept:
            copy.write(kept)
        data = stream.read(CHUNK)


def _copy_file(visit_import: VisitImport, stream: BinaryIO, header: Header, head: bytes) -> int:
    # The optional columns a file leaves out are there too, empty.
    absent = [name for name in COLUMN_NAMES if name not in header.columns]
    _create_staging(visit_import.pk, [*header.columns, *absent])
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in header.columns)
    delimiter = "';'" if header.delimiter == ";" else "','"
    sql = (
        f"COPY {quote(staging_table(visit_import.pk))} ({cols}) FROM STDIN WITH "
        f"(FORMAT csv, HEADER true, DELIMITER {delimiter}, ENCODING '{header.encoding}')"
    )
    with connection.cursor() as cursor:
        with cursor.copy(sql) as copy:
            _write_file(copy, stream, head)
        return cursor.rowcount


@transaction.atomic
def create_file_import(
    *, provider: Provider, by: User, file_name: str, stream: BinaryIO
) -> VisitImport:
    """Take a file of visits: record the import, COPY its rows into a staging table and queue
    the check (visit_import_task, after commit). A file that cannot be read at all is recorded
    as rejected, with its errors, and nothing is queued."""
    visit_import = VisitImport.objects.create(
        provider=provider,
        created_by=by,
        channel=ImportChannel.FILE,
        file_name=(file_name or "")[:255],
        status=ImportStatus.QUEUED,
    )
    try:
        if hasattr(stream, "seek"):
            stream.seek(0)
        head = stream.read(HEADER_READ)
        header = read_header(head)
        rows = _copy_with_fallback(visit_import, stream, header, head)
    except Rejected as rejected:
        return _reject(visit_import, rejected.errors)
    VisitImport.objects.filter(pk=visit_import.pk).update(rows_total=rows)
    visit_import.rows_total = rows
    from uppfoljning.tasks import visit_import_task

    transaction.on_commit(lambda: visit_import_task.delay(visit_import.pk))
    return visit_import


def _copy_with_fallback(visit_import, stream, header: Header, head: bytes) -> int:
    """COPY in the encoding the sample suggested; a file that looked like UTF-8 in its first MiB
    but is not (Windows-1252 with its first å further down) is read again as Windows-1252."""
    encodings = [header.encoding]
    if header.encoding == "UTF8" and not header.bom:
        encodings.append("WIN1252")
    for attempt, encoding in enumerate(encodings):
        this = Header(encoding, header.delimiter, header.columns, header.bom)
        try:
            with transaction.atomic():
                if attempt:
                    stream.seek(0)
                    head = stream.read(HEADER_READ)
                return _copy_file(visit_import, stream, this, head)
        except psycopg.Error as error:
            retry = error.sqlstate in ("22021", "22P05") and attempt + 1 < len(encodings)
            if not retry:
                raise Rejected([_copy_error(error, offset=0)]) from None
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# The API's batch


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(value)


@transaction.atomic
def import_visits_batch(*, provider: Provider, by: User, rows: list[dict]) -> VisitImport:
    """The API's way in (POST /api/besok/): the same staging table, checks and upsert as a
    file, at once rather than on Celery. Rows are numbered from 1 in the order sent; columns
    are the JSON fields. Returns the import: done, or rejected with every error."""
    visit_import = VisitImport.objects.create(
        provider=provider,
        created_by=by,
        channel=ImportChannel.API,
        status=ImportStatus.RUNNING,
        rows_total=len(rows),
    )
    if not rows:
        return _reject(visit_import, [(0, "", _("Listan innehåller inga besök."))])
    if len(rows) > MAX_BATCH_ROWS:
        message = _("Högst %(max)s besök per anrop; skicka större mängder som fil.") % {
            "max": MAX_BATCH_ROWS
        }
        return _reject(visit_import, [(0, "", message)])
    shape_errors = []
    fields = [c.api_field for c in COLUMNS]
    cells = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            shape_errors.append((number, "", _("Varje besök ska vara ett objekt.")))
            continue
        values = []
        for field in fields:
            try:
                values.append(_cell(row.get(field)))
            except TypeError:
                shape_errors.append((number, field, _("Värdet ska vara en text.")))
        cells.append(values)
    if shape_errors:
        return _reject(visit_import, shape_errors)
    _create_staging(visit_import.pk, COLUMN_NAMES)
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in COLUMN_NAMES)
    table = quote(staging_table(visit_import.pk))
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for values in cells:
            copy.write_row(values)
    _check_and_save(visit_import)
    visit_import.refresh_from_db()
    return visit_import


# ---------------------------------------------------------------------------------------------
# The check, in SQL

# Start and end: `YYYY-MM-DD HH:MM` in Swedish time (the statements run with the session's time
# zone set to it, so a cast reads the wall clock). The usual case costs a LIKE and PostgreSQL's own
# parser (pg_input_is_valid refuses 2026-02-31 and 25:00; 24:00, which PostgreSQL reads as the
# next midnight, is refused here); anything else is trimmed and tried against the other accepted
# shapes: a `T` between date and time, a one-digit hour, seconds, an offset such as +01:00 or Z.
_TIME_SHAPE = r"^\d{4}-\d\d-\d\d[ T]\d\d?:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?$"


def _moment(raw: str) -> str:
    trimmed = f"btrim({raw})"
    hour = f"substring({trimmed} FROM '[ T](\\d\\d?):')::int"
    return f"""CASE
        WHEN {raw} LIKE '____-__-__ __:__' AND substr({raw}, 12, 2) <> '24' THEN
            CASE WHEN pg_input_is_valid({raw}, 'timestamptz') THEN ({raw})::timestamptz END
        WHEN {trimmed} ~ '{_TIME_SHAPE}' THEN
            CASE WHEN {hour} < 24 AND pg_input_is_valid({trimmed}, 'timestamptz')
                 THEN ({trimmed})::timestamptz END
    END"""


# The personal number's twelve digits, as ramtid.personal_number.normalise writes them, from
# YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN, YYMMDDNNNN or YYMMDD+NNNN (spaces removed before):
# a ten-digit number's century is the one that makes the person younger than 100, or 100 or
# older with '+' (the personnummer package's rule, counted from this year in Sweden). NULL when
# the form is none of these. Whether the date exists and the check digit is right matters only
# for the message of a number that matched no client, so it is tested only then (_valid_number).
def _twelve_digits(pn: str) -> str:
    digits = f"ltrim({pn}, '0123456789') = ''"
    century = "(({base}) - ((({base}) - substr({d}, 1, 2)::int) %% 100))::text || substr({d}, 3)"
    this_year = "%(this_year)s"
    ten = century.format(base=this_year, d=pn)
    ten_dash = century.format(
        base=f"{this_year} - CASE substr({pn}, 7, 1) WHEN '+' THEN 100 ELSE 0 END",
        d=f"(substr({pn}, 1, 6) || substr({pn}, 8, 4))",
    )
    return f"""CASE length({pn})
        WHEN 12 THEN CASE WHEN {digits} THEN {pn} END
        WHEN 13 THEN CASE WHEN substr({pn}, 9, 1) IN ('-', '+')
                           AND ltrim(substr({pn}, 1, 8) || substr({pn}, 10), '0123456789') = ''
                          THEN substr({pn}, 1, 8) || substr({pn}, 10) END
        WHEN 10 THEN CASE WHEN {digits} THEN {ten} END
        WHEN 11 THEN CASE WHEN substr({pn}, 7, 1) IN ('-', '+')
                           AND ltrim(substr({pn}, 1, 6) || substr({pn}, 8), '0123456789') = ''
                          THEN {ten_dash} END
    END"""


def _valid_number(pn12: str) -> str:
    """The Luhn check digit of digits 3–12 and a date that exists (a coordination number's day
    is 60 more), as ramtid.personal_number checks them."""
    terms = []
    for i in range(9):
        digit = f"substr({pn12}, {i + 3}, 1)::int"
        if i % 2 == 0:
            terms.append(f"(({digit} * 2) / 10 + ({digit} * 2) %% 10)")
        else:
            terms.append(digit)
    luhn = f"((10 - ({' + '.join(terms)}) %% 10) %% 10) = substr({pn12}, 12, 1)::int"
    day = f"substr({pn12}, 7, 2)::int"
    date = (
        f"pg_input_is_valid(substr({pn12}, 1, 4) || '-' || substr({pn12}, 5, 2) || '-' || "
        f"lpad((CASE WHEN {day} > 60 THEN {day} - 60 ELSE {day} END)::text, 2, '0'), 'date')"
    )
    return f"({luhn} AND {date})"


_PARSE_SQL = """
CREATE TEMP TABLE {parsed} AS
WITH ours AS (
    -- The provider's clients: those it has (or had) an issued order for.
    SELECT DISTINCT c.id, c.personal_number AS pn FROM ramtid_client c
    JOIN bestallning_order o ON o.client_id = c.id
    WHERE o.provider_id = %(provider)s AND o.status <> 'draft'
),
spellings (spelling, client_id) AS (
    -- Every common spelling of their numbers: each row then finds its client by one hash
    -- lookup of the cell as written. The ten-digit spellings are those that normalise to the
    -- number (the century rule), so no spelling names two people.
    SELECT pn, id FROM ours
    UNION ALL SELECT substr(pn, 1, 8) || '-' || substr(pn, 9), id FROM ours
    UNION ALL
    SELECT v.spelling, ours.id FROM ours
    CROSS JOIN LATERAL (VALUES (substr(pn, 3)), (substr(pn, 3, 6) || '-' || substr(pn, 9)),
                               (substr(pn, 3, 6) || '+' || substr(pn, 9))) AS v (spelling)
    WHERE {twelve_of_spelling} = ours.pn
),
status_words (word, code) AS (SELECT * FROM unnest(%(status_spellings)s::text[],
                                                   %(status_spelling_codes)s::text[])),
catalogue (key, id) AS (
    SELECT lower(name), id FROM ramtid_interventiontype WHERE municipality_id = %(municipality)s
    UNION ALL
    SELECT id::text, id FROM ramtid_interventiontype WHERE municipality_id = %(municipality)s
),
orders AS (
    SELECT id, client_id, valid_from, valid_to FROM bestallning_order
    WHERE provider_id = %(provider)s AND status <> 'draft'
),
repeated AS (
    SELECT besoks_id FROM {staging} WHERE besoks_id <> ''
    GROUP BY 1 HAVING count(*) > 1
),
-- OFFSET 0 keeps each step whole: otherwise PostgreSQL pastes an expression into every place
-- that uses it and parses each cell several times.
s AS (
    SELECT ctid AS tid, nullif(besoks_id, '') AS external_id, personnummer, start, slut,
           nullif(btrim(personal), '') AS staff, status,
           nullif(btrim(insats), '') AS intervention_raw, coalesce(orsak, '') AS reason
    FROM {staging}
    -- A row of empty cells (Excel writes them after the data) is no row.
    WHERE coalesce(besoks_id, personnummer, start, slut, personal, status, insats, orsak)
          IS NOT NULL
    OFFSET 0
),
p AS (
    SELECT s.tid, s.external_id, s.staff, s.intervention_raw, s.reason,
           {start_at} AS start_at,
           {end_at} AS end_at,
           -- The cell as written (the usual case), else normalised, which only then costs.
           coalesce(sp.client_id, CASE WHEN s.personnummer IS NOT NULL THEN (
               SELECT c.id FROM ramtid_client c WHERE c.municipality_id = %(municipality)s
               AND c.personal_number = {twelve} LIMIT 1) END) AS client_id,
           CASE WHEN sp.client_id IS NULL THEN {twelve} END AS pn12,
           coalesce(sw.code, (%(codes)s::text[])[
               array_position(%(words)s::text[], lower(btrim(s.status)))]) AS status_code
    FROM s
    LEFT JOIN spellings sp ON sp.spelling = s.personnummer
    LEFT JOIN status_words sw ON sw.word = s.status
    OFFSET 0
)
SELECT p.tid, p.external_id, p.pn12, p.client_id, o.id AS order_id, p.start_at, p.end_at,
       p.staff, p.status_code AS status, p.intervention_raw IS NOT NULL AS intervention_given,
       cat.id AS intervention_id, p.reason, r.besoks_id IS NOT NULL AS repeated,
       coalesce(p.external_id IS NOT NULL AND length(p.external_id) <= %(max_id)s
        AND r.besoks_id IS NULL AND o.id IS NOT NULL
        AND p.end_at > p.start_at AND p.end_at - p.start_at <= %(max_length)s
        AND p.start_at <= now()
        AND p.staff IS NOT NULL AND length(p.staff) <= %(max_staff)s
        AND p.status_code IS NOT NULL
        AND (p.intervention_raw IS NULL OR cat.id IS NOT NULL), false) AS ok
FROM p
LEFT JOIN orders o ON o.client_id = p.client_id
    AND o.valid_from <= p.start_at::date AND (o.valid_to IS NULL OR o.valid_to >= p.start_at::date)
LEFT JOIN catalogue cat ON cat.key = lower(p.intervention_raw)
LEFT JOIN repeated r ON r.besoks_id = p.external_id
"""

_SUMMARY_SQL = """
SELECT count(*) FILTER (WHERE NOT ok), count(*), min(start_at), max(start_at) FROM {parsed}
"""

# Every error of every row, in the file's row numbering: a row's number is its place among the
# staging table's rows (one COPY into a fresh table stores them in the file's order) plus the
# header. The reasons are parameters: fixed texts, never a cell.
_ERRORS_SQL = """
WITH numbered AS (
    SELECT ctid AS tid, row_number() OVER (ORDER BY ctid) + %(offset)s AS row_no,
           nullif(btrim(personnummer), '') IS NOT NULL AS pn_given,
           nullif(btrim(start), '') IS NOT NULL AS start_given,
           nullif(btrim(slut), '') IS NOT NULL AS end_given,
           nullif(btrim(status), '') IS NOT NULL AS status_given
    FROM {staging}
),
bad AS (SELECT * FROM {parsed} WHERE NOT ok)
INSERT INTO uppfoljning_visitimporterror (visit_import_id, "row", "column", message)
SELECT %(import)s, n.row_no, e.col, e.message
FROM bad b
JOIN numbered n ON n.tid = b.tid
CROSS JOIN LATERAL (VALUES
    (1, %(c_id)s, CASE
        WHEN b.external_id IS NULL THEN %(m_id_missing)s
        WHEN length(b.external_id) > %(max_id)s THEN %(m_id_long)s
        WHEN b.repeated THEN %(m_id_repeated)s END),
    (2, %(c_pn)s, CASE
        WHEN NOT n.pn_given THEN %(m_pn_missing)s
        WHEN b.client_id IS NULL AND b.pn12 IS NULL THEN %(m_pn_form)s
        WHEN b.client_id IS NULL AND NOT {valid_number} THEN %(m_pn_invalid)s
        WHEN b.order_id IS NULL AND b.start_at IS NOT NULL THEN %(m_no_order)s END),
    (3, %(c_start)s, CASE
        WHEN NOT n.start_given THEN %(m_start_missing)s
        WHEN b.start_at IS NULL THEN %(m_start_invalid)s
        WHEN b.start_at > now() THEN %(m_future)s END),
    (4, %(c_end)s, CASE
        WHEN NOT n.end_given THEN %(m_end_missing)s
        WHEN b.end_at IS NULL THEN %(m_end_invalid)s
        WHEN b.start_at IS NULL THEN NULL
        WHEN b.end_at <= b.start_at THEN %(m_end_before)s
        WHEN b.end_at - b.start_at > %(max_length)s THEN %(m_too_long)s END),
    (5, %(c_staff)s, CASE
        WHEN b.staff IS NULL THEN %(m_staff_missing)s
        WHEN length(b.staff) > %(max_staff)s THEN %(m_staff_long)s END),
    (6, %(c_intervention)s, CASE
        WHEN b.intervention_given AND b.intervention_id IS NULL THEN %(m_intervention)s END),
    (7, %(c_status)s, CASE
        WHEN NOT n.status_given THEN %(m_status_missing)s
        WHEN b.status IS NULL THEN %(m_status)s END)
) AS e(position, col, message)
WHERE e.message IS NOT NULL
ORDER BY n.row_no, e.position
"""

# A visit sent again with a start in another month: out of its old month first, so a besöks-id
# is never in two months (the key is provider, month and besöks-id).
_MOVED_SQL = """
DELETE FROM uppfoljning_performedvisit v
USING {parsed} p
WHERE v.provider_id = %(provider)s AND v.external_id = p.external_id
  AND v.month <> date_trunc('month', p.start_at)::date
"""

_VISIT_COLUMNS = """provider_id, month, external_id, client_id, order_id, start, "end", minutes,
        staff, intervention_type_id, status, reason, outside_window, visit_import_id"""
_VISIT_ROWS = """
    SELECT %(provider)s, date_trunc('month', p.start_at)::date,
           p.external_id, p.client_id, p.order_id, p.start_at, p.end_at,
           round(extract(epoch FROM p.end_at - p.start_at) / 60)::int,
           p.staff, p.intervention_id, p.status, p.reason,
           p.start_at::time < %(window_start)s OR p.end_at::time > %(window_end)s
           OR p.end_at::date <> p.start_at::date,
           %(import)s
    FROM {parsed} p"""

# The provider's first visits of the months (the usual monthly file): a plain INSERT, straight
# into the month's partition when there is one. An upsert would pay a speculative insertion per
# row for conflicts that cannot happen.
# In the key's order (the provider's besöks-ids are then appended to the primary key's range
# of the provider, page after page, instead of scattered over it): measured 25 % faster into a
# month that holds other providers' visits, the sort included.
_INSERT_SQL = """
WITH saved AS (
    INSERT INTO {target} ({visit_columns}){visit_rows}
    ORDER BY p.external_id
    RETURNING 1
)
SELECT count(*) FROM saved
"""

_UPSERT_SQL = """
WITH saved AS (
    INSERT INTO uppfoljning_performedvisit AS v ({visit_columns}){visit_rows}
    ORDER BY p.external_id
    ON CONFLICT (provider_id, month, external_id) DO UPDATE SET
        client_id = EXCLUDED.client_id, order_id = EXCLUDED.order_id, start = EXCLUDED.start,
        "end" = EXCLUDED."end", minutes = EXCLUDED.minutes, staff = EXCLUDED.staff,
        intervention_type_id = EXCLUDED.intervention_type_id, status = EXCLUDED.status,
        reason = EXCLUDED.reason, outside_window = EXCLUDED.outside_window,
        visit_import_id = EXCLUDED.visit_import_id
    -- A visit sent again unchanged is left alone (no dead row, no index entry).
    WHERE (v.client_id, v.order_id, v.start, v."end", v.staff, v.intervention_type_id,
           v.status, v.reason, v.outside_window)
          IS DISTINCT FROM
          (EXCLUDED.client_id, EXCLUDED.order_id, EXCLUDED.start, EXCLUDED."end",
           EXCLUDED.staff, EXCLUDED.intervention_type_id, EXCLUDED.status, EXCLUDED.reason,
           EXCLUDED.outside_window)
    RETURNING 1
)
SELECT count(*) FROM saved
"""

# The rows whose visit is there already (a partitioned table cannot return xmax, by which an
# upsert would tell an insert from an update).
_EXISTING_SQL = """
SELECT count(*) FROM {parsed} p
JOIN uppfoljning_performedvisit v ON v.provider_id = %(provider)s
    AND v.month = date_trunc('month', p.start_at)::date
    AND v.external_id = p.external_id
"""


def _messages(channel: str) -> dict:
    names = {c.name: (c.api_field if channel == ImportChannel.API else c.name) for c in COLUMNS}
    return {
        "c_id": names["besoks_id"],
        "c_pn": names["personnummer"],
        "c_start": names["start"],
        "c_end": names["slut"],
        "c_staff": names["personal"],
        "c_intervention": names["insats"],
        "c_status": names["status"],
        "m_id_missing": _("Besöks-id saknas."),
        "m_id_long": _("Besöks-id får vara högst %(max)s tecken.") % {"max": MAX_EXTERNAL_ID},
        "m_id_repeated": _("Samma besöks-id finns på flera rader."),
        "m_pn_missing": _("Personnummer saknas."),
        "m_pn_form": _(
            "Personnumret har fel form: skriv ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, ÅÅMMDD-NNNN "
            "eller ÅÅMMDD+NNNN."
        ),
        "m_pn_invalid": _(
            "Personnumret är inte giltigt: datumet finns inte eller kontrollsiffran stämmer inte."
        ),
        "m_no_order": _(
            "Ingen brukare med det personnumret har en beställning hos er som gäller den dag "
            "besöket börjar."
        ),
        "m_start_missing": _("Start saknas."),
        "m_start_invalid": _(
            "Start är ingen giltig tidpunkt: skriv ÅÅÅÅ-MM-DD TT:MM, t.ex. 2026-10-01 07:30."
        ),
        "m_future": _("Besöket börjar i framtiden."),
        "m_end_missing": _("Slut saknas."),
        "m_end_invalid": _(
            "Slut är ingen giltig tidpunkt: skriv ÅÅÅÅ-MM-DD TT:MM, t.ex. 2026-10-01 08:15."
        ),
        "m_end_before": _("Slut måste vara efter start."),
        "m_too_long": _("Besöket är längre än %(hours)s timmar.") % {"hours": MAX_HOURS},
        "m_staff_missing": _("Personal saknas."),
        "m_staff_long": _("Personalkoden får vara högst %(max)s tecken.") % {"max": MAX_STAFF},
        "m_intervention": _("Insatsen finns inte i kommunens insatskatalog."),
        "m_status_missing": _("Status saknas."),
        "m_status": _("Okänd status: skriv utförd, avböjd eller frånvaro."),
    }


def _params(visit_import: VisitImport) -> dict:
    municipality = visit_import.provider.municipality
    words = sorted(STATUS_WORDS)
    # The statuses as files usually write them, for a hash lookup of the cell as written.
    spellings = {v: str(STATUS_WORDS[w]) for w in words for v in (w, w.capitalize(), w.upper())}
    return {
        "tz": settings.TIME_ZONE,
        "provider": visit_import.provider_id,
        "municipality": municipality.pk,
        "import": visit_import.pk,
        "words": words,
        "codes": [str(STATUS_WORDS[w]) for w in words],
        "status_spellings": list(spellings),
        "status_spelling_codes": list(spellings.values()),
        "max_id": MAX_EXTERNAL_ID,
        "max_staff": MAX_STAFF,
        "max_length": datetime.timedelta(hours=MAX_HOURS),
        "window_start": municipality.ramtid_window_start,
        "window_end": municipality.ramtid_window_end,
        # A file's first row of data is row 2 (the header is row 1); a batch's first is row 1.
        "offset": 1 if visit_import.channel == ImportChannel.FILE else 0,
        "this_year": timezone.localdate().year,
    }


def _sql(template: str, import_id: int, *, target: str = "") -> str:
    quote = connection.ops.quote_name
    # The shared column list and rows first: they name {parsed} themselves.
    template = template.replace("{visit_columns}", _VISIT_COLUMNS)
    template = template.replace("{visit_rows}", _VISIT_ROWS)
    return template.format(
        target=quote(target) if target else "",
        staging=quote(staging_table(import_id)),
        parsed=quote(parsed_table(import_id)),
        start_at=_moment("s.start"),
        end_at=_moment("s.slut"),
        twelve=_twelve_digits("replace(btrim(s.personnummer), ' ', '')"),
        twelve_of_spelling=_twelve_digits("v.spelling"),
        valid_number=_valid_number("b.pn12"),
    )


def _progress(visit_import: VisitImport, rows_done: int) -> None:
    VisitImport.objects.filter(pk=visit_import.pk).update(rows_done=rows_done)


# Work memory for the import's statements: the repeated-id check hashes every besöks-id, and
# spilling 2.5 million of them to disk would double the time of a month.
WORK_MEM = "256MB"


@contextmanager
def _import_session(cursor):
    """The import's statements read and write times in Swedish time (a cast of a cell reads its
    wall clock; a date, a month or a time of day is Swedish), with room to hash every besöks-id.
    Set for the transaction and put back after, since a savepoint's settings outlive it."""
    cursor.execute("SELECT current_setting('TimeZone'), current_setting('work_mem')")
    zone, work_mem = cursor.fetchone()
    cursor.execute(
        "SELECT set_config('TimeZone', %s, true), set_config('work_mem', %s, true)",
        [settings.TIME_ZONE, WORK_MEM],
    )
    # On an error the (sub)transaction's rollback undoes the settings.
    yield
    cursor.execute(
        "SELECT set_config('TimeZone', %s, true), set_config('work_mem', %s, true)",
        [zone, work_mem],
    )


def _check_and_save(visit_import: VisitImport) -> None:
    params = _params(visit_import)
    import_id = visit_import.pk
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor, _import_session(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quote(parsed_table(import_id))}")
        # Every join of the rows to the few thousand clients and orders is a hash lookup; the
        # planner, not knowing how the spellings match, would otherwise probe an index per row.
        cursor.execute("SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off")
        cursor.execute(_sql(_PARSE_SQL, import_id), params)
        cursor.execute(_sql(_SUMMARY_SQL, import_id))
        errors, rows, first, last = cursor.fetchone()
    _progress(visit_import, visit_import.rows_total // 2)
    if errors:
        _reject_checked(visit_import, params)
    else:
        _save(visit_import, params, rows=rows, first=first, last=last)


@transaction.atomic
def _reject_checked(visit_import: VisitImport, params: dict) -> None:
    with connection.cursor() as cursor, _import_session(cursor):
        cursor.execute(
            _sql(_ERRORS_SQL, visit_import.pk), {**params, **_messages(visit_import.channel)}
        )
    _finish_rejected(visit_import)


def _months(first: datetime.datetime, last: datetime.datetime) -> list[datetime.date]:
    start = first_of_month(timezone.localtime(first).date())
    end = first_of_month(timezone.localtime(last).date())
    months = [start]
    while months[-1] < end:
        months.append(next_month(months[-1]))
    return months


@transaction.atomic
def _save(visit_import: VisitImport, params: dict, *, rows: int, first, last) -> None:
    created = updated = moved = existing = 0
    months: list[datetime.date] = []
    with connection.cursor() as cursor, _import_session(cursor):
        if len(connection.atomic_blocks) == 1:
            # The import's own transaction (the Celery task's) commits without waiting for its
            # WAL to reach the disk: a crash in that moment loses at most this import (its
            # visits and its "done" together), which the provider sends again; nothing is
            # corrupted (PostgreSQL replays the WAL up to the last flushed commit). Not for a
            # batch inside an API request's transaction, whose other writes it would share.
            cursor.execute("SET LOCAL synchronous_commit = off")
        # One import of a provider at a time: two would race to move the same visit.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('uppfoljning.visit_import'), %s)",
            [visit_import.provider_id],
        )
        if rows:
            months = _months(first, last)
            ensure_month_partitions(months)
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM uppfoljning_performedvisit WHERE provider_id = %s),"
                " EXISTS (SELECT 1 FROM uppfoljning_performedvisit"
                "         WHERE provider_id = %s AND month = ANY(%s))",
                [visit_import.provider_id, visit_import.provider_id, months],
            )
            anywhere, in_months = cursor.fetchone()
            if anywhere:
                cursor.execute(_sql(_MOVED_SQL, visit_import.pk), params)
                moved = cursor.rowcount
            if in_months:
                cursor.execute(_sql(_EXISTING_SQL, visit_import.pk), params)
                existing = cursor.fetchone()[0]
                cursor.execute(_sql(_UPSERT_SQL, visit_import.pk), params)
                (saved,) = cursor.fetchone()
            else:
                # Through the parent: the application's role has no rights on a partition
                # the owner's function made after `migrate` granted it the tables.
                target = "uppfoljning_performedvisit"
                cursor.execute(_sql(_INSERT_SQL, visit_import.pk, target=target), params)
                (saved,) = cursor.fetchone()
            # Every row not there before was inserted; the rest of the rows saved were changed
            # (an unchanged visit is not saved again). A moved visit was deleted from its old
            # month and inserted into its new one: an update, not a new visit.
            created = rows - existing
            updated = saved - created + moved
            created -= moved
    VisitImport.objects.filter(pk=visit_import.pk).update(
        status=ImportStatus.DONE,
        rows_done=visit_import.rows_total,
        created_count=created,
        updated_count=updated,
        error_count=0,
        # From the first start's month to the last's (the partitions made for them).
        months=[f"{m:%Y-%m}" for m in months],
        finished_at=timezone.now(),
    )
    _drop_work_tables(visit_import.pk)


# ---------------------------------------------------------------------------------------------
# Rejection and the task's service


def _reject(visit_import: VisitImport, errors: list[tuple[int, str, str]]) -> VisitImport:
    """Reject an import that could not be read at all (its few errors come from Python)."""
    channel = visit_import.channel
    renamed = {c.name: c.api_field for c in COLUMNS} if channel == ImportChannel.API else {}
    VisitImportError.objects.bulk_create(
        VisitImportError(
            visit_import=visit_import, row=row, column=renamed.get(column, column), message=text
        )
        for row, column, text in errors
    )
    _finish_rejected(visit_import)
    visit_import.refresh_from_db()
    return visit_import


def _finish_rejected(visit_import: VisitImport) -> None:
    errors = VisitImportError.objects.filter(visit_import=visit_import)
    preview = [
        {"row": e.row, "column": e.column, "message": e.message}
        for e in errors.order_by("row", "id")[:ERROR_PREVIEW]
    ]
    VisitImport.objects.filter(pk=visit_import.pk).update(
        status=ImportStatus.REJECTED,
        error_count=errors.count(),
        errors=preview,
        rows_done=visit_import.rows_total,
        created_count=0,
        updated_count=0,
        finished_at=timezone.now(),
    )
    _drop_work_tables(visit_import.pk)


def run_import(*, import_id: int) -> VisitImport:
    """Check and save a queued file import (the Celery task's service). Idempotent: an import
    already done or rejected is left as it is, and two workers given the same import do not
    both run it (a session advisory lock; a crashed run left nothing, so it runs again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(hashtext('uppfoljning.run_import'), %s)", [import_id]
        )
        if not cursor.fetchone()[0]:
            return VisitImport.objects.get(pk=import_id)
    try:
        claimed = VisitImport.objects.filter(
            pk=import_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        ).update(status=ImportStatus.RUNNING)
        visit_import = VisitImport.objects.select_related("provider__municipality").get(
            pk=import_id
        )
        if not claimed:
            return visit_import
        try:
            _check_and_save(visit_import)
        except OperationalError:
            raise  # the task retries; nothing was saved
        except Exception:
            with transaction.atomic():
                VisitImport.objects.filter(pk=import_id).update(
                    status=ImportStatus.FAILED, finished_at=timezone.now()
                )
                _drop_work_tables(import_id)
            raise
        visit_import.refresh_from_db()
        return visit_import
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(hashtext('uppfoljning.run_import'), %s)", [import_id]
            )
