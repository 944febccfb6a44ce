"""Tables as CSV and XLSX files a spreadsheet opens safely.

Text that starts with =, +, -, @, a tab or a carriage return would run as a formula in
Excel or LibreOffice (CSV injection). In a CSV file, where every cell is text, such a cell is
written with a leading apostrophe, which the spreadsheet reads as "text follows"; a plain
number (-12.50) is left alone, it is no formula. In an XLSX file every text cell is stored as
text, which no spreadsheet runs: it reads as written, without an apostrophe. Numbers stay
numbers (Decimal and int cells), so sums still work.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_text(value: Any) -> str:
    """A CSV cell a spreadsheet opens as text, never as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return safe_text(value)
    if isinstance(value, int | float | Decimal):
        return value
    return safe_text(value)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value as an XLSX cell: a number stays a number, anything else is stored as text
    (openpyxl would store text starting with "=" as a formula)."""
    from openpyxl.cell.cell import Cell

    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    cell = Cell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    return cell


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel reads UTF-8 umlauts right


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """One sheet per (title, rows); the first row of each is frozen as its header."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
