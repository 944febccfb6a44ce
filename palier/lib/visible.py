"""Text a person can see: a line of only invisible characters is no subject, and bidi
controls left open are not allowed to disguise the text after them.

The rule (docs/configuration.md has nothing to set; it is written here):
- Bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) are kept only
  when the line opens and closes them in order, as a right-to-left name needs. A line with
  one left open, or a close without its open, loses all of them: an RLO left open turns
  "invoice_fdp.exe" around for the reader of every list the subject appears in.
- A line is visible when it holds at least one character that prints something: not a
  control, format, private or unassigned character, no space or separator, no combining
  mark on its own, and none of the fillers Unicode draws as blank.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

NOTHING_VISIBLE = _("Write something visible: this text holds only invisible characters.")

_OPENERS = {
    "\u202a": "\u202c",  # LRE
    "\u202b": "\u202c",  # RLE
    "\u202d": "\u202c",  # LRO
    "\u202e": "\u202c",  # RLO
    "\u2066": "\u2069",  # LRI
    "\u2067": "\u2069",  # RLI
    "\u2068": "\u2069",  # FSI
}
BIDI_CONTROLS = frozenset(_OPENERS) | {"\u202c", "\u2069"}
# Letters and symbols that print as blank space.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def _balanced(text: str) -> bool:
    waiting: list[str] = []
    for ch in text:
        if ch in _OPENERS:
            waiting.append(_OPENERS[ch])
        elif ch in ("\u202c", "\u2069") and (not waiting or waiting.pop() != ch):
            return False
    return not waiting


def without_open_bidi(text: str) -> str:
    """`text` with its bidi controls if they are balanced, else without any of them."""
    if not any(ch in BIDI_CONTROLS for ch in text) or _balanced(text):
        return text
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def is_visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] not in "CZM" and ch not in _BLANKS and not ch.isspace()


def has_visible(text: str) -> bool:
    return any(is_visible(ch) for ch in text)


def visible_line(text: str) -> str:
    """A one-line text as it is stored: open bidi controls gone, spaces at its ends gone;
    "" when nothing in it is visible."""
    cleaned = without_open_bidi(text).strip()
    return cleaned if has_visible(cleaned) else ""
