"""Custom query plans for the dashboard's aggregates on PostgreSQL.

Palier keeps frequent statements prepared (PALIER_PG_PREPARED): after five runs PostgreSQL
may switch a prepared statement to a generic plan, chosen without the values. For a panel's
period that plan is made for any range and measured 3–4 times slower than the plan for the
range asked (bench/dashboards.py: 150 ms became 550 ms at 100k tickets). Inside
`custom_plans()` each statement is planned for its own values (one SET LOCAL, in the
transaction it opens); elsewhere nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def custom_plans() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:  # already in a transaction: SET LOCAL lasts until its end
        _set()
        yield
        return
    with transaction.atomic():
        _set()
        yield


def _set() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
