"""An oracle for the tests: business time by walking day by day (the first, slow version).

The shipped module bisects running sums; the property tests check both agree everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from palier.sla.business_time import MAX_SPAN_DAYS, ZERO, Calendar

UTC = dt.UTC


def _days_from(moment: dt.datetime, calendar: Calendar) -> Iterator[dt.date]:
    day = moment.astimezone(calendar.tz).date() - dt.timedelta(days=1)
    for _ in range(MAX_SPAN_DAYS + 2):
        yield day
        day += dt.timedelta(days=1)


def walk_add(start: dt.datetime, amount: dt.timedelta, calendar: Calendar) -> dt.datetime:
    cursor, remaining = start.astimezone(UTC), amount
    if remaining == ZERO:
        return cursor
    for day in _days_from(cursor, calendar):
        for a, b in calendar.intervals_on(day):
            if b <= cursor:
                continue
            begin = max(a, cursor)
            if b - begin >= remaining:
                return begin + remaining
            remaining -= b - begin
            cursor = b
    raise AssertionError("no working time")


def walk_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> dt.timedelta:
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = ZERO
    last = b.astimezone(calendar.tz).date() + dt.timedelta(days=1)
    for day in _days_from(a, calendar):
        if day > last:
            break
        for start, end in calendar.intervals_on(day):
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
    return total
