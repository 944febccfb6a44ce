"""Writes of the service-level app: recomputing clocks, and flagging warnings and breaches.

A clock is derived state: recomputing it from the ticket's history is always safe and never
an event by itself. Warnings and breaches are events (`sla_warning`, `sla_breach`), each
recorded once per target, so the notification handlers tell people once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.utils import timezone

from palier.customers.models import Contract
from palier.sla.business_time import OutOfRange
from palier.sla.calendars import DEFAULT_TIER, default_calendar, targets_for
from palier.sla.clocks import compute_clock, timeline
from palier.sla.models import TicketClock
from palier.tickets.actions import record_event
from palier.tickets.models import Ticket, TicketEvent
from palier.tickets.states import OPEN_STATUSES

# Events whose to_value is the ticket's new status.
STATUS_EVENTS = Q(field="status") | Q(kind__in=["created", "refused"])
COMPUTED_FIELDS = [
    "out_of_range",
    "tier",
    "criticality",
    "status",
    "active",
    "first_response_target_s",
    "first_response_due",
    "first_response_warn_at",
    "first_response_met_at",
    "first_response_running",
    "first_response_left_s",
    "resolution_target_s",
    "resolution_due",
    "resolution_warn_at",
    "resolution_running",
    "resolution_left_s",
    "rnd_s",
    "computed_at",
    "next_check_at",
]
TARGETS = ("first_response", "resolution")


def tiers_by_customer(customer_ids: Iterable[int], today: dt.date) -> dict[int, str]:
    """Each customer's tier: its contract active today, else its latest contract."""
    tiers: dict[int, str] = {}
    rows = Contract.objects.filter(customer_id__in=set(customer_ids)).order_by(
        "customer_id", "start"
    )
    for contract in rows.only("customer_id", "tier", "state", "start", "end"):
        current = tiers.get(contract.customer_id)
        if current is None or not current[1] or contract.is_active_on(today):
            tiers[contract.customer_id] = (contract.tier, contract.is_active_on(today))
    return {cid: tier for cid, (tier, _active) in tiers.items()}


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def compute_clocks(tickets: list[Ticket], now: dt.datetime) -> list[TicketClock]:
    """Clocks for a batch of tickets in two queries (their status events and contracts)."""
    ids = [t.pk for t in tickets]
    changes: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    events = TicketEvent.objects.filter(STATUS_EVENTS, ticket_id__in=ids).order_by("id")
    for ticket_id, at, to in events.values_list("ticket_id", "at", "to_value"):
        changes[ticket_id].append((at, to))
    tiers = tiers_by_customer({t.customer_id for t in tickets}, timezone.localdate(now))
    calendar = default_calendar()
    clocks = []
    for ticket in tickets:
        tier, targets = targets_for(tiers.get(ticket.customer_id, DEFAULT_TIER), ticket.criticality)
        try:
            state = compute_clock(
                timeline(ticket.created_at, changes[ticket.pk]),
                first_response_target=targets.first_response,
                resolution_target=targets.resolution,
                first_response_at=ticket.first_response_at,
                now=now,
                calendar=calendar,
            )
        except OutOfRange:
            clocks.append(_out_of_range(ticket, tier, targets, now))
            continue
        fr, res = state.first_response, state.resolution
        clocks.append(
            TicketClock(
                ticket_id=ticket.pk,
                tier=tier,
                criticality=ticket.criticality,
                status=ticket.status,
                active=ticket.status in OPEN_STATUSES,
                first_response_target_s=_seconds(fr.target),
                first_response_due=fr.due,
                first_response_warn_at=fr.warn_at,
                first_response_met_at=fr.met_at,
                first_response_running=fr.running,
                first_response_left_s=_seconds(fr.remaining),
                resolution_target_s=_seconds(res.target),
                resolution_due=res.due,
                resolution_warn_at=res.warn_at,
                resolution_running=res.running,
                resolution_left_s=_seconds(res.remaining),
                rnd_s=_seconds(state.rnd_time),
                computed_at=now,
            )
        )
        # Flags are unknown here (they live in the row): every instant counts, and the scan
        # skips past those already flagged in one visit.
        clocks[-1].next_check_at = next_check(clocks[-1], ignore_flags=True)
    return clocks


