"""Template files of each import, with the headers in one of the four languages."""

from __future__ import annotations

import csv
import io

from palier.imports.columns import LANGUAGES
from palier.imports.kinds import KINDS


def headers(kind: str, language: str) -> list[str]:
    return [c.header(language) + (" *" if c.required else "") for c in KINDS[kind].columns]


def template_csv(kind: str, language: str) -> bytes:
    """UTF-8 with a byte-order mark and semicolons: what Excel opens right in Switzerland."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(headers(kind, language))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def template_xlsx(kind: str, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = kind[:31]
    sheet.append(headers(kind, language))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def available() -> list[tuple[str, str]]:
    return [(kind, lang) for kind in KINDS for lang in LANGUAGES]
