"""Business time: the vendor's working hours, counted in its own time zone.

Pure Python (no Django). Every computation runs on UTC instants: working intervals are built
from wall-clock times in the calendar's zone and converted to UTC, so a day of the
daylight-saving change is as long as the clocks on the wall say, and never a naive 24 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
ZERO = dt.timedelta(0)
# A calendar with no working day would make the search for a deadline endless.
MAX_DAYS = 366 * 10

Interval = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Calendar:
    """Working intervals per weekday (0 = Monday) and the days the desk is closed."""

    tz: ZoneInfo
    hours: dict[int, tuple[Interval, ...]]
    closed: Container[dt.date] = field(default_factory=frozenset)

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of a day, as UTC instants; none on a closed day."""
        if day in self.closed:
            return []
        out = []
        for start, end in self.hours.get(day.weekday(), ()):
            a = dt.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            b = dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
            if b > a:
                out.append((a, b))
        return out


class ClosedDays:
    """Public holidays (a `holidays` object, which expands years lazily) plus own closings."""

    def __init__(self, public: Container[dt.date], own: frozenset[dt.date] = frozenset()):
        self.public = public
        self.own = own

    def __contains__(self, day: object) -> bool:
        return day in self.own or day in self.public


OFFICE_HOURS: dict[int, tuple[Interval, ...]] = {
    weekday: ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))) for weekday in range(5)
}


def _as_delta(hours: float | dt.timedelta) -> dt.timedelta:
    return hours if isinstance(hours, dt.timedelta) else dt.timedelta(hours=hours)


def _check_aware(*moments: dt.datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("business time needs time-zone aware datetimes")


def _days_from(moment: dt.datetime, calendar: Calendar) -> Iterator[dt.date]:
    # Start a day early: a UTC instant can sit on the previous local day's interval.
    day = moment.astimezone(calendar.tz).date() - dt.timedelta(days=1)
    for _ in range(MAX_DAYS):
        yield day
        day += dt.timedelta(days=1)
    raise ValueError("the calendar has no working time in ten years")


def add_business_time(
    start: dt.datetime, hours: float | dt.timedelta, calendar: Calendar
) -> dt.datetime:
    """The instant when `hours` of business time have passed after `start` (in UTC).

    Zero hours from outside working time is `start` itself, not the next opening: nothing
    is owed yet. Negative amounts are refused; use `business_time_between` to look back.
    """
    _check_aware(start)
    remaining = _as_delta(hours)
    if remaining < ZERO:
        raise ValueError("business time to add must not be negative")
    cursor = start.astimezone(UTC)
    if remaining == ZERO:
        return cursor
    for day in _days_from(cursor, calendar):
        for a, b in calendar.intervals_on(day):
            if b <= cursor:
                continue
            begin = max(a, cursor)
            available = b - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
            cursor = b
    raise AssertionError("unreachable")  # pragma: no cover


def business_time_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time from `a` to `b`; zero when `b` is not after `a` (never negative)."""
    _check_aware(a, b)
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if b <= a:
        return ZERO
    total = ZERO
    last_day = b.astimezone(calendar.tz).date() + dt.timedelta(days=1)
    for day in _days_from(a, calendar):
        if day > last_day:
            break
        for start, end in calendar.intervals_on(day):
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
    return total


def business_time_in(
    segments: Sequence[tuple[dt.datetime, dt.datetime]], calendar: Calendar
) -> dt.timedelta:
    """Business time inside a list of [start, end) segments (e.g. the clock's running spans)."""
    return sum((business_time_between(a, b, calendar) for a, b in segments), ZERO)


def signed_business_time(now: dt.datetime, due: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time left until `due`; negative by the business time since, once overdue."""
    if due >= now:
        return business_time_between(now, due, calendar)
    return -business_time_between(due, now, calendar)
