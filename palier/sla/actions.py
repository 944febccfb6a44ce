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
from django.db.models import Q
from django.utils import timezone

from palier.customers.models import Contract
from palier.sla.calendars import DEFAULT_TIER, default_calendar, targets_for
from palier.sla.clocks import compute_clock, timeline
from palier.sla.models import TicketClock
from palier.tickets.actions import record_event
from palier.tickets.models import Ticket, TicketEvent
from palier.tickets.states import OPEN_STATUSES

# Events whose to_value is the ticket's new status.
STATUS_EVENTS = Q(field="status") | Q(kind__in=["created", "refused"])
COMPUTED_FIELDS = [
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
        state = compute_clock(
            timeline(ticket.created_at, changes[ticket.pk]),
            first_response_target=targets.first_response,
            resolution_target=targets.resolution,
            first_response_at=ticket.first_response_at,
            now=now,
            calendar=calendar,
        )
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
    return clocks


def save_clocks(clocks: list[TicketClock]) -> None:
    """Upsert computed fields only: the warned/breached flags belong to the scan."""
    TicketClock.objects.bulk_create(
        clocks,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=COMPUTED_FIELDS,
    )


@transaction.atomic
def do_recompute(ticket: Ticket, *, now: dt.datetime | None = None) -> TicketClock:
    """Recompute a ticket's targets and clock from its whole history (tier, criticality,
    status changes, first reply). Locks the clock so two workers write one after the other."""
    now = now or timezone.now()
    list(TicketClock.objects.select_for_update().filter(pk=ticket.pk))
    fresh = Ticket.objects.get(pk=ticket.pk)
    clocks = compute_clocks([fresh], now)
    save_clocks(clocks)
    return TicketClock.objects.get(pk=ticket.pk)


def recompute_customer(customer_id: int, *, now: dt.datetime | None = None) -> int:
    """After a contract's tier changes: recompute the customer's open tickets."""
    ids = Ticket.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).values_list(
        "pk", flat=True
    )
    return recompute_many(list(ids), now=now)


def recompute_many(
    ticket_ids: list[int], *, now: dt.datetime | None = None, batch: int = 2000
) -> int:
    now = now or timezone.now()
    done = 0
    for start in range(0, len(ticket_ids), batch):
        chunk = ticket_ids[start : start + batch]
        with transaction.atomic():
            tickets = list(
                Ticket.objects.filter(pk__in=chunk).only(
                    "pk", "customer_id", "criticality", "status", "created_at", "first_response_at"
                )
            )
            save_clocks(compute_clocks(tickets, now))
        done += len(chunk)
    return done


@transaction.atomic
def do_flag(clock_id: int, target: str, kind: str, *, now: dt.datetime) -> bool:
    """Record one `sla_warning` or `sla_breach` event, unless this target already has it."""
    clock = TicketClock.objects.select_for_update().select_related("ticket").get(pk=clock_id)
    warned, breached = f"{target}_warned", f"{target}_breached"
    due = getattr(clock, f"{target}_due")
    past_due = due is not None and due <= now
    if kind == "breach":
        if getattr(clock, breached) or not past_due:
            return False
        # A breach also settles the warning: nobody needs a warning after the fact.
        setattr(clock, breached, True)
        setattr(clock, warned, True)
        clock.save(update_fields=[breached, warned])
    else:
        warn_at = getattr(clock, f"{target}_warn_at")
        if getattr(clock, warned) or warn_at is None or warn_at > now:
            return False
        setattr(clock, warned, True)
        clock.save(update_fields=[warned])
        met = target == "first_response" and clock.first_response_met_at is not None
        if met or past_due:
            # Answered already, or past due: the breach (if any) is the news, not a warning.
            return False
    record_event(
        clock.ticket,
        "sla_breach" if kind == "breach" else "sla_warning",
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
    return True


def scan(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The worker's periodic pass: flag every clock past its warning or due instant."""
    now = now or timezone.now()
    counts = {"warnings": 0, "breaches": 0}
    active = TicketClock.objects.filter(active=True)
    for target in TARGETS:
        due_ids = active.filter(**{f"{target}_breached": False, f"{target}_due__lte": now})
        for clock_id in list(due_ids.values_list("pk", flat=True)[:limit]):
            counts["breaches"] += do_flag(clock_id, target, "breach", now=now)
        warn_ids = active.filter(**{f"{target}_warned": False, f"{target}_warn_at__lte": now})
        for clock_id in list(warn_ids.values_list("pk", flat=True)[:limit]):
            counts["warnings"] += do_flag(clock_id, target, "warning", now=now)
    return counts
