"""CSV cells that a spreadsheet opens as text, never as a formula.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
Excel and LibreOffice ("CSV injection"); such a cell gets a leading apostrophe, which the
spreadsheet shows as text. A plain number (-12.50) is left alone: it is no formula.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text
