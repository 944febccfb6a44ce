"""Text folding shared by indexing and querying, so both sides match alike."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, without diacritics: 'Größe', 'GROESSE' stay apart, 'Élément' = 'element'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str, *, limit: int = 12) -> list[str]:
    """The search words of a user's query, folded, at most `limit` of them."""
    return [w for w in _WORD.findall(fold(text)) if w.strip("_")][:limit]
