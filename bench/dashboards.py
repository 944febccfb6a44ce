"""Time every dashboard panel at scale (docs/performance.md, "Dashboards").

    .venv/bin/python bench/dashboards.py --db postgres --tickets 100000 --set 100k_reports --fill
    .venv/bin/python bench/dashboards.py --db postgres --set 100k_reports        # measure again

--fill drops and migrates the data set's database, then writes what the panels read in bulk:
~200 customers (some contracts expired or suspended), tickets spread over the last 400 days
on every channel and level, their intake decisions (refused ones too) and a diagnosis for one
in eight, a service clock per ticket with breaches and warnings, billable time, estimates and
invoices, defects linked to tickets, surveys and answers. Rows are inserted directly (not
through the actions, which bench/fill.py measures): this shapes data for reads only.

The fill ends by building the daily roll-up (palier.dashboards.rollup); --rollup rebuilds it
on a set filled earlier, --live measures without it (the base tables only), --check first
compares every rolled-up panel with the live computation over the set (17 filter sets).

Measuring runs each panel --runs times per filter set (the last 30 days; a whole year; one
customer over the year; the team-sized "level 2 over the year") and prints the median and
the slowest run in milliseconds (the SET LOCAL of dashboards.plans included, as the view
runs it) with the statements each panel ran. The machine is shared: figures
are indicative.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import reset_database, settle_tables, setup_django  # noqa: E402

BATCH = 5000


def fill(tickets: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    with transaction.atomic():
        world = _world(rng)
    started = time.monotonic()
    done = 0
    while done < tickets:
        count = min(BATCH, tickets - done)
        with transaction.atomic():
            _tickets(rng, world, count)
        done += count
        print(f"\r{done}/{tickets} tickets, {done / (time.monotonic() - started):.0f}/s", end="")
    print()
    with transaction.atomic():
        _defects(rng, world)
    _spread_dates()
    settle_tables()
    print(f"filled in {time.monotonic() - started:.0f}s")
    build_rollup(rebuild=True)


def build_rollup(*, rebuild: bool) -> None:
    """Sum every closed day into the dashboards' roll-up, as `palier rollup --rebuild` does
    (rows written around the actions are not seen by the worker's refresh)."""
    from django.db import connection

    from palier.dashboards import rollup

    started, cpu = time.monotonic(), time.process_time()
    outcome = rollup.rebuild() if rebuild else rollup.refresh()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_dayfigure")
    print(
        f"roll-up: {outcome} in {time.monotonic() - started:.1f}s "
        f"({time.process_time() - cpu:.2f}s CPU in this process)"
    )


def _world(rng: random.Random) -> dict:
    from palier.accounts.models import Role
    from palier.customers.models import Module
    from palier.testing.factories import make_customer, make_customization, make_user

    staff = [make_user(f"bench.agent{i}", Role.AGENT) for i in range(8)]
    staff.append(make_user("bench.manager", Role.MANAGER))
    customers = []
    for i in range(200):
        state, end_days = "active", 165
        if i % 25 == 7:
            end_days = -10
        elif i % 25 == 13:
            state = "suspended"
        customer = make_customer(
            f"cust-{i:03d}", state=state, end_days=end_days, prepaid_hours="40" if i % 9 else "0"
        )
        contact = make_user(f"contact.{i:03d}", customer=customer)
        customs = [make_customization(customer, "Sales", f"Object {j}", "vendor") for j in range(2)]
        customers.append(
            {
                "customer": customer,
                "contact": contact,
                "customs": customs,
                "contract": customer.contracts.get(),
                "refused": state != "active" or end_days < 0,
            }
        )
    return {"staff": staff, "customers": customers, "modules": list(Module.objects.all())}


def _tickets(rng: random.Random, world: dict, count: int) -> None:
    from palier.billing.models import Estimate, TimeEntry
    from palier.satisfaction.models import Survey
    from palier.sla.models import TicketClock
    from palier.tickets.models import Decision, Ticket

    now = dt.datetime.now(dt.UTC)
    rows, plans = [], []
    for _ in range(count):
        entry = rng.choice(world["customers"])
        refused = entry["refused"]
        level = None if refused else rng.choice([1, 1, 1, 2])
        status = (
            "refused"
            if refused
            else rng.choices(
                ["closed", "resolved", "new", "in_progress", "waiting_customer", "with_rnd"],
                [60, 10, 8, 12, 6, 4],
            )[0]
        )
        custom = rng.choice(entry["customs"]) if level == 2 and rng.random() < 0.5 else None
        rows.append(
            Ticket(
                customer=entry["customer"],
                contact=entry["contact"],
                channel=rng.choice(["portal", "portal", "email", "phone", "api"]),
                type="feature" if level == 2 else "usage",
                module=custom.module if custom else rng.choice(world["modules"]),
                customization=custom,
                criticality=rng.choice(["low", "medium", "medium", "high", "critical"]),
                subject="Bench request",
                status=status,
                level=level,
                billable=level == 2,
                assignee=rng.choice(world["staff"]) if not refused else None,
            )
        )
        plans.append((entry, refused, level, status))
    Ticket.objects.bulk_create(rows, batch_size=1000)
    decisions, clocks, time_rows, estimates, surveys = [], [], [], [], []
    for ticket, (entry, refused, level, status) in zip(rows, plans, strict=True):
        decisions.append(
            Decision(
                ticket=ticket,
                kind="intake",
                accepted=not refused,
                level=level,
                refusal=rng.choice(["expired", "suspended"]) if refused else "",
                refusal_date=dt.date.today() - dt.timedelta(days=10) if refused else None,
            )
        )
        if refused:
            continue
        if rng.random() < 0.125:
            decisions.append(
                Decision(
                    ticket=ticket,
                    kind="diagnosis",
                    accepted=True,
                    level=2,
                    finding=rng.choice(
                        [
                            "customization_error",
                            "feature_request",
                            "customer_manipulation",
                            "product_defect",
                        ]
                    ),
                )
            )
        breached = rng.random() < 0.08
        clocks.append(
            TicketClock(
                ticket=ticket,
                tier=rng.choice(["standard", "standard", "premium"]),
                criticality=ticket.criticality,
                status=status,
                active=status not in ("closed", "resolved"),
                first_response_target_s=14400,
                first_response_left_s=0,
                first_response_breached=breached,
                first_response_warned=breached or rng.random() < 0.05,
                resolution_target_s=144000,
                resolution_left_s=0,
                resolution_breached=rng.random() < 0.05,
                first_response_due=now + dt.timedelta(hours=rng.randint(-48, 48)),
                resolution_due=now + dt.timedelta(hours=rng.randint(-48, 200)),
                first_response_running=status == "new",
                resolution_running=status in ("new", "in_progress"),
                next_check_at=now + dt.timedelta(hours=rng.randint(1, 48)),
                computed_at=now,
            )
        )
        if level == 2:
            estimates.append(
                Estimate(
                    ticket=ticket,
                    contract=entry["contract"],
                    hours=Decimal(rng.choice(["2", "4", "8"])),
                    rate=Decimal("185.00"),
                    text="Bench",
                    status=rng.choice(["accepted", "accepted", "declined", "proposed"]),
                    proposed_by=world["staff"][-1],
                    link_nonce="x",
                    decided_at=now - dt.timedelta(days=rng.randint(0, 400)),
                )
            )
            for _ in range(rng.randint(1, 3)):
                time_rows.append(
                    TimeEntry(
                        ticket=ticket,
                        user=rng.choice(world["staff"]),
                        date=dt.date.today() - dt.timedelta(days=rng.randint(0, 400)),
                        minutes=rng.choice([15, 30, 45, 60, 90, 120]),
                        activity="consulting",
                        billable=True,
                        rate=Decimal("185.00"),
                        contract=entry["contract"],
                        prepaid_minutes=15 if rng.random() < 0.1 else 0,
                    )
                )
        if status in ("closed", "resolved") and rng.random() < 0.4:
            answered = rng.random() < 0.35
            sent = now - dt.timedelta(days=rng.randint(0, 400))
            surveys.append(
                Survey(
                    ticket=ticket,
                    contact=entry["contact"],
                    customer=entry["customer"],
                    language="en",
                    nonce="x",
                    sent_at=sent,
                    expires_at=sent + dt.timedelta(days=14),
                    answered_at=sent + dt.timedelta(days=1) if answered else None,
                    score=rng.choice([5, 5, 4, 4, 3, 2, 1]) if answered else None,
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    TicketClock.objects.bulk_create(clocks, batch_size=2000)
    Estimate.objects.bulk_create(estimates, batch_size=2000)
    TimeEntry.objects.bulk_create(time_rows, batch_size=2000)
    Survey.objects.bulk_create(surveys, batch_size=2000)


def _defects(rng: random.Random, world: dict) -> None:
    from palier.engineering.models import Defect, DefectLink
    from palier.tickets.models import Ticket

    product = world["modules"][0].product
    defects = Defect.objects.bulk_create(
        [
            Defect(
                product=product,
                module=rng.choice(world["modules"]),
                title=f"Defect {i}",
                status=rng.choice(["new", "confirmed", "in_progress", "fixed"]),
            )
            for i in range(300)
        ]
    )
    ids = list(Ticket.objects.filter(level=1).order_by("?").values_list("pk", flat=True)[:20000])
    DefectLink.objects.bulk_create(
        [DefectLink(defect=rng.choice(defects), ticket_id=pk) for pk in ids], batch_size=2000
    )


def _spread_dates() -> None:
    """Tickets over the last 400 days (auto_now_add set them all to now), their decisions
    and estimates after them."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:
            cursor.execute(
                "UPDATE tickets_ticket SET created_at = now() - (random() * 400) * interval "
                "'1 day', updated_at = now()"
            )
            shift = "t.created_at + (random() * 5) * interval '1 day'"
            cursor.execute(
                f"UPDATE tickets_decision d SET decided_at = {shift} "
                "FROM tickets_ticket t WHERE t.id = d.ticket_id"
            )
            cursor.execute(
                f"UPDATE billing_estimate e SET proposed_at = {shift} "
                "FROM tickets_ticket t WHERE t.id = e.ticket_id"
            )
        else:
            cursor.execute(
                "UPDATE tickets_ticket SET created_at = datetime('now', "
                "'-' || (abs(random()) % 400) || ' days')"
            )
            for table, column in (
                ("tickets_decision", "decided_at"),
                ("billing_estimate", "proposed_at"),
            ):
                cursor.execute(
                    f"UPDATE {table} SET {column} = (SELECT datetime(t.created_at, '+' || "
                    f"(abs(random()) % 5) || ' days') FROM tickets_ticket t WHERE t.id = "
                    f"{table}.ticket_id)"
                )


def measure(runs: int, *, live: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from palier.customers.models import Customer
    from palier.dashboards.combine import with_rollup
    from palier.dashboards.filters import Filters
    from palier.dashboards.panels import PANELS, QUERY_BUDGET
    from palier.dashboards.plans import custom_plans
    from palier.tickets.models import Ticket

    today = timezone.localdate()
    year = Filters(start=today - dt.timedelta(days=364), end=today)
    customer = Customer.objects.order_by("id").values_list("pk", flat=True)[1]
    sets = {
        "30 days": Filters.default(today),
        "365 days": year,
        "1 customer, 365 d": Filters(start=year.start, end=today, customer_id=customer),
        "level 2, 365 d": Filters(start=year.start, end=today, level=2),
    }
    if not live:  # as the view does, once a page (one statement, not timed here)
        sets = {name: with_rollup(f) for name, f in sets.items()}
    through = next(iter(sets.values())).rolled_through
    server = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server = cursor.fetchone()[0]
    print(f"{Ticket.objects.count()} tickets, {connection.vendor}, roll-up through {through}")
    print(f"{'panel':<14}" + "".join(f"{name:>32}" for name in sets) + "  queries")
    worst = 0.0
    for key, build in PANELS.items():
        cells, queries = [], 0
        for f in sets.values():
            timings = []
            cpu = _server_cpu(server)
            for _ in range(runs):
                started = time.perf_counter()
                with custom_plans(), CaptureQueriesContext(connection) as ctx:
                    build(f)
                timings.append((time.perf_counter() - started) * 1000)
                queries = max(queries, len(ctx.captured_queries))
            server_ms = (_server_cpu(server) - cpu) * 1000 / runs
            worst = max(worst, max(timings))
            cells.append(
                f"{statistics.median(timings):7.1f} /{max(timings):7.1f} ms cpu {server_ms:5.0f}"
            )
        flag = "" if queries <= QUERY_BUDGET[key] else f" (over budget {QUERY_BUDGET[key]})"
        print(f"{key:<14}" + "".join(f"{c:>32}" for c in cells) + f"  {queries}{flag}")
    print(
        f"slowest panel run: {worst:.1f} ms (median / slowest of {runs} runs each; cpu: the "
        "database server's CPU ms a run, where it runs on this host)"
    )


def check_rollup() -> int:
    """Compare every rolled-up panel's figures with the live computation over this data set,
    for a range of filters; print and return the number of differences."""
    from dataclasses import replace

    from django.utils import timezone

    from palier.customers.models import Customer, Module
    from palier.dashboards.combine import with_rollup
    from palier.dashboards.filters import Filters
    from palier.dashboards.panels import PANELS
    from palier.dashboards.plans import custom_plans

    def figures(panel):
        tables = [(t.key, [(r.label, r.values, r.links) for r in t.rows]) for t in panel.tables]
        return [*tables, panel.facts]

    today = timezone.localdate()
    year = Filters(start=today - dt.timedelta(days=364), end=today)
    module = Module.objects.order_by("id").first()
    customers = Customer.objects.order_by("id").values_list("pk", flat=True)
    sets = [
        Filters.default(today),
        year,
        year.with_period(today - dt.timedelta(days=90), today - dt.timedelta(days=3)),
        replace(year, level=1),
        replace(year, level=2),
        replace(year, module_id=module.pk),
        replace(year, product_id=module.product_id),
        *[replace(year, customer_id=pk) for pk in customers[:10]],  # some of them refused
    ]
    differences = 0
    with custom_plans():
        for f in sets:
            rolled = with_rollup(f)
            for key in ("intake", "refusals", "moves", "sla", "level2"):
                if figures(PANELS[key](rolled)) != figures(PANELS[key](f)):
                    differences += 1
                    print(f"DIFFERENT: {key} for {f}")
    print(
        f"roll-up check: {len(sets)} filter sets x 5 panels, {differences} differences "
        f"(roll-up through {rolled.rolled_through})"
    )
    return differences


def _server_cpu(pid: int | None) -> float:
    """CPU seconds used so far by the database backend serving this connection (Linux, when
    PostgreSQL runs on this host; SQLite runs in this process)."""
    import os

    try:
        fields = Path(f"/proc/{pid or os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", required=True, help="e.g. 100k_reports")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--fill", action="store_true", help="drop and fill the data set first")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--live", action="store_true", help="read the base tables only, not the daily roll-up"
    )
    parser.add_argument(
        "--rollup", action="store_true", help="rebuild the daily roll-up before measuring"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare the rolled-up panels with live ones first"
    )
    args = parser.parse_args()
    if args.fill:
        reset_database(args.db, args.dataset)
    setup_django(args.db, args.dataset)
    if args.fill:
        from django.test.utils import override_settings

        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            fill(args.tickets, args.seed)
    else:  # a data set filled by an earlier version: bring its indexes up to date
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.rollup:
            build_rollup(rebuild=True)
    if args.check and check_rollup():
        raise SystemExit("the roll-up differs from the live figures")
    measure(args.runs, live=args.live)


if __name__ == "__main__":
    main()
