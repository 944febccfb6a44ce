"""Business time: the vendor's working hours, counted in its own time zone.

Pure Python (no Django). Every computation runs on UTC instants: working intervals are built
from wall-clock times in the calendar's zone and converted to UTC, so a day of the
daylight-saving change is as long as the clocks on the wall say, and never a naive 24 hours.

A calendar keeps running sums of business time per day from an anchor day, so the business
time between two instants is a difference of two positions and a deadline is a bisection:
recomputing 100k clocks does not walk the same weeks day by day 100k times.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Container
from dataclasses import dataclass, field
from threading import RLock
from zoneinfo import ZoneInfo

UTC = dt.UTC
ZERO = dt.timedelta(0)
DAY = dt.timedelta(days=1)
# A calendar with no working day would make the search for a deadline endless.
MAX_DAYS = 366 * 10
# How far apart two instants may be for the time between them: a desk moving in brings
# requests opened long ago (imports take them from 1990 on), still open or paused.
MAX_SPAN_DAYS = 366 * 60
# How far before the first day asked the running sums start (a year of history).
LOOKBACK_DAYS = 366


class OutOfRange(ValueError):
    """Instants the calendar cannot count between: further apart than MAX_SPAN_DAYS, or so
    near the ends of Python's dates (a request stored in year 9999) that a day or a time
    zone taken further leaves them."""


Interval = tuple[dt.time, dt.time]
UtcInterval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Calendar:
    """Working intervals per weekday (0 = Monday) and the days the desk is closed."""

    tz: ZoneInfo
    hours: dict[int, tuple[Interval, ...]]
    closed: Container[dt.date] = field(default_factory=frozenset)
    _days: dict[dt.date, list[UtcInterval]] = field(default_factory=dict, compare=False, repr=False)
    # sums[i]: business time from `anchor` to the start of day anchor + i.
    _sums: list[dt.timedelta] = field(default_factory=list, compare=False, repr=False)
    _anchor: list[dt.date] = field(default_factory=list, compare=False, repr=False)
    # Whole operations run under the lock: a table re-anchored between two positions
    # would make their difference meaningless.
    _lock: RLock = field(default_factory=RLock, compare=False, repr=False)

    def intervals_on(self, day: dt.date) -> list[UtcInterval]:
        """The working intervals of a day, as UTC instants; none on a closed day."""
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = self._build_intervals(day)
        return cached

    def _build_intervals(self, day: dt.date) -> list[UtcInterval]:
        if day in self.closed:
            return []
        out = []
        for start, end in self.hours.get(day.weekday(), ()):
            a = dt.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            b = dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
            if b > a:
                out.append((a, b))
        return out

    def local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def _cover(self, first: dt.date, last: dt.date) -> None:
        """Make the running sums reach from before `first` to the end of `last`.

        The table is shared by every computation of the process (calendars are cached):
        a request it cannot serve is refused before the table is touched, and the table is
        started again from `first` when it would otherwise reach further than one span,
        so that what one ticket's dates did to it never decides another's."""
        if (last - first).days > MAX_SPAN_DAYS:
            raise OutOfRange("the instants are more than sixty years apart")
        if (
            not self._anchor
            or first < self._anchor[0]
            or (last - self._anchor[0]).days > MAX_SPAN_DAYS + LOOKBACK_DAYS
        ):
            self._anchor[:] = [first - dt.timedelta(days=LOOKBACK_DAYS)]
            self._sums[:] = [ZERO]
        anchor, sums = self._anchor[0], self._sums
        needed = (last - anchor).days + 2
        while len(sums) < needed:
            day = anchor + dt.timedelta(days=len(sums) - 1)
            sums.append(sums[-1] + sum((b - a for a, b in self.intervals_on(day)), ZERO))

    def _position(self, moment: dt.datetime) -> dt.timedelta:
        day = self.local_day(moment)
        offset = self._sums[(day - self._anchor[0]).days]
        for a, b in self.intervals_on(day):
            if moment <= a:
                break
            offset += min(moment, b) - a
        return offset

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        with self._lock:
            self._cover(self.local_day(a), self.local_day(b))
            return max(self._position(b) - self._position(a), ZERO)

    def advance(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        with self._lock:
            first = self.local_day(start)
            horizon = first + dt.timedelta(days=31)
            self._cover(first, horizon)
            anchor = self._anchor[0]
            target = self._position(start) + amount
            while self._sums[-1] < target:  # widen, doubling, until the deadline is inside
                horizon += dt.timedelta(days=max(31, (horizon - first).days))
                if (horizon - first).days > MAX_DAYS:
                    raise ValueError("the calendar has no working time in ten years")
                self._cover(first, horizon)
                if self._anchor[0] != anchor:  # started again: positions count from there
                    anchor = self._anchor[0]
                    target = self._position(start) + amount
            index = bisect_left(self._sums, target, lo=(first - self._anchor[0]).days + 1)
            left = target - self._sums[index - 1]
            for a, b in self.intervals_on(self._anchor[0] + (index - 1) * DAY):
                if left <= b - a:
                    return a + left
                left -= b - a
        raise AssertionError("unreachable")  # pragma: no cover


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


def add_business_time(
    start: dt.datetime, hours: float | dt.timedelta, calendar: Calendar
) -> dt.datetime:
    """The instant when `hours` of business time have passed after `start` (in UTC).

    Zero hours from outside working time is `start` itself, not the next opening: nothing
    is owed yet. Negative amounts are refused; use `business_time_between` to look back.
    """
    _check_aware(start)
    amount = _as_delta(hours)
    if amount < ZERO:
        raise ValueError("business time to add must not be negative")
    try:
        start = start.astimezone(UTC)
        return start if amount == ZERO else calendar.advance(start, amount)
    except OverflowError as exc:
        raise OutOfRange("the deadline lies beyond the last date Python counts") from exc


def business_time_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time from `a` to `b`; zero when `b` is not after `a` (never negative)."""
    _check_aware(a, b)
    if b <= a:
        return ZERO
    try:
        return calendar.between(a.astimezone(UTC), b.astimezone(UTC))
    except OverflowError as exc:
        raise OutOfRange("an instant lies at the ends of the dates Python counts") from exc


def signed_business_time(now: dt.datetime, due: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time left until `due`; negative by the business time since, once overdue."""
    if due >= now:
        return business_time_between(now, due, calendar)
    return -business_time_between(due, now, calendar)
