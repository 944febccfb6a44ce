"""Small helpers for reading one row."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def one_or_none(qs: QuerySet[M]) -> M | None:
    """The row of `qs`, a lookup by a unique key (a primary key, a token's hash), or None.

    Unlike `.first()` it asks for no ORDER BY: compiling one costs more than running the
    query on the request paths (~0.2 ms of a ~0.5 ms seven-join select on a ticket).
    """
    for row in qs.order_by()[:1]:
        return row
    return None
