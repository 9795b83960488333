"""Reading the Excel files the app writes, as a spreadsheet program would (openpyxl)."""

from __future__ import annotations

import io

import openpyxl


def xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    """Every sheet's rows of cell values, by sheet title. A cell openpyxl reads as a formula
    fails the test: no export may write one."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            formulas = [cell.coordinate for cell in row if cell.data_type == "f"]
            assert not formulas, f"formulas in {sheet.title}: {formulas}"
            rows.append([cell.value for cell in row])
        sheets[sheet.title] = rows
    return sheets


def xlsx_values(content: bytes) -> list:
    """Every cell value of every sheet, in order (for "is it there" assertions)."""
    return [value for rows in xlsx_sheets(content).values() for row in rows for value in row]
