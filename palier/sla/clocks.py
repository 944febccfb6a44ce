"""Service clocks computed from a ticket's status history (pure Python, no Django).

Two clocks per ticket. First response runs from creation to the first public staff reply,
paused while the ticket waits for the customer (or their consent). Resolution runs while the
desk works the ticket; it is paused while the customer holds it, and while R&D holds it the
target is extended by that time instead of breached (POLICY.md rule R).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from palier.sla.business_time import (
    ZERO,
    Calendar,
    add_business_time,
    business_time_between,
)

WAITING = frozenset({"waiting_customer", "awaiting_consent"})
# With R&D, or the patch is out and the customer is to install it and confirm.
RND = frozenset({"with_rnd", "waiting_patch", "patch_available"})
WORKING = frozenset({"new", "in_progress"})
WARN_SHARE = 0.75

Segment = tuple[dt.datetime, dt.datetime | None, str]  # start, end (None: still on), status


@dataclass(frozen=True)
class TargetState:
    target: dt.timedelta
    consumed: dt.timedelta
    due: dt.datetime | None  # None while paused and not yet reached, or met in time
    warn_at: dt.datetime | None
    running: bool
    met_at: dt.datetime | None

    @property
    def remaining(self) -> dt.timedelta:
        return self.target - self.consumed

    def breached(self, now: dt.datetime) -> bool:
        end = self.met_at or now
        return self.due is not None and self.due <= end


@dataclass(frozen=True)
class ClockState:
    first_response: TargetState
    resolution: TargetState
    rnd_time: dt.timedelta
    status: str


def timeline(
    created_at: dt.datetime, changes: Sequence[tuple[dt.datetime, str]], initial: str = "new"
) -> list[Segment]:
    """Status spans from creation: `changes` are (when, new status), oldest first."""
    segments: list[Segment] = []
    start, status = created_at, initial
    for at, to in sorted(changes, key=lambda change: change[0]):
        at = max(at, start)
        segments.append((start, at, status))
        start, status = at, to
    segments.append((start, None, status))
    return segments


def _walk(
    spans: Sequence[tuple[dt.datetime, dt.datetime | None]], amount: dt.timedelta, cal: Calendar
) -> dt.datetime | None:
    """The instant `amount` of business time is used up over the spans, or None if it is not
    within them. An open span (end None) runs into the future."""
    left = amount
    for start, end in spans:
        reached = add_business_time(start, left, cal)
        if end is None or reached <= end:
            return reached
        left -= business_time_between(start, end, cal)
    return None


def _target(
    spans: list[tuple[dt.datetime, dt.datetime | None]],
    target: dt.timedelta,
    now: dt.datetime,
    cal: Calendar,
    met_at: dt.datetime | None,
) -> TargetState:
    consumed = sum((business_time_between(a, min(b or now, now), cal) for a, b in spans), ZERO)
    running = bool(spans) and spans[-1][1] is None and met_at is None
    return TargetState(
        target=target,
        consumed=consumed,
        due=_walk(spans, target, cal),
        warn_at=_walk(spans, target * WARN_SHARE, cal),
        running=running,
        met_at=met_at,
    )


def _clip(
    segments: Sequence[Segment], keep: frozenset[str], until: dt.datetime | None
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    spans: list[tuple[dt.datetime, dt.datetime | None]] = []
    for start, end, status in segments:
        if status not in keep:
            continue
        if until is not None:
            if start >= until:
                break
            end = until if end is None else min(end, until)
        spans.append((start, end))
    return spans


def compute_clock(
    segments: Sequence[Segment],
    *,
    first_response_target: dt.timedelta,
    resolution_target: dt.timedelta,
    first_response_at: dt.datetime | None,
    now: dt.datetime,
    calendar: Calendar,
) -> ClockState:
    status = segments[-1][2] if segments else "new"
    closed_at = segments[-1][0] if status not in WORKING | WAITING | RND else None
    fr_spans = _clip(segments, WORKING | RND, first_response_at or closed_at)
    res_spans = _clip(segments, WORKING, None)
    rnd = sum(
        (business_time_between(a, b or now, calendar) for a, b, s in segments if s in RND), ZERO
    )
    return ClockState(
        first_response=_target(fr_spans, first_response_target, now, calendar, first_response_at),
        resolution=_target(res_spans, resolution_target, now, calendar, closed_at),
        rnd_time=rnd,
        status=status,
    )
