"""Files for spreadsheets, in one place for every export: CSV as Swedish Excel opens it (UTF-8
with a BOM, semicolons, CRLF), and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

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
