"""Text a person can see: a line of only invisible characters is no subject, and bidi
controls left open are not allowed to disguise the text after them.

The rule (docs/configuration.md has nothing to set; it is written here):
- Bidi embeddings and isolates (U+202A, U+202B, U+2066..U+2068, closed by U+202C and U+2069)
  are kept only when the line opens and closes them in order, as a right-to-left name may
  need. A line with one left open, or a close without its open, loses all of them: an RLO
  left open turns "invoice_fdp.exe" around for the reader of every list it appears in.
- Overrides (LRO U+202D, RLO U+202E) never stay, closed or not, nor the PDF that closes
  them: they force the order letters are drawn in, which no name needs (Hebrew and Arabic
  letters carry their own direction) and which shows "\u202egnp.exe\u202c" as "exe.png".
- A pair that holds nothing visible (U+2066 U+2069 before a word) shows nothing and goes,
  its contents staying: it would otherwise start a subject no reader can see the start of.
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


_OVERRIDES = frozenset("\u202d\u202e")


def _without_overrides(text: str) -> str:
    """A balanced `text` without its overrides and the PDFs that close them."""
    kept: list[str] = []
    waiting: list[bool] = []  # for each open embedding or override: is it an override?
    for ch in text:
        if ch in _OPENERS:
            waiting.append(ch in _OVERRIDES)
            if ch in _OVERRIDES:
                continue
        elif ch in ("\u202c", "\u2069") and waiting.pop():
            continue
        kept.append(ch)
    return "".join(kept)


def without_open_bidi(text: str) -> str:
    """`text` with its bidi embeddings and isolates if they are balanced, else without any
    bidi control; never with an override (see the rule above)."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    if _balanced(text):
        return _without_overrides(text) if any(ch in _OVERRIDES for ch in text) else text
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def without_empty_bidi(text: str) -> str:
    """`text` (its bidi controls balanced) without the pairs that hold nothing visible."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    dropped: set[int] = set()
    waiting: list[tuple[int, bool]] = []  # (an opener's index, whether it holds something)
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            waiting.append((i, False))
        elif ch in ("\u202c", "\u2069") and waiting:
            opened, shown = waiting.pop()
            if shown:
                if waiting:
                    waiting[-1] = (waiting[-1][0], True)
            else:
                dropped.update((opened, i))
        elif waiting and is_visible(ch):
            waiting[-1] = (waiting[-1][0], True)
    return "".join(ch for i, ch in enumerate(text) if i not in dropped)


def is_visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] not in "CZM" and ch not in _BLANKS and not ch.isspace()


def has_visible(text: str) -> bool:
    return any(is_visible(ch) for ch in text)


def visible_line(text: str) -> str:
    """A one-line text as it is stored: open and empty bidi controls gone, spaces at its
    ends gone; "" when nothing in it is visible."""
    cleaned = without_empty_bidi(without_open_bidi(text)).strip()
    return cleaned if has_visible(cleaned) else ""
