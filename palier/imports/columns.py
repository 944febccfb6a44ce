"""The columns of an import: a stable key, the header in each of the four languages (a
template saved in French still imports after a translator rewords the screens, so headers
are data here, not gettext strings), and the reader of its cells."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from palier.imports.values import text
from palier.lib.text import fold

LANGUAGES = ("en", "fr", "de", "it")


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    fr: str
    de: str
    it: str
    read: Callable[[object], object] = text
    required: bool = False

    def header(self, language: str) -> str:
        return getattr(self, language if language in LANGUAGES else "en")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(header.replace("*", ""))).strip()


def match_headers(
    headers: list[str], columns: list[Column]
) -> tuple[dict[int, Column], list[str], list[tuple[int, int]]]:
    """Which column of the file is which (by its header in any of the four languages, or
    its key), the headers not recognised, and the columns that repeat one read already
    (as pairs of indexes: the repeat, the one read)."""
    known: dict[str, Column] = {}
    for column in columns:
        for name in (column.key, *(column.header(lang) for lang in LANGUAGES)):
            known.setdefault(_norm(name), column)
    found: dict[int, Column] = {}
    unknown: list[str] = []
    repeats: list[tuple[int, int]] = []
    taken: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = known.get(_norm(header))
        if column is None:
            if header.strip():
                unknown.append(header)
            continue
        if column.key in taken:
            repeats.append((index, taken[column.key]))
            continue
        found[index] = column
        taken[column.key] = index
    return found, unknown, repeats
