"""How a period panel reads the roll-up for closed days and the base tables for the rest.

The period is cut at `Filters.rolled_through` (the last day the worker has summed): the
days up to it come from `DayFigure`, the later ones (today at least) from the live query,
and one statement adds both up (`UNION ALL` under the panel's own grouping), so a panel
runs as many statements as before. A filter the roll-up is not keyed by (the team, and the
customer for intake and service levels) sends the whole period to the live query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from palier.dashboards.filters import Filters
from palier.dashboards.models import DayFigure, RollupState

# Metrics keyed by customer: a customer filter can still read their roll-up.
BY_CUSTOMER = {"refusal", "diagnosis", "l2time"}


def with_rollup(f: Filters) -> Filters:
    """The filters with the roll-up's last summed day (one statement)."""
    through = RollupState.objects.filter(pk=1).values_list("built_through", flat=True).first()
    return replace(f, rolled_through=through)


def split(f: Filters, metric: str) -> tuple[Filters | None, Filters | None]:
    """The part of the period read from the roll-up and the part read live (either None)."""
    through = f.rolled_through
    if (
        through is None
        or through < f.start
        or f.team_members is not None
        or (f.customer_id and metric not in BY_CUSTOMER)
    ):
        return None, f
    if through >= f.end:
        return f, None
    return f.with_period(f.start, through), f.with_period(through + dt.timedelta(days=1), f.end)


def rolled(f: Filters, metric: str, *, level: bool = True) -> QuerySet[DayFigure]:
    """The roll-up's rows of `metric` in the period and filters."""
    q = Q(metric=metric, day__gte=f.start, day__lte=f.end)
    if f.customer_id:
        q &= Q(customer_id=f.customer_id)
    if f.module_id:
        q &= Q(module_id=f.module_id)
    elif f.product_id:
        q &= Q(product_id=f.product_id)
    if level and f.level:
        q &= Q(level=f.level)
    return DayFigure.objects.filter(q)


def rows(
    parts: list[QuerySet | None | bool],
    columns: list[str],
    select: str,
    *,
    group: str,
    order: str = "",
    join: str = "",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Run `SELECT select FROM (part UNION ALL part) u [join] GROUP BY group` as one
    statement and return dicts by column name. Parts that are not querysets (None or False:
    no roll-up, or nothing live) are left out. Each part gives `columns`, by name: a union
    pairs columns by position, and Django orders a values() query its own way."""
    union, params = _union(parts, columns)
    sql = f"SELECT {select} FROM ({union}) u {join} GROUP BY {group}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def ranked(
    parts: list[QuerySet | None | bool],
    columns: list[str],
    dims: dict[str, str],
    *,
    value: str,
    limit: int,
) -> list[dict[str, Any]]:
    """The top `limit` rows by SUM(value) of each grouping in `dims` (name: column), in one
    statement over the union of `parts` (as in `rows`): dicts with dim, id and the sum,
    the largest first, ties by id."""
    union, params = _union(parts, columns)
    selects = [
        f"SELECT * FROM (SELECT '{name}' AS dim, {column} AS id, SUM({value}) AS {value} "
        f"FROM u GROUP BY {column} ORDER BY {value} DESC, {column} LIMIT {int(limit)}) r{i}"
        for i, (name, column) in enumerate(dims.items())
    ]
    sql = f"WITH u AS ({union}) " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _union(parts: list[QuerySet | None | bool], columns: list[str]) -> tuple[str, list]:
    sqls, params = [], []
    for i, part in enumerate(p for p in parts if isinstance(p, QuerySet)):
        sql, part_params = compiled(part.order_by())
        sqls.append(f"SELECT {', '.join(f'p{i}.{c}' for c in columns)} FROM ({sql}) p{i}")
        params.extend(part_params)
    return " UNION ALL ".join(sqls), params


def compiled(qs: QuerySet) -> tuple[str, list]:
    """The SQL of `qs` and its parameters, also where a filter can match nothing (a team
    without members: `assignee_id__in=[]`). Django refuses to write such a query
    (EmptyResultSet, for it answers none without asking); a statement built from it needs
    its SQL all the same, so the filters become one that is never true, and the columns and
    their types stay (a union, a SUM over them on PostgreSQL)."""
    try:
        return qs.query.sql_with_params()
    except EmptyResultSet:
        query = qs.query.clone()
        query.where = WhereNode()
        query.add_extra(None, None, ["1 = 0"], None, None, None)
        return query.sql_with_params()


def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime read by raw SQL (SQLite gives text in UTC)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(str(value))
