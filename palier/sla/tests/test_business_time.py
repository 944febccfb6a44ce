"""Business time: hand-computed deadlines, and properties that hold for any instant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palier.sla.business_time import (
    OFFICE_HOURS,
    ZERO,
    Calendar,
    ClosedDays,
    add_business_time,
    business_time_between,
    signed_business_time,
)
from palier.sla.clocks import compute_clock, timeline

ZH = ZoneInfo("Europe/Zurich")
UTC = dt.UTC
H = dt.timedelta(hours=1)
CAL = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=ClosedDays(holidays.Switzerland(subdiv="VD")))
WINTER_BREAK = frozenset(dt.date(2026, 12, d) for d in (28, 29, 30, 31))
CAL_CLOSED = Calendar(
    tz=ZH,
    hours=OFFICE_HOURS,
    closed=ClosedDays(holidays.Switzerland(subdiv="VD"), WINTER_BREAK),
)


def zh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZH)


DEADLINES = [
    # start (Zurich wall clock), business hours, calendar, expected deadline, why
    (zh(2026, 11, 30, 9), 4, CAL, zh(2026, 11, 30, 14), "lunch hour is not counted"),
    (zh(2026, 11, 30, 12, 30), 0.5, CAL, zh(2026, 11, 30, 13, 30), "opened at lunch"),
    (zh(2026, 11, 27, 16), 2, CAL, zh(2026, 11, 30, 9), "over a weekend"),
    (zh(2026, 11, 28, 10), 8, CAL, zh(2026, 11, 30, 17), "opened on a Saturday"),
    (zh(2026, 12, 24, 16), 2, CAL, zh(2026, 12, 28, 9), "Christmas Friday is a holiday"),
    (zh(2026, 12, 24, 16), 2, CAL_CLOSED, zh(2027, 1, 4, 9), "own closing days, then 1-2 Jan"),
    (zh(2026, 4, 2, 17), 1, CAL, zh(2026, 4, 7, 9), "Good Friday and Easter Monday"),
    (zh(2026, 9, 18, 16), 2, CAL, zh(2026, 9, 22, 9), "Vaud's Prayer Monday"),
    (zh(2026, 3, 27, 16), 2, CAL, zh(2026, 3, 30, 9), "spring forward over the weekend"),
    (zh(2026, 10, 23, 16), 2, CAL, zh(2026, 10, 26, 9), "fall back over the weekend"),
    (zh(2026, 11, 30, 9), 40, CAL, zh(2026, 12, 7, 9), "a working week"),
]


@pytest.mark.parametrize(("start", "hours", "calendar", "expected", "why"), DEADLINES)
def test_deadline_matches_the_hand_computed_instant(start, hours, calendar, expected, why):
    assert add_business_time(start, hours, calendar) == expected.astimezone(UTC), why
    assert business_time_between(start, expected, calendar) == dt.timedelta(hours=hours), why


def test_spring_forward_weekend_is_one_hour_shorter_on_the_wall_clock():
    start, end = zh(2026, 3, 27, 16), zh(2026, 3, 30, 9)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 64 * H
    assert business_time_between(start, end, CAL) == 2 * H


def test_fall_back_weekend_is_one_hour_longer_on_the_wall_clock():
    start, end = zh(2026, 10, 23, 16), zh(2026, 10, 26, 9)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 66 * H
    assert business_time_between(start, end, CAL) == 2 * H


def test_time_between_is_zero_backwards_and_signed_time_is_negative_when_overdue():
    a, b = zh(2026, 11, 30, 9), zh(2026, 11, 30, 11)
    assert business_time_between(b, a, CAL) == ZERO
    assert signed_business_time(b, a, CAL) == -2 * H
    assert signed_business_time(a, b, CAL) == 2 * H


def test_naive_datetimes_and_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        add_business_time(dt.datetime(2026, 11, 30, 9), 1, CAL)
    with pytest.raises(ValueError):
        add_business_time(zh(2026, 11, 30, 9), -1, CAL)


def test_a_calendar_without_working_days_is_an_error_not_an_endless_loop():
    never = Calendar(tz=ZH, hours={})
    with pytest.raises(ValueError):
        add_business_time(zh(2026, 11, 30, 9), 1, never)


# Instants through 2026, with extra weight on the two weekends of the clock change.
DST_WEEKS = [zh(2026, 3, 26), zh(2026, 10, 22), zh(2026, 12, 23)]
instants = st.one_of(
    st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda base, minutes: base + dt.timedelta(minutes=minutes),
        st.sampled_from(DST_WEEKS),
        st.integers(0, 6 * 24 * 60),
    ),
).map(lambda moment: moment.astimezone(UTC).replace(microsecond=0))
amounts = st.integers(0, 120 * 60).map(lambda minutes: dt.timedelta(minutes=minutes))


@settings(max_examples=300, deadline=None)
@given(start=instants, a=amounts, b=amounts)
def test_adding_business_time_is_additive(start, a, b):
    assert add_business_time(add_business_time(start, a, CAL), b, CAL) == add_business_time(
        start, a + b, CAL
    )


@settings(max_examples=300, deadline=None)
@given(start=instants, amount=amounts)
def test_business_time_between_start_and_deadline_is_the_amount_added(start, amount):
    deadline = add_business_time(start, amount, CAL_CLOSED)
    assert deadline >= start
    assert business_time_between(start, deadline, CAL_CLOSED) == amount


@settings(max_examples=300, deadline=None)
@given(moments=st.lists(instants, min_size=3, max_size=3))
def test_business_time_between_is_never_negative_and_splits_at_any_instant(moments):
    a, b, c = sorted(moments)
    assert business_time_between(c, a, CAL) == ZERO
    ab, bc = business_time_between(a, b, CAL), business_time_between(b, c, CAL)
    assert ab >= ZERO and bc >= ZERO
    assert ab + bc == business_time_between(a, c, CAL)
    assert ab <= b - a


@settings(max_examples=200, deadline=None)
@given(
    start=instants,
    target=st.integers(1, 60 * 60).map(lambda m: dt.timedelta(minutes=m)),
    gaps=st.lists(st.integers(1, 4 * 24 * 60), min_size=0, max_size=6),
)
def test_pauses_only_push_a_deadline_later_and_running_time_equals_the_target(start, target, gaps):
    # Alternate working and waiting-for-customer spans; the last span keeps running.
    changes, at, statuses = [], start, ["waiting_customer", "in_progress"]
    for index, gap in enumerate(gaps):
        at = at + dt.timedelta(minutes=gap)
        changes.append((at, statuses[index % 2]))
    if len(changes) % 2:
        changes.append((at + H, "in_progress"))
    segments = timeline(start, changes)
    now = segments[-1][0]
    state = compute_clock(
        segments,
        first_response_target=target,
        resolution_target=target,
        first_response_at=None,
        now=now,
        calendar=CAL,
    )
    due = state.resolution.due
    assert due is not None
    assert due >= add_business_time(start, target, CAL)
    running = [
        (a, min(b or due, due))
        for a, b, status in segments
        if status == "in_progress" or status == "new"
    ]
    assert sum((business_time_between(a, b, CAL) for a, b in running if b > a), ZERO) == target
    assert state.resolution.consumed >= ZERO


@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants, amount=amounts)
def test_running_sums_agree_with_walking_day_by_day(a, b, amount):
    from palier.sla.tests.reference_business_time import walk_add, walk_between

    # A fresh calendar each time: the table is anchored wherever the example starts.
    fresh = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL_CLOSED.closed)
    assert add_business_time(a, amount, fresh) == walk_add(a, amount, CAL_CLOSED)
    lo, hi = sorted((a, b))
    assert business_time_between(lo, hi, fresh) == walk_between(lo, hi, CAL_CLOSED)


def test_time_between_reaches_back_to_requests_opened_decades_ago():
    """A desk moving in imports requests from 1990 on; one still open counts its time since."""
    from palier.sla.tests.reference_business_time import walk_between

    fresh = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    opened, now = zh(1990, 1, 3, 9), zh(2026, 12, 7, 9)
    assert business_time_between(opened, now, fresh) == walk_between(opened, now, CAL)
    with pytest.raises(ValueError):
        business_time_between(opened, zh(9999, 12, 30, 9), fresh)


def test_a_calendar_re_anchored_by_an_earlier_day_still_answers_the_same():
    later, earlier = zh(2026, 12, 24, 16), zh(2024, 2, 1, 9)
    fresh = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    first = add_business_time(later, 2, fresh)
    assert business_time_between(earlier, later, fresh) > 1000 * H
    assert add_business_time(later, 2, fresh) == first == zh(2026, 12, 28, 9)


def test_an_instant_out_of_range_never_spoils_the_next_computation():
    """Calendars are shared by a process's computations: a ticket dated 1950 was refused,
    but had re-anchored the shared table to 1949 first, so every later ticket of 2026 was
    refused too (and stored 'no deadline'). Whatever came before, the answers are a fresh
    calendar's."""
    from palier.sla.business_time import OutOfRange

    shared = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    fresh = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    now, opened = zh(2026, 12, 7, 9), zh(2026, 11, 30, 9)
    for old in (zh(1950, 1, 2, 9), zh(1966, 5, 2, 9), zh(1, 1, 3, 9)):
        with pytest.raises(OutOfRange):
            business_time_between(old, now, shared)
        assert business_time_between(opened, now, shared) == business_time_between(
            opened, now, fresh
        )
        assert add_business_time(now, 40, shared) == add_business_time(now, 40, fresh)


def test_a_deadline_is_the_same_when_the_table_must_start_again_while_it_is_sought():
    """A table anchored decades back (a request of 1970 counted first) is started again
    from the deadline's start when it would reach past one span; the deadline found is a
    fresh calendar's."""
    long_ago = zh(1970, 1, 5, 9)
    shared = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    fresh = Calendar(tz=ZH, hours=OFFICE_HOURS, closed=CAL.closed)
    business_time_between(long_ago, zh(1975, 1, 6, 9), shared)
    start = zh(2029, 12, 20, 15)
    for hours in (2, 400, 4000):
        assert add_business_time(start, hours, shared) == add_business_time(start, hours, fresh)
