"""Values a command prints, one record a line (`palier outbox failures`, `palier token list`).

A text from the desk (an error, a name) may hold a tab, a line break, U+2028, an escape
sequence or a bidi control: printed as is, it splits a record in two, shifts its columns, or
rewrites the operator's terminal. `cell` writes those characters as escapes (`\\t`,
`\\u2028`, `\\x1b`), and the backslash as `\\\\` so that an escape is never ambiguous. An
instant is printed with its zone (ISO 8601, the desk's TIME_ZONE, `Z` for UTC): a bare
"22:05" is read as local time whatever it was.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.utils import timezone

from palier.lib.visible import BIDI_CONTROLS

_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def cell(text: object) -> str:
    """`text` on one line and in one column: controls, line and paragraph separators and
    bidi controls escaped."""
    text = str(text)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escaped(ch) for ch in text)


def instant(value: dt.datetime) -> str:
    """`value` to the second, in the desk's time zone, with its offset (`Z` for UTC)."""
    text = timezone.localtime(value).replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
