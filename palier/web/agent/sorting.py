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
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from palier.lib.errors import DomainError
from palier.lib.pagination import InvalidCursor, Page, check_cursor_id
from palier.tickets.models import Criticality

_RANK = Case(
    *[When(criticality=code, then=Value(rank)) for rank, code in enumerate(Criticality.values)],
    default=Value(0),
    output_field=IntegerField(),
)

# sort name -> (expression, descending). Nullable columns sort as "" (unknown first).
EXPRESSIONS: dict[str, tuple[Any, bool]] = {
    "criticality": (_RANK, True),  # critical first
    "customer": (F("customer__name"), False),
    "module": (Coalesce(F("module__name"), Value("")), False),
    "type": (Coalesce(F("type"), Value("")), False),
    "status": (F("status"), False),
}


def _encode(sort: str, value: Any, pk: int) -> str:
    raw = json.dumps({"s": sort, "v": value, "id": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Sorts whose key is a number (the others sort text): a cursor's value must be of its kind,
# or the database is asked to compare a rank with text.
NUMERIC = {"criticality"}


def _decode(cursor: str, sort: str) -> tuple[Any, int]:
    """The (sort key, id) a cursor of this sort holds; InvalidCursor for any other cursor,
    forged ones included (a value of the wrong kind, a NUL, an id out of range)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value, pk = data["v"], data["id"]
        if data["s"] != sort:
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
    if sort not in EXPRESSIONS:
        raise DomainError(_("Unknown sort."), code="invalid_sort")
    expression, descending = EXPRESSIONS[sort]
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