def _out_of_range(ticket: Ticket, tier: str, targets, now: dt.datetime) -> TicketClock:
    """The clock of a ticket whose dates no deadline can be counted from: stopped, with no
    due instant, nothing for the scan, and marked so that every screen says why."""
    first, resolution = _seconds(targets.first_response), _seconds(targets.resolution)
    return TicketClock(
        ticket_id=ticket.pk,
        tier=tier,
        criticality=ticket.criticality,
        status=ticket.status,
        active=ticket.status in OPEN_STATUSES,
        first_response_target_s=first,
        first_response_met_at=ticket.first_response_at,
        first_response_left_s=first,
        resolution_target_s=resolution,
        resolution_left_s=resolution,
        computed_at=now,
        out_of_range=True,
        next_check_at=None,
    )


def next_check(clock: TicketClock, *, ignore_flags: bool = False) -> dt.datetime | None:
    """The earliest warning or due instant of an open clock that is still to flag."""
    if not clock.active:
        return None
    pending = []
    for target in TARGETS:
        if ignore_flags or not getattr(clock, f"{target}_warned"):
            pending.append(getattr(clock, f"{target}_warn_at"))
        if ignore_flags or not getattr(clock, f"{target}_breached"):
            pending.append(getattr(clock, f"{target}_due"))
    return min((at for at in pending if at is not None), default=None)


def save_clocks(clocks: list[TicketClock]) -> None:
    """Upsert computed fields only: the warned/breached flags belong to the scan."""
    TicketClock.objects.bulk_create(
        clocks,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=COMPUTED_FIELDS,
    )


CLOCK_INPUTS = ("pk", "customer_id", "criticality", "status", "created_at", "first_response_at")


@transaction.atomic
def do_recompute(ticket: Ticket, *, now: dt.datetime | None = None) -> TicketClock:
    """Recompute a ticket's targets and clock from its whole history (tier, criticality,
    status changes, first reply). Locks the clock so two workers write one after the other."""
    do_recompute_tickets([ticket.pk], now=now)
    return TicketClock.objects.get(pk=ticket.pk)


@transaction.atomic
def do_recompute_tickets(ticket_ids: list[int], *, now: dt.datetime | None = None) -> None:
    """`do_recompute` for several tickets at once (the worker's claim of events): their
    clocks locked in id order (two workers never wait on each other in a circle), the
    tickets read once, the clocks upserted in one statement."""
    now = now or timezone.now()
    ids = sorted(ticket_ids)
    locked = TicketClock.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    was_out = dict(locked.values_list("pk", "out_of_range"))
    tickets = list(Ticket.objects.filter(pk__in=ids).order_by("pk").only(*CLOCK_INPUTS))
    clocks = compute_clocks(tickets, now)
    save_clocks(clocks)
    # Out of range, a clock's flags stop counting (sla.queries.breached_q), and back in range
    # count again: the roll-up refreshes its day, as after the scan sets a flag.
    flipped = [c.pk for c in clocks if c.pk in was_out and was_out[c.pk] != c.out_of_range]
    if flipped:
        flagged = Q(first_response_warned=True) | Q(resolution_warned=True)
        TicketClock.objects.filter(flagged, pk__in=flipped).update(flagged_at=timezone.now())


def recompute_customer(customer_id: int, *, now: dt.datetime | None = None) -> int:
    """After a contract's tier changes: recompute the customer's open tickets."""
    ids = Ticket.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    return recompute_many(list(ids), now=now)[0]


def recompute_many(
    ticket_ids: list[int],
    *,
    now: dt.datetime | None = None,
    batch: int = 2000,
    settle: bool = False,
) -> tuple[int, int]:
    """Recompute these tickets' clocks; with `settle`, the clocks this creates (tickets that
    had none, e.g. opened before service levels were switched on) have their deadlines
    already past settled (`settle_past`). A clock that existed keeps its past deadlines for
    the scan: it tells a breach that fell due since its last pass or during a worker outage.
    Returns (clocks recomputed, breaches settled)."""
    now = now or timezone.now()
    done = settled = 0
    for start in range(0, len(ticket_ids), batch):
        chunk = ticket_ids[start : start + batch]
        with transaction.atomic():
            tickets = list(Ticket.objects.filter(pk__in=chunk).only(*CLOCK_INPUTS))
            new: set[int] = set()
            if settle:  # the tickets without a clock yet
                had = TicketClock.objects.filter(pk__in=chunk).values_list("pk", flat=True)
                new = set(chunk) - set(had)
            save_clocks(compute_clocks(tickets, now))
            if new:
                settled += settle_past(TicketClock.objects.filter(pk__in=new), now)
        done += len(chunk)
    return done, settled


