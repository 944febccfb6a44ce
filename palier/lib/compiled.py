"""Querysets compiled once and run again with other parameters.

Building and compiling a select over a row and its relations costs the ORM more than the
database takes to answer it (a ticket with eight relations, ~130 columns: ~1 ms of Python,
against ~0.1 ms in PostgreSQL). A hot lookup whose statement has a few fixed shapes compiles
each shape once, per database connection, and then only executes it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.utils.connection import ConnectionProxy

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Statement:
    sql: str
    converters: list[tuple[int, list, Any]]
    init_list: list[str]
    start: int
    end: int
    populators: list
    model: type[Model]


def connection_cache(connection: Any, name: str) -> dict:
    """A dict that lives as long as `connection` (Django's wrapper; one per thread), kept on
    the wrapper itself. What it holds refers to the connection (converters are bound to its
    operations): kept anywhere else, even in a WeakKeyDictionary whose values refer to their
    key, it would keep every thread's connection alive after the thread has ended.
    `django.db.connection` (a proxy shared by every thread) names its thread's wrapper."""
    if isinstance(connection, ConnectionProxy):
        connection = connections[connection._alias]
    cache = vars(connection).get(f"_palier_{name}")
    if cache is None:
        cache = vars(connection)[f"_palier_{name}"] = {}
    return cache


def _compile(qs: QuerySet, params: Sequence[Any]) -> _Statement | None:
    """The statement of `qs`, if its parameters are `params` in this order (else None: the
    caller's idea of the shape is wrong, and the queryset runs as usual)."""
    query = qs.query
    if query.annotations or query.extra or qs._prefetch_related_lookups:
        return None
    compiler = query.get_compiler(using=qs.db)
    sql, compiled_params = compiler.as_sql()
    if list(compiled_params) != list(params):
        return None
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    converters = compiler.get_converters([column[0] for column in select])
    return _Statement(
        sql=sql,
        converters=[(i, convs, expr) for i, (convs, expr) in converters.items()],
        init_list=[column[0].target.attname for column in select[start:end]],
        start=start,
        end=end,
        populators=get_related_populators(klass_info, select, qs.db),
        model=klass_info["model"],
    )


def first_row(
    qs: QuerySet[M] | Callable[[], QuerySet[M]], key: Hashable, params: Sequence[Any]
) -> M | None:
    """The first row of `qs` (a lookup by a unique key, select_related allowed), as
    `next(iter(qs), None)` gives it.

    `key` names the statement's shape: every queryset given with one key must compile to the
    same SQL, its parameters being `params` in order (checked when the key is first seen; a
    queryset that does not compile to them runs through the ORM instead, and so does one
    that compiles to nothing, as `.none()`). `qs` may be a function that builds the
    queryset: it is then built only to compile it (or to fall back), not on every call."""
    build = qs if callable(qs) else lambda: qs
    statement = _statement(key, params, build)
    if not isinstance(statement, _Statement):
        return next(iter(build()), None)
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    return _instance(statement, row, connection)


def _instance(statement: _Statement, row: Sequence, connection: Any) -> Any:
    if statement.converters:
        row = convert_row(row, statement.converters, connection)
    obj = statement.model.from_db(
        DEFAULT_DB_ALIAS, statement.init_list, row[statement.start : statement.end]
    )
    for populator in statement.populators:
        populator.populate(row, obj)
    return obj


def convert_row(row: Sequence, converters: Sequence[tuple], connection) -> list:
    """One row as the ORM's compiler hands it on: each (index, converters, expression) of
    `converters` applied in turn, as `SQLCompiler.apply_converters` does."""
    row = list(row)
    for i, convs, expr in converters:
        value = row[i]
        for conv in convs:
            value = conv(value, expr, connection)
        row[i] = value
    return row


def _statement(key: Hashable, params: Sequence[Any], build: Callable[[], QuerySet]) -> Any:
    """The statement kept under `key` for this connection, compiled from `build()` the first
    time; False if that queryset does not compile to `params` (or to anything)."""
    statements = connection_cache(connections[DEFAULT_DB_ALIAS], "statements")
    statement = statements.get(key)
    if statement is None:
        try:
            statement = _compile(build(), params)
        except (EmptyResultSet, FullResultSet):  # the ORM knows what to answer
            return False
        # A shape that does not compile as announced is not asked again.
        statement = statements[key] = statement or False
    return statement


def all_rows(
    key: Hashable,
    params: Sequence[Any],
    build: Callable[[], QuerySet[M]],
    *,
    known: dict[str, Model] | None = None,
) -> list[M]:
    """`list(build())`, with the statement compiled once per shape and connection.

    As with `first_row`, every queryset `build` gives under one `key` must compile to the
    same SQL with `params` as its parameters, in order; one that does not is run through
    the ORM every time. The queryset is built only to compile it (or to fall back), so a
    hot caller pays neither for building nor for compiling it. `known` names relations
    whose object the caller already holds (as a related manager's queryset sets the
    object it hangs from): they are set on each row without a query.
    """
    statement = _statement(key, params, build)
    if not isinstance(statement, _Statement):
        return list(build())
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, list(params))
        rows = cursor.fetchall()
    fields = (
        [(statement.model._meta.get_field(name), obj) for name, obj in known.items()]
        if known
        else ()
    )
    found = []
    for row in rows:
        obj = _instance(statement, row, connection)
        for field, value in fields:
            field.set_cached_value(obj, value)
        found.append(obj)
    return found
