"""Small helpers for reading one row, reading a typed id, and taking a row's id before
inserting it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.signals import post_save, pre_save

from palier.lib.compiled import connection_cache, convert_row

M = TypeVar("M", bound=Model)


def parse_id(text: object) -> int | None:
    """The row id a user typed (a form field, a query parameter), or None: ASCII digits that
    fit a 64-bit integer. `str.isdigit()` also takes "²", which `int()` refuses."""
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 18 else None


def one_or_none(qs: QuerySet[M]) -> M | None:
    """The row of `qs`, a lookup by a unique key (a primary key, a token's hash), or None.

    Unlike `.first()` it asks for no ORDER BY: compiling one costs more than running the
    query on the request paths (~0.2 ms of a ~0.5 ms seven-join select on a ticket).
    """
    for row in qs.order_by()[:1]:
        return row
    return None


def next_id(model: type[Model]) -> int:
    """Take the id the next row of `model`'s table will have, before inserting it.

    Two rows that point at each other (a ticket and its decision) can then be inserted
    with their links in place, instead of inserting one and updating it afterwards. Call it
    inside the write transaction: on SQLite, BEGIN IMMEDIATE holds the write lock, so no one
    else reads the same value; on PostgreSQL the sequence hands each caller its own id.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("next_id() runs inside the transaction that inserts the row.")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            # AUTOINCREMENT tables (Django's on SQLite): `seq` is the largest id ever used.
            cursor.execute(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0) + 1",
                [table],
            )
        return cursor.fetchone()[0]


# Statements written once per model and engine instead of compiled by the ORM on every
# call: on the hot write paths (opening a ticket) compiling an INSERT or a one-table SELECT
# cost more than running it. Same columns, values and conversions as the ORM's.


@functools.cache
def _columns(model: type[Model], vendor: str) -> str:
    """The model's columns for a SELECT, in the order of its concrete fields."""
    table = model._meta.db_table
    qn = connection.ops.quote_name
    return ", ".join(f"{qn(table)}.{qn(f.column)}" for f in model._meta.concrete_fields)


def _converters(model: type[Model], conn: BaseDatabaseWrapper) -> list:
    """Each column's converters, as the ORM's compiler applies them: the backend's (bound to
    this connection, hence kept with it), then the field's."""
    cache = connection_cache(conn, "row_converters")
    if model in cache:
        return cache[model]
    table = model._meta.db_table
    converters = []
    for i, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(table)
        found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if found:
            converters.append((i, found, col))  # as the compiler lists them
    cache[model] = converters
    return converters


def from_row(model: type[M], row: Sequence) -> M:
    """An instance of `model` from a row of its concrete fields' columns, in order."""
    conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: one look-up, not one a value
    values = convert_row(row[: len(model._meta.concrete_fields)], _converters(model, conn), conn)
    return model.from_db(conn.alias, None, values)


@functools.cache
def _select_sql(model: type[Model], column: str, vendor: str) -> str:
    qn = connection.ops.quote_name
    table = model._meta.db_table
    order = []
    for name in model._meta.ordering:
        field = model._meta.get_field(name.lstrip("-"))
        if field.is_relation or field.model is not model:
            raise ValueError(f"{model.__name__}: ordering by {name} is not a plain column")
        order.append(f"{qn(table)}.{qn(field.column)}{' DESC' if name.startswith('-') else ''}")
    sql = f"SELECT {_columns(model, vendor)} FROM {qn(table)} WHERE {qn(table)}.{qn(column)} = %s"
    return f"{sql} ORDER BY {', '.join(order)}" if order else sql


def _fetch(model: type[M], sql: str, value: object) -> list[M]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        rows = cursor.fetchall()
    return [from_row(model, row) for row in rows]


def rows_where(model: type[M], field: str, value: object) -> list[M]:
    """`list(model.objects.filter(<field>=value))`, in the model's ordering, with a
    statement written once."""
    column = model._meta.get_field(field).column
    return _fetch(model, _select_sql(model, column, connection.vendor), value)


