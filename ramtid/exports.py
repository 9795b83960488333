"""Files for spreadsheets, in one place for every export: CSV as Swedish Excel opens it (UTF-8
with a BOM, semicolons, CRLF), whole or streamed, and Excel files (openpyxl), with no cell a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ramtid.audit import log_access
from ramtid.choices import AccessAction

# Excel reads a cell beginning with these as a formula (a tab or carriage return it skips first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that would start a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download; `rows` may be an iterator (written as it is read)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


class _Line:
    """A file-like object that hands back what the csv writer writes: one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_streaming_response(
    filename: str, header: Iterable, rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """`csv_response` for a file too large to hold: each line is sent as `rows` yields it (an
    export of a whole unit's or provider's orders). Whatever must be logged about the rows is
    logged before: the response is read after the view has returned."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow([str(cell) for cell in header])
        for row in rows:
            yield writer.writerow([spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_cell(sheet, value):
    """A cell as the list shows it: numbers stay numbers, everything else (dates too) is text,
    never a formula (openpyxl would read text starting with "=" as one; the data type is set
    after the value, and formula-like text is made safe as in the CSV besides)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    cell = WriteOnlyCell(sheet, value=spreadsheet_safe(str(value)))
    cell.data_type = "s"
    return cell


def xlsx_response(
    filename: str, sheets: Iterable[tuple[str, Iterable, Iterable[Iterable]]]
) -> HttpResponse:
    """An Excel file with a sheet per (title, header, rows), written row by row (openpyxl's
    write-only mode keeps no sheet in memory): text is written as text, never as a formula or
    a number guessed from it; numbers stay numbers, the header is bold and stays in view."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])  # Excel's longest sheet name
        sheet.freeze_panes = "A2"
        heading = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=spreadsheet_safe(str(value)))
            cell.data_type = "s"
            cell.font = bold
            heading.append(cell)
        sheet.append(heading)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------
# Lists as files: a list declares its columns once, and every export of it goes through here.

FORMATS = ("csv", "xlsx")
EXPORT_CHUNK = 500  # rows read (and decorated) at a time: a long list is never held whole


@dataclass(frozen=True)
class Column:
    """One column of a list's file: its heading and how a row's cell is read. A cell is a
    number, a date or text (None for nothing); `spreadsheet_safe` is applied on writing."""

    heading: str
    value: Callable[[Any], Any]


def local_day(moment) -> datetime.date | None:
    """A point in time as the day it was where the user is (files show days, as lists do)."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def in_chunks(ids: Sequence, read: Callable[[list], Iterable], size: int | None = None):
    """The rows of `ids`, in their order, read `size` (EXPORT_CHUNK) at a time by `read` (which
    reads one chunk with a fixed number of queries): the whole list is never in memory at once."""
    size = size or EXPORT_CHUNK
    for start in range(0, len(ids), size):
        yield from read(list(ids[start : start + size]))


def list_response(
    fmt: str, *, filename: str, title: str, columns: Sequence[Column], rows: Iterable
) -> HttpResponseBase:
    """A list as a file: CSV (streamed line by line) or Excel (written row by row). `rows` may
    be a generator that reads the database chunk by chunk: it is read as the file is written,
    after the view has returned, so whatever must be logged about the rows is logged before."""
    if fmt not in FORMATS:
        raise Http404
    header = [str(column.heading) for column in columns]
    cells = ([column.value(row) for column in columns] for row in rows)
    if fmt == "csv":
        return csv_streaming_response(f"{filename}.csv", header, cells)
    return xlsx_response(f"{filename}.xlsx", [(str(title), header, cells)])


def rows_by_id(queryset: QuerySet, ids: list, prepare: Callable[[list], list] | None = None):
    """One chunk of a list: the rows of `ids` in their order (the queryset's sort is not
    computed again: the ids give it), prepared as the page prepares its rows."""
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return prepare(rows) if prepare else rows


def export_list(
    request,
    fmt: str,
    *,
    queryset: QuerySet,
    columns: Sequence[Column],
    filename: str,
    title: str,
    client_field: str | None = "client_id",
    prepare: Callable[[list], list] | None = None,
    what: str | None = None,
    dated: bool = True,
) -> HttpResponseBase:
    """A list page's rows as a file: the same queryset the page pages through (scoped to the
    user, filtered and sorted), every row of it. Its order and its clients are read first (one
    query) and written to the access log as one "export" row naming them all, as the page logs
    what it shows; then the rows are read and prepared a chunk at a time while the file is
    written. The file's name (`filename`, with today's date unless `dated` is false) and the
    log (`what`, else the title) say what the list is; neither holds personal data."""
    if fmt not in FORMATS:
        raise Http404
    if client_field:
        pairs = list(queryset.values_list("pk", client_field))
        ids = [pk for pk, _client in pairs]
        log_access(
            user=request.user,
            clients=[client for _pk, client in pairs if client is not None],
            action=AccessAction.EXPORT,
            what=f"{what or title}, {'Excel' if fmt == 'xlsx' else 'CSV'}",
            request=request,
        )
    else:
        ids = list(queryset.values_list("pk", flat=True))
    rows = in_chunks(ids, lambda chunk: rows_by_id(queryset, chunk, prepare))
    return list_response(
        fmt,
        filename=f"{filename}-{timezone.localdate():%Y-%m-%d}" if dated else filename,
        title=title,
        columns=columns,
        rows=rows,
    )
