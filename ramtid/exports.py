"""Files for spreadsheets, in one place for every export: CSV as Swedish Excel opens it (UTF-8
with a BOM, semicolons, CRLF), whole or streamed, and Excel files (xlsxwriter), with no cell a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse

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


def xlsx_response(
    filename: str, sheets: Iterable[tuple[str, Iterable, Iterable[Iterable]]]
) -> HttpResponse:
    """An Excel file with a sheet per (title, header, rows): text is written as text, never
    as a formula or a number guessed from it, and formula-like text is made safe as in the CSV;
    numbers stay numbers, the header is bold and stays in view."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    for title, header, rows in sheets:
        sheet = workbook.add_worksheet(title[:31])  # Excel's longest sheet name
        sheet.write_row(0, 0, [str(cell) for cell in header], bold)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):  # dates, text
                    sheet.write_string(index, column, spreadsheet_safe(str(value)))
                else:
                    sheet.write_number(index, column, value)
        sheet.freeze_panes(1, 0)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