def settle_past(clocks: QuerySet[TicketClock], now: dt.datetime, *, warnings: bool = False) -> int:
    """Mark the targets of these clocks whose deadline is already past at `now` as breached
    (and their warning as given), without recording an event; with `warnings`, also the
    warnings already due. Returns the number of breaches settled.

    For a recompute over a backlog, e.g. when service levels are switched on for a desk with
    history: the scan would otherwise record, at the scan's time, a breach for every old
    ticket past its deadline, and tell everyone. The clocks still show them breached.
    """
    settled = 0
    for target in TARGETS:
        if warnings:
            clocks.filter(**{f"{target}_warn_at__lte": now}).update(**{f"{target}_warned": True})
        settled += clocks.filter(**{f"{target}_due__lte": now, f"{target}_breached": False}).update(
            **{f"{target}_breached": True, f"{target}_warned": True}
        )
    if settled or warnings:
        # The next check moves past the settled instants, in SQL (what `next_check` does).
        moved = clocks.filter(active=True, next_check_at__lte=now)
        moved.update(next_check_at=Least(*(_unflagged(target, kind) for target, kind in CHECKS)))
        clocks.filter(next_check_at=NEVER).update(next_check_at=None)
    return settled


# The instants a clock is checked at, by the flag that says it was told (see `next_check`).
CHECKS = [(t, k) for t in TARGETS for k in ("warn_at", "due")]
NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)  # Least() of SQLite is NULL if one is NULL


def _unflagged(target: str, kind: str) -> Case:
    flag, column = f"{target}_{'warned' if kind == 'warn_at' else 'breached'}", f"{target}_{kind}"
    return Case(
        When(Q(**{flag: False, f"{column}__isnull": False}), then=F(column)),
        default=Value(NEVER),
        output_field=DateTimeField(),
    )


FLAGS = (
    "first_response_warned",
    "first_response_breached",
    "resolution_warned",
    "resolution_breached",
)


def _flag(clock: TicketClock, target: str, now: dt.datetime) -> str | None:
    """Set this target's flags that are due; the event kind to record, if any."""
    warned, breached = f"{target}_warned", f"{target}_breached"
    due, warn_at = getattr(clock, f"{target}_due"), getattr(clock, f"{target}_warn_at")
    if due is not None and due <= now and not getattr(clock, breached):
        # A breach also settles the warning: nobody needs a warning after the fact.
        setattr(clock, breached, True)
        setattr(clock, warned, True)
        return "sla_breach"
    if warn_at is not None and warn_at <= now and not getattr(clock, warned):
        setattr(clock, warned, True)
        answered = target == "first_response" and clock.first_response_met_at is not None
        past_due = due is not None and due <= now
        return None if answered or past_due else "sla_warning"
    return None


@transaction.atomic
def do_check(clock_id: int, *, now: dt.datetime) -> dict[str, int]:
    """Record the `sla_warning` / `sla_breach` events now due on one clock, each once per
    target (the flags, read under the row lock, say what was already told)."""
    clock = (
        TicketClock.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(pk=clock_id)
        .first()
    )
    counts = {"warnings": 0, "breaches": 0}
    if clock is None or clock.next_check_at is None or clock.next_check_at > now:
        return counts  # another worker got here first, or a recompute moved it
    flags_before = [getattr(clock, name) for name in FLAGS]
    for target in TARGETS:
        kind = _flag(clock, target, now)
        if kind is None:
            continue
        counts["breaches" if kind == "sla_breach" else "warnings"] += 1
        due = getattr(clock, f"{target}_due")
        record_event(
            clock.ticket,
            kind,
            None,
            internal=True,
            field=target,
            data={
                "target": target,
                "due": due.isoformat() if due else None,
                "tier": clock.tier,
                "criticality": clock.criticality,
            },
        )
    clock.next_check_at = next_check(clock)
    if [getattr(clock, name) for name in FLAGS] != flags_before:
        clock.flagged_at = now
    clock.save(update_fields=[*FLAGS, "next_check_at", "flagged_at"])
    return counts


def scan(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """The worker's periodic pass: every clock whose next check is due, oldest first."""
    now = now or timezone.now()
    counts = {"warnings": 0, "breaches": 0}
    due = TicketClock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    for clock_id in list(due.values_list("pk", flat=True)[:limit]):
        for key, value in do_check(clock_id, now=now).items():
            counts[key] += value
    return counts
