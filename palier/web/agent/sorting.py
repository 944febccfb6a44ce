"""Queue sorts beyond age and activity (which palier.lib.pagination serves from indexes).

Each sort orders by one expression, then by id, and pages by keyset on that pair, so page
50 costs what page 1 costs. These expressions have no index of their own: the database
sorts the rows the filter kept, which is why the queue filter comes first.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palier.customers.models import MODULE_NAME_LANGUAGES
from palier.lib.errors import DomainError
from palier.lib.pagination import InvalidCursor, Page, check_cursor_id
from palier.policy import RequestType
from palier.tickets import labels
from palier.tickets.models import Criticality
from palier.tickets.states import Status
from palier.workspace.menus import word_order

_RANK = Case(
    *[When(criticality=code, then=Value(rank)) for rank, code in enumerate(Criticality.values)],
    default=Value(0),
    output_field=IntegerField(),
)


# sort name -> (expression, descending). Nullable columns sort as "" (unknown first).
# The words a person reads sort by what they read: module names, types and statuses in the
# reader's language (their codes and English names sorted otherwise in French).
def _expression(sort: str, language: str) -> tuple[Any, bool]:
    if sort == "criticality":
        return _RANK, True  # critical first
    if sort == "customer":
        return F("customer__name"), False
    if sort == "module":
        if language in MODULE_NAME_LANGUAGES:
            name = NullIf(F(f"module__name_{language}"), Value(""))
            return Lower(Coalesce(name, F("module__name"), Value(""))), False
        return Lower(Coalesce(F("module__name"), Value(""))), False
    if sort == "type":
        return _words("type", RequestType, labels.request_type), False
    if sort == "status":
        return _words("status", Status, labels.status), False
    raise DomainError(_("Unknown sort."), code="invalid_sort")


def _words(field: str, codes, label) -> Case:
    """A code column as the rank of the words the reader reads for it, ordered as a reader
    orders words (workspace.menus.word_order; the database's own comparison of the words put
    "Wartet auf Patch" before "Wartet auf den Kunden"); none first."""
    words = sorted((word_order(str(label(code.value))), code.value) for code in codes)
    return Case(
        *[When(**{field: code}, then=Value(rank)) for rank, (_word, code) in enumerate(words)],
        default=Value(-1),
        output_field=IntegerField(),
    )


# Sorts whose order depends on the reader's language: their cursors name it.
WORDED = {"module", "type", "status"}


def _cursor_sort(sort: str) -> str:
    """What a cursor names as its sort: with the language where the order depends on it, so
    that a cursor kept across a change of language shows the first page, not a wrong one."""
    return f"{sort}/{_language()}" if sort in WORDED else sort


def _language() -> str:
    return (get_language() or "en")[:2]


def _encode(sort: str, value: Any, pk: int) -> str:
    raw = json.dumps({"s": _cursor_sort(sort), "v": value, "id": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Sorts whose key is a number (the others sort text): a cursor's value must be of its kind,
# or the database is asked to compare a rank with text.
NUMERIC = {"criticality", "type", "status"}


def _decode(cursor: str, sort: str) -> tuple[Any, int]:
    """The (sort key, id) a cursor of this sort holds; InvalidCursor for any other cursor,
    forged ones included (a value of the wrong kind, a NUL, an id out of range)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value, pk = data["v"], data["id"]
        if data["s"] != _cursor_sort(sort):
            raise ValueError("cursor of another sort")
        if sort in NUMERIC:
            if type(value) is not int or not -(2**31) <= value < 2**31:
                raise ValueError("a rank is a number")
        elif type(value) is not str or len(value) > 1000 or "\x00" in value:
            raise ValueError("a text key")
        else:
            value.encode("utf-8")  # a lone surrogate (JSON's "\ud800") raises here, not in SQL
        return value, check_cursor_id(pk)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidCursor(_("This cursor is not valid for this list.")) from exc


def expression_page(qs: QuerySet, *, sort: str, cursor: str | None, limit: int) -> Page:
    expression, descending = _expression(sort, _language())
    qs = qs.annotate(sort_key=expression)
    qs = qs.order_by("-sort_key", "-id") if descending else qs.order_by("sort_key", "id")
    if cursor:
        value, pk = _decode(cursor, sort)
        if descending:
            qs = qs.filter(Q(sort_key__lt=value) | Q(sort_key=value, id__lt=pk))
        else:
            qs = qs.filter(Q(sort_key__gt=value) | Q(sort_key=value, id__gt=pk))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(sort, rows[-1].sort_key, rows[-1].pk)
    return Page(items=rows, next_cursor=next_cursor)
