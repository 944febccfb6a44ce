"""Service levels at size: recompute every open ticket's clock, and the worker's cost a minute.

    .venv/bin/python bench/sla_recompute.py --db sqlite --tickets 100000
    .venv/bin/python bench/sla_recompute.py --db postgres --tickets 100000

Its own data set (`sla_<size>`, dropped and migrated first) so it never disturbs bench/fill.py's:
~200 customers (a third on the premium tier), N open tickets opened over the last six weeks,
each with a `created` event and 0-4 status changes (waiting for the customer and back, R&D)
and, for most, a first reply. Rows are bulk-inserted: this measures the clocks, not intake.

Measured: (1) `recompute_many` over every open ticket (what `palier sla recompute` does after
a calendar or target change, less its settling of new clocks' past deadlines); (2) the
periodic scan: the first pass that flags the backlog, then a steady minute; (3)
`do_recompute` per ticket event (what the worker does on each status, criticality or
first-reply event); (4) `time_left_for` on a 50-row queue page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import reset_database, setup_django  # noqa: E402

OPEN_MIX = [
    ("new", 10),
    ("in_progress", 45),
    ("waiting_customer", 20),
    ("awaiting_consent", 5),
    ("with_rnd", 12),
    ("waiting_patch", 5),
    ("patch_available", 3),
]
CRITICALITY_MIX = [("low", 25), ("medium", 50), ("high", 20), ("critical", 5)]


def weighted(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in mix], weights=[w for _, w in mix])[0]


def build(tickets: int, now: dt.datetime, rng: random.Random) -> None:
    from django.db import transaction

    from palier.customers.models import Contract
    from palier.testing.factories import make_customer
    from palier.tickets.models import Ticket, TicketEvent

    customers = [make_customer(f"sla-{i:03d}") for i in range(200)]
    Contract.objects.filter(customer__in=customers[::3]).update(tier="premium")
    # Bulk rows with their historical times: switch auto_now_add off for this process only.
    for model, name in ((Ticket, "created_at"), (TicketEvent, "at")):
        model._meta.get_field(name).auto_now_add = False
    batch = 5000
    for start in range(0, tickets, batch):
        rows, histories = [], []
        for _ in range(min(batch, tickets - start)):
            opened = now - dt.timedelta(minutes=rng.randint(10, 6 * 7 * 24 * 60))
            status = weighted(rng, OPEN_MIX)
            path = _history(rng, status)
            replied = opened + dt.timedelta(minutes=rng.randint(5, 600))
            rows.append(
                Ticket(
                    customer=rng.choice(customers),
                    channel="portal",
                    type="malfunction",
                    level=1,
                    subject="Bench ticket",
                    criticality=weighted(rng, CRITICALITY_MIX),
                    status=status,
                    created_at=opened,
                    first_response_at=replied if (rng.random() < 0.7 and replied < now) else None,
                )
            )
            histories.append((opened, path))
        with transaction.atomic():
            Ticket.objects.bulk_create(rows, batch_size=1000)
            events = []
            for ticket, (opened, path) in zip(rows, histories, strict=True):
                events.append(TicketEvent(ticket=ticket, kind="created", at=opened, to_value="new"))
                at, previous = opened, "new"
                for status in path:
                    at = at + (now - at) * rng.uniform(0.1, 0.6)
                    events.append(
                        TicketEvent(
                            ticket=ticket,
                            kind="status",
                            field="status",
                            at=at,
                            from_value=previous,
                            to_value=status,
                        )
                    )
                    previous = status
            TicketEvent.objects.bulk_create(events, batch_size=2000)
        print(f"  {start + len(rows):>7} tickets", end="\r", flush=True)
    for model, name in ((Ticket, "created_at"), (TicketEvent, "at")):
        model._meta.get_field(name).auto_now_add = True
    print()


def _history(rng: random.Random, final: str) -> list[str]:
    """A plausible status path that ends in `final`."""
    path = ["in_progress"] if rng.random() < 0.8 else []
    if rng.random() < 0.4:
        path += ["waiting_customer", "in_progress"]
    if final in ("with_rnd", "waiting_patch", "patch_available"):
        path += ["with_rnd"] + (["waiting_patch"] if final != "with_rnd" else [])
        if final == "patch_available":
            path.append("patch_available")
    elif final != "new" and (not path or path[-1] != final):
        path.append(final)
    return [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]] if final != "new" else []


def _flag_everything_until(moment: dt.datetime) -> None:
    from palier.sla.actions import settle_past
    from palier.sla.models import TicketClock

    settle_past(TicketClock.objects.filter(active=True), moment, warnings=True)


def measure(now: dt.datetime, sample: int, recompute_limit: int | None = None) -> dict:
    from django.db import connection, reset_queries

    from palier.sla.actions import do_recompute, recompute_many, scan
    from palier.sla.business_time import add_business_time
    from palier.sla.calendars import default_calendar
    from palier.sla.queries import time_left_for
    from palier.tickets.models import Ticket
    from palier.tickets.states import OPEN_STATUSES

    ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    out: dict = {"open_tickets": len(ids)}
    some = ids[:recompute_limit] if recompute_limit else ids
    started = time.perf_counter()
    recompute_many(some, now=now)
    out["recomputed"] = len(some)
    out["recompute_s"] = round(time.perf_counter() - started, 1)
    out["recompute_per_ticket_ms"] = round(out["recompute_s"] * 1000 / len(some), 3)

    # Backlog: random histories leave tens of thousands of clocks past due at once (a desk
    # switching SLAs on). One pass of 500 per target gives the cost per flag; the rest is
    # marked flagged directly so that the steady minute below measures a desk in its rhythm.
    from palier.sla.models import TicketClock

    pending = TicketClock.objects.filter(next_check_at__lte=now).count()
    started = time.perf_counter()
    counts = scan(now=now, limit=500)
    seconds = time.perf_counter() - started
    flags = sum(counts.values())
    out["scan_backlog"] = {
        "clocks_to_check_at_start": pending,
        "one_pass_of_500_s": round(seconds, 2),
        **counts,
        "ms_per_flag": round(seconds * 1000 / max(flags, 1), 2),
    }
    # Steady state in working hours (the data set's "now" may be an evening): everything due
    # before `busy` is taken as flagged (in SQL, as the scan would have left it), then ten
    # consecutive minutes are scanned.
    busy = add_business_time(now, dt.timedelta(hours=2), default_calendar())
    _flag_everything_until(busy)
    if connection.vendor == "postgresql":
        # The mass updates above leave ~100k dead rows per pass; autovacuum clears them on a
        # live desk (whose clocks change a few rows a minute), so measure after it has.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE sla_ticketclock")
    minutes = []
    for minute in range(1, 11):
        started = time.perf_counter()
        counts = scan(now=busy + dt.timedelta(minutes=minute))
        minutes.append((time.perf_counter() - started, counts))
    out["scan_steady"] = {
        "at": busy.isoformat(),
        "median_ms": round(statistics.median(m[0] for m in minutes) * 1000, 1),
        "max_ms": round(max(m[0] for m in minutes) * 1000, 1),
        "flags_per_minute": round(statistics.mean(sum(m[1].values()) for m in minutes), 1),
    }

    rng = random.Random(7)
    picked = Ticket.objects.filter(pk__in=rng.sample(ids, min(sample, len(ids))))
    timings = []
    for ticket in picked:
        started = time.perf_counter()
        do_recompute(ticket, now=now)
        timings.append(time.perf_counter() - started)
    out["event_recompute_ms"] = {
        "median": round(statistics.median(timings) * 1000, 2),
        "p95": round(sorted(timings)[int(len(timings) * 0.95)] * 1000, 2),
    }
    page = list(Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("-id")[:50])
    time_left_for(page, now=now)  # warm the calendar cache, as a running server has it
    connection.force_debug_cursor = True
    reset_queries()
    started = time.perf_counter()
    time_left_for(page, now=now)
    out["queue_page_time_left_ms"] = round((time.perf_counter() - started) * 1000, 2)
    out["queue_page_time_left_queries"] = len(connection.queries)
    connection.force_debug_cursor = False
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000, help="tickets for per-event cost")
    parser.add_argument("--reuse", action="store_true", help="measure the data set built before")
    parser.add_argument(
        "--set",
        dest="dataset",
        help="measure another data set as it is, e.g. bench/fill.py's 1m (implies --reuse)",
    )
    parser.add_argument(
        "--keep-clocks",
        action="store_true",
        help="with --reuse: keep the set's clocks (the scan then covers all of them)",
    )
    parser.add_argument(
        "--recompute-limit",
        type=int,
        help="rebuild the clocks of only this many open tickets (the cost a ticket)",
    )
    args = parser.parse_args()
    dataset = f"sla_{args.tickets // 1000}k" if args.tickets >= 1000 else f"sla_{args.tickets}"
    if args.dataset:
        dataset, args.reuse = args.dataset, True
    if not args.reuse:
        reset_database(args.db, dataset)
    setup_django(args.db, dataset)
    from django.core.management import call_command
    from django.utils import timezone

    from palier.sla.models import TicketClock
    from palier.tickets.models import TicketEvent

    call_command("migrate", verbosity=0)
    if args.reuse:
        if not args.keep_clocks:
            TicketClock.objects.all().delete()  # start from no clocks, as after a fresh build
        latest = TicketEvent.objects.order_by("-at").values_list("at", flat=True)[0]
        now = latest.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    else:
        now = timezone.now().replace(microsecond=0)
        started = time.perf_counter()
        build(args.tickets, now, random.Random(42))
        print(f"built in {time.perf_counter() - started:.0f} s")
    import os

    from palier.tickets.models import Ticket

    results = {"db": args.db, "set": dataset, "tickets": Ticket.objects.count()}
    results["load_before"] = [round(x, 2) for x in os.getloadavg()]
    results.update(measure(now, args.sample, args.recompute_limit))
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))
    path = Path("/tmp/palier-bench") / f"results-sla-{args.db}-{dataset}.json"
    path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
