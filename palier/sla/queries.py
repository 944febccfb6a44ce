"""Reads of service levels: time left on queue rows, and when a customer can expect an answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from palier.lib.compiled import first_row
from palier.sla.business_time import MAX_SPAN_DAYS, OutOfRange, signed_business_time
from palier.sla.calendars import default_calendar
from palier.sla.models import TicketClock
from palier.tickets.models import Ticket


@dataclass(frozen=True)
class TimeLeft:
    """The target a queue row shows: first response until answered, then resolution."""

    target: str  # "first_response" or "resolution"
    left: dt.timedelta  # business time; negative once overdue
    due: dt.datetime | None  # None while the clock is paused
    running: bool
    # No deadline can be counted from the ticket's dates (sla.business_time.OutOfRange).
    out_of_range: bool = False
    # The due instant has passed, though no business time may have since (a deadline of
    # Friday 16:00 read on Saturday): `left` is then zero, and the target is still overdue.
    past_due: bool = False

    @property
    def overdue(self) -> bool:
        return self.left < dt.timedelta(0) or self.past_due

    @property
    def hours_left(self) -> float | None:
        return None if self.out_of_range else round(self.left.total_seconds() / 3600, 2)


def time_left_of(clock: TicketClock, now: dt.datetime) -> TimeLeft | None:
    if not clock.active:
        return None
    target = "first_response" if clock.first_response_met_at is None else "resolution"
    due = getattr(clock, f"{target}_due")
    running = getattr(clock, f"{target}_running")
    unknown = TimeLeft(
        target=target, left=dt.timedelta(0), due=None, running=False, out_of_range=True
    )
    if clock.out_of_range:
        return unknown
    if running and due is not None:
        try:
            left = signed_business_time(now, due, default_calendar())
        except OutOfRange:  # a deadline stored before its dates were out of reach
            return unknown
    else:
        # Paused: the clock shows what was left when it stopped.
        left = dt.timedelta(seconds=getattr(clock, f"{target}_left_s"))
    past_due = running and due is not None and due < now
    return TimeLeft(
        target=target,
        left=left,
        due=due if running else None,
        running=running,
        past_due=past_due,
    )


def time_left_for(
    tickets: Sequence[Ticket], *, now: dt.datetime | None = None
) -> dict[int, TimeLeft | None]:
    """Time left for a page of tickets in one query; also sets `ticket.sla` on each.

    `None` for a closed ticket or one whose clock the worker has not computed yet.
    """
    now = now or timezone.now()
    clocks = {c.pk: c for c in TicketClock.objects.filter(pk__in=[t.pk for t in tickets])}
    out: dict[int, TimeLeft | None] = {}
    for ticket in tickets:
        clock = clocks.get(ticket.pk)
        out[ticket.pk] = time_left_of(clock, now) if clock else None
        ticket.sla = out[ticket.pk]
    return out


def expected_first_response(
    ticket: Ticket, *, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When the customer can expect a first answer: None once answered, closed, or while
    the desk waits for the customer (the clock is stopped until they reply)."""
    if ticket.first_response_at is not None:
        return None
    clock = first_row(  # compiled once per connection: read by every request page
        lambda: TicketClock.objects.filter(pk=ticket.pk).order_by("pk")[:1],
        ("ticket_clock",),
        [ticket.pk],
    )
    if clock is None:
        from palier.sla.actions import compute_clocks

        clock = compute_clocks([ticket], now or timezone.now())[0]
    if not clock.active or not clock.first_response_running or clock.out_of_range:
        return None
    due = clock.first_response_due
    if due is not None and abs(due - (now or timezone.now())).days > MAX_SPAN_DAYS:
        return None  # out of reach (year 9999): no promise, and no date to show in local time
    return due


def breached_q(target: str, prefix: str = "") -> Q:
    """Clocks that missed `target`, as figures count them: the scan's flag, on a clock whose
    deadlines can be computed. The flags are the scan's memory of what it told (each breach
    once); a clock out of range keeps them, so that back in range it is not told again, but
    reports no breach that no deadline supports."""
    return Q(**{f"{prefix}{target}_breached": True, f"{prefix}out_of_range": False})


def warned_q(prefix: str = "") -> Q:
    """Clocks warned of either target, on the same terms as `breached_q`."""
    either = Q(**{f"{prefix}first_response_warned": True}) | Q(
        **{f"{prefix}resolution_warned": True}
    )
    return either & Q(**{f"{prefix}out_of_range": False})


def _late(target: str, now: dt.datetime) -> Q:
    """The queue's 'overdue' for a target, in SQL: past due while running, or stopped with
    less than nothing left (time_left_of)."""
    return Q(**{f"{target}_running": True, f"{target}_due__lt": now}) | Q(
        **{f"{target}_running": False, f"{target}_left_s__lt": 0}
    )


def overdue_counts(now: dt.datetime) -> dict[str, int]:
    """Open tickets, those past the deadline the queue shows, and those past its warning.

    `palier sla scan` counts the warnings and breaches it records *now*, each once per
    ticket; a deadline passed earlier (or settled by `sla recompute`) is overdue here and
    not news there, so both are printed."""
    first = Q(first_response_met_at__isnull=True)
    overdue = (first & _late("first_response", now)) | (~first & _late("resolution", now))
    warned = (first & Q(first_response_warn_at__lte=now)) | (
        ~first & Q(resolution_warn_at__lte=now)
    )
    return TicketClock.objects.filter(active=True).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue),
        at_risk=Count("pk", filter=warned & ~overdue),
    )