@functools.cache
def _select_by_pk_sql(model: type[Model], vendor: str) -> str:
    qn = connection.ops.quote_name
    table = model._meta.db_table
    return (
        f"SELECT {_columns(model, vendor)} FROM {qn(table)}"
        f" WHERE {qn(table)}.{qn(model._meta.pk.column)} = %s LIMIT 1"
    )


def row_by_pk(model: type[M], pk: int) -> M | None:
    """`one_or_none(model.objects.filter(pk=pk))` with a statement written once."""
    found = _fetch(model, _select_by_pk_sql(model, connection.vendor), pk)
    return found[0] if found else None


def _next_id_sql(model: type[Model], vendor: str) -> str:
    """next_id(model) as an expression of an INSERT's values."""
    table = model._meta.db_table
    if vendor == "postgresql":
        return f"nextval(pg_get_serial_sequence('{table}', 'id'))"
    return f"(SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0) + 1)"


@functools.cache
def _insert_plan(
    model: type[Model], vendor: str, with_pk: bool, new_id_for: str | None = None
) -> tuple[str, list, bool]:
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if with_pk or f is not meta.auto_field]
    for field in fields:
        if getattr(field, "generated", False) or hasattr(field, "get_placeholder"):
            raise ValueError(f"{model.__name__}.{field.name}: not a plain column to insert")
    qn = connection.ops.quote_name
    returning = not with_pk and connection.features.can_return_columns_from_insert
    values = ["%s"] * len(fields)
    returned = [qn(meta.pk.column)]
    if new_id_for is not None:
        link = meta.get_field(new_id_for)
        values[fields.index(link)] = _next_id_sql(link.related_model, vendor)
        returned.append(qn(link.column))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
        f" VALUES ({', '.join(values)})"
    )
    if returning:
        sql += f" RETURNING {', '.join(returned)}"
    return sql, [f for f in fields if new_id_for is None or f.name != new_id_for], returning


@functools.cache
def _checked_links(model: type[Model], new_id_for: str | None) -> frozenset:
    """The links `save()` checks for an unsaved related instance: every relation but
    `new_id_for`. A set, because Django asks `field not in fields` for each of the model's
    fields: in a list that was one Field.__eq__ a pair, ~450 for a ticket's row."""
    return frozenset(
        f for f in model._meta.concrete_fields if f.is_relation and f.name != new_id_for
    )


def insert_row(obj: Model, *, new_id_for: str | None = None) -> None:
    """`obj.save(force_insert=True)` for a model without save() override or signal
    receivers, with a statement written once: the same values (defaults, auto_now_add) are
    stored and set on `obj`, and `obj.pk` is the new row's id.

    `new_id_for` names a link to a row not inserted yet: the statement also takes that
    row's id (as next_id() would, in the same transaction) and sets it on `obj`, one
    statement instead of two (a ticket's intake decision, inserted before its ticket)."""
    model = type(obj)
    conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: one look-up, not one a field
    listened = pre_save.has_listeners(model) or post_save.has_listeners(model)
    if new_id_for is not None:
        if not conn.in_atomic_block:
            raise RuntimeError("insert_row(new_id_for=...) runs inside the transaction.")
        if listened or obj.pk is not None or not conn.features.can_return_columns_from_insert:
            link = model._meta.get_field(new_id_for)
            setattr(obj, link.attname, next_id(link.related_model))
            new_id_for = None
    if listened:
        obj.save(force_insert=True)
        return
    obj._prepare_related_fields_for_save(
        operation_name="save", fields=_checked_links(model, new_id_for)
    )
    with_pk = obj.pk is not None
    sql, fields, returning = _insert_plan(model, conn.vendor, with_pk, new_id_for)
    params = []
    for field in fields:
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression") and new_id_for is None:
            obj.save(force_insert=True)  # an expression: the ORM compiles it
            return
        params.append(field.get_db_prep_save(value, conn))
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if not with_pk:
            if returning:
                row = cursor.fetchone()
                obj.pk = row[0]
                if new_id_for is not None:
                    setattr(obj, model._meta.get_field(new_id_for).attname, row[1])
            else:
                obj.pk = conn.ops.last_insert_id(
                    cursor, model._meta.db_table, model._meta.pk.column
                )
    obj._state.adding = False
    obj._state.db = conn.alias
