"""Reading one cell: dates, amounts, yes/no, languages and choices as offices write them.

Each reader takes the raw cell (text from a CSV, or a typed value from a workbook) and
returns the value, or raises `CellError` with a message that says what is expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from palier.lib.text import fold
from palier.lib.words import words as _  # said again in each reader's language


class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.time):
        # Excel turns 2025-01-02, 3:04 or 1/2 typed in a cell into a date of its own; what
        # was typed is lost, and storing the date as the phone number would hide that.
        raise CellError(
            _(
                "Excel made a date of this cell (%(value)s): format the column as text, "
                "write the value again, and import the file again."
            )
            % {"value": value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value}
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number a workbook stored as 10042.0
    return str(value).strip()


def limited(max_length: int) -> Callable[[object], str]:
    def read(value: object) -> str:
        out = text(value)
        if len(out) > max_length:
            raise CellError(
                _("At most %(count)s characters (this one has %(length)s).")
                % {"count": max_length, "length": len(out)}
            )
        return out

    return read


_SWISS_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T][0-9:.]*)?$")


def date(value: object) -> dt.date | None:
    """2026-03-31 or 31.03.2026 (a workbook's own dates too). A date with slashes is
    refused: 03/04/2026 is the 3rd of April in Geneva and the 4th of March in a US export."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    try:
        if match := _SWISS_DATE.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if _ISO_DATE.match(raw):
            return dt.date.fromisoformat(raw[:10])
    except ValueError:
        pass
    return _bad_date(raw)


def _bad_date(raw: str):
    raise CellError(
        _("“%(value)s” is not a date: write 2026-03-31 or 31.03.2026.") % {"value": raw[:40]}
    )


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def decimal(value: object, *, minimum: Decimal = Decimal(0), maximum: Decimal = Decimal(100_000)):
    """1234.50, 1'234.50 (Swiss thousands), 1234,50 (a decimal comma) or a workbook's number.
    Never rounded: an amount with more than two decimals is a problem, not a guess; nor
    1e3, inf or nan, which Python reads but no office means as an amount."""
    if value in (None, ""):
        return None
    if isinstance(value, float):
        # A formula's float noise (165.00000000000003) is no decimal anyone wrote.
        number = Decimal(str(round(value, 9)))
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = text(value).replace("'", "").replace("’", "").replace(" ", "").replace("\u202f", "")
        raw = raw.removeprefix("CHF").strip()
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        if not _PLAIN_NUMBER.match(raw):
            raise CellError(
                _("“%(value)s” is not a number: write 185.00.") % {"value": text(value)[:40]}
            )
        number = Decimal(raw)
    if not number.is_finite() or not minimum <= number <= maximum:
        raise CellError(_("A number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum})
    places = -number.normalize().as_tuple().exponent
    if places > 2:
        raise CellError(_("At most 2 decimals (this one has %(count)s).") % {"count": places})
    return number.quantize(Decimal("0.01"))


_YES = {"yes", "y", "true", "1", "x", "oui", "o", "ja", "j", "si", "vrai", "wahr", "vero"}
_NO = {"no", "n", "false", "0", "non", "nein", "faux", "falsch", "falso", ""}


def boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(text(value))
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(_("Write yes or no."))


_LANGUAGES = {
    "en": "en", "english": "en", "anglais": "en", "englisch": "en", "inglese": "en",
    "fr": "fr", "french": "fr", "francais": "fr", "franzosisch": "fr", "francese": "fr",
    "de": "de", "german": "de", "allemand": "de", "deutsch": "de", "tedesco": "de",
    "it": "it", "italian": "it", "italien": "it", "italienisch": "it", "italiano": "it",
}  # fmt: skip


def language(value: object) -> str | None:
    raw = fold(text(value))
    if not raw:
        return None
    code = _LANGUAGES.get(raw) or _LANGUAGES.get(raw.split("-")[0].split("_")[0])
    if code is None:
        raise CellError(_("A language: en, fr, de or it."))
    return code


def choice(words: dict[str, str], expected: str) -> Callable[[object], str | None]:
    """A reader of a code given as the code itself or one of its words (folded)."""
    table = {fold(k): v for k, v in words.items()}

    def read(value: object) -> str | None:
        raw = fold(text(value))
        if not raw:
            return None
        if raw in table:
            return table[raw]
        raise CellError(expected)

    return read


def listing(value: object) -> list[str]:
    """Codes in one cell, separated by commas, semicolons, pipes or line breaks."""
    return [part.strip() for part in re.split(r"[,;|\n]", text(value)) if part.strip()]
