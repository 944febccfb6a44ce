"""Keyset (cursor) pagination: a page costs the same at row 50 and at row 100,000."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from palier.lib.compiled import connection_cache, convert_row
from palier.lib.errors import DomainError

# sort name -> (field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "-created": ("id", True),
    "created": ("id", False),
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
}


class InvalidCursor(DomainError):
    code = "invalid_cursor"


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode(sort: str, value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps({"s": sort, "v": value, "id": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def encode_cursor(sort: str, value: Any, pk: int) -> str:
    """The cursor of the rows after the one whose sort value is `value` and id is `pk`."""
    return _encode(sort, value, pk)


def cursor_position(cursor: str, sort: str) -> tuple[Any, int]:
    """The sort value and id of the last row before `cursor` (InvalidCursor if it is not a
    cursor of this sort)."""
    return _decode(cursor, sort)


def check_cursor_id(pk: Any) -> int:
    """The row id a decoded cursor holds: a JSON integer a row can have (1 to 2**63 - 1).
    ValueError for anything else: a string ("12"), a float, a boolean, 0 or below (an empty
    list), or an id past 64 bits (which the database driver refuses). Every cursor, of an
    id, instant or expression sort (web.agent.sorting), reads its id through here."""
    if type(pk) is not int or not 0 < pk < 2**63:
        raise ValueError("a cursor's id is a row's id")
    return pk


def _decode(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != sort:
            raise ValueError("cursor of another sort")
        pk = check_cursor_id(data["id"])
        value = data["v"]
        if SORTS[sort][0] == "id":
            if type(value) is not int or value != pk:
                raise ValueError("an id sort's value is the row's id")
        else:
            value = dt.datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("a cursor's instant carries its offset")
            # In UTC here, where an instant at the calendar's edge (year 1 or 9999 with an
            # offset) fails as an invalid cursor rather than in the database adapter.
            value = value.astimezone(dt.UTC)
        return value, pk
    except (ValueError, KeyError, TypeError, OverflowError, json.JSONDecodeError) as exc:
        raise InvalidCursor(_("This cursor is not valid for this list.")) from exc


def keyset_page(
    qs: QuerySet,
    *,
    sort: str,
    cursor: str | None,
    limit: int,
    late_rows: bool = False,
    fallback: QuerySet | None = None,
    values: tuple[str, ...] = (),
) -> Page:
    """One page of `qs` after `cursor`, and the cursor of the next page.

    `late_rows` finds the page's ids first with a query on the filtered table alone, then
    loads those rows with everything `qs` joins (select_related, prefetch_related). Use it
    for wide lists: the planner picks the filter's plan (index walk, full-text index) on a
    two-table problem instead of a seven-table one, and PostgreSQL stops spending more time
    planning than executing. It costs one more, constant, query.

    `fallback` (with `late_rows`): `qs` is a cheaper query whose rows are a prefix, in this
    sort, of the rows of `fallback`; when `qs` does not fill the page, the page's ids are
    taken from `fallback` instead (one more query).

    `values` (with `late_rows`): the page's items are dicts of these fields (joins spelt
    `customer__name`) instead of model instances. A list that shows a few columns of each row
    and its relations then builds no model at all: at 50 rows with six relations that is
    ~300 instances, most of a page's ORM time. They must include the sort field.
    """
    if sort not in SORTS:
        raise DomainError(
            _("Unknown sort; use one of %(sorts)s.") % {"sorts": ", ".join(SORTS)},
            code="invalid_sort",
        )
    field, descending = SORTS[sort]
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    if field == "id":
        order = order[:1]
    after = _after(cursor, sort, field, descending)
    qs = qs.order_by(*order).filter(after)
    if late_rows and not qs.query.annotations:
        if fallback is not None:
            fallback = fallback.order_by(*order).filter(after)
        rows = _late_rows(qs, limit + 1, fallback, values)
    elif values:
        rows = list(qs.values(*values)[: limit + 1])
    else:
        rows = list(qs[: limit + 1])
    return _page(rows, sort, limit)


def _page(rows: list[Any], sort: str, limit: int) -> Page:
    """The page of `rows` (the first `limit + 1` after the cursor, in the sort's order)."""
    field = SORTS[sort][0]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        if isinstance(last, dict):
            next_cursor = _encode(sort, last[field], last["id"])
        else:
            next_cursor = _encode(sort, getattr(last, field), last.pk)
    return Page(items=rows, next_cursor=next_cursor)


def page_of_ids(
    model: type, ids: list[int], *, sort: str, limit: int, values: tuple[str, ...], using: str
) -> Page | None:
    """The page keyset_page gives when the rows after the cursor are `ids`, in the sort's
    order (the caller knows them already: one query fewer); None when an id is no row, and
    the caller asks keyset_page instead."""
    pks = ids[: limit + 1]
    if not pks:
        return Page(items=[], next_cursor=None)
    by_id = {row["id"]: row for row in _rows_by_ids(model, using, values, pks)}
    if len(by_id) < len(pks):
        return None
    return _page([by_id[pk] for pk in pks], sort, limit)


def _after(cursor: str | None, sort: str, field: str, descending: bool) -> Q:
    """The condition for rows after `cursor` in this sort."""
    if not cursor:
        return Q()
    value, pk = _decode(cursor, sort)
    if field == "id":
        return Q(id__lt=pk) if descending else Q(id__gt=pk)
    if descending:
        return Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": pk})
    return Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": pk})


def _late_rows(
    qs: QuerySet, count: int, fallback: QuerySet | None, values: tuple[str, ...]
) -> list[Any]:
    pks = list(qs.values_list("pk", flat=True)[:count])
    if len(pks) < count and fallback is not None:
        pks = list(fallback.values_list("pk", flat=True)[:count])
    if not pks:
        return []
    if values:
        by_id = {row["id"]: row for row in _rows_by_ids(qs.model, qs.db, values, pks)}
        return [by_id[pk] for pk in pks if pk in by_id]
    rows_qs = qs.model._default_manager.filter(pk__in=pks)
    rows_qs.query.select_related = qs.query.select_related
    rows_qs.query.deferred_loading = qs.query.deferred_loading
    if qs._prefetch_related_lookups:
        rows_qs = rows_qs.prefetch_related(*qs._prefetch_related_lookups)
    by_pk = {row.pk: row for row in rows_qs}
    return [by_pk[pk] for pk in pks if pk in by_pk]


@dataclass(frozen=True)
class _RowsStatement:
    sql: str
    names: tuple[str, ...]
    converters: list[tuple[int, list, Any]]
    json_ids: bool  # SQLite: the ids go as one JSON array, PostgreSQL: as one array


# Per database connection (they are per thread; lib.compiled.connection_cache), the compiled
# statement that reads the `values` of a model's rows by id: always the same text, the ids
# one array parameter.


def _rows_statement(model: type, using: str, values: tuple[str, ...]) -> _RowsStatement:
    connection = connections[using]
    cache = connection_cache(connection, "rows_statements")
    statement = cache.get((model, values))
    if statement is None:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        postgres = connection.vendor == "postgresql"
        if postgres:
            any_id = f"{table}.{pk} = ANY(%s)"  # quoted names, the ids a parameter
            condition = RawSQL(any_id, [None], output_field=BooleanField())  # noqa: S611
            qs = model._default_manager.using(using).filter(condition)
        else:
            ids = RawSQL("SELECT value FROM json_each(%s)", [None])  # noqa: S611
            qs = model._default_manager.using(using).filter(pk__in=ids)
        compiler = qs.values(*values).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params) != [None]:
            raise AssertionError(f"one parameter expected, not {params!r}")
        converters = compiler.get_converters([column[0] for column in compiler.select])
        query = compiler.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        statement = _RowsStatement(
            sql=sql,
            names=names,
            converters=[(i, convs, expr) for i, (convs, expr) in converters.items()],
            json_ids=not postgres,
        )
        cache[(model, values)] = statement
    return statement


def rows_by_ids(
    model: type, pks: list[int], values: tuple[str, ...], *, using: str = "default"
) -> list[dict[str, Any]]:
    """`model.objects.filter(pk__in=pks).values(*values)`, unordered, by a statement
    compiled once per connection (see _rows_by_ids)."""
    return _rows_by_ids(model, using, values, pks)


def _rows_by_ids(
    model: type, using: str, values: tuple[str, ...], pks: list[int]
) -> list[dict[str, Any]]:
    """`model.objects.filter(pk__in=pks).values(*values)`, unordered, without building and
    compiling the query each time: the statement is compiled once (a ~25-column join costs
    ~1 ms to build and compile, more than PostgreSQL takes to answer it)."""
    statement = _rows_statement(model, using, values)
    connection = connections[using]
    param: Any = json.dumps(pks) if statement.json_ids else list(pks)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [param])
        rows = cursor.fetchall()
    if statement.converters:
        rows = [convert_row(row, statement.converters, connection) for row in rows]
    names = statement.names
    return [dict(zip(names, row, strict=True)) for row in rows]
