"""Import speed of past tickets: a Jira Service Management CSV export of 100,000 issues with
350,000 comments, into an empty desk with 200 customers and 4,000 contacts.

    .venv/bin/python bench/import_past.py --db sqlite
    .venv/bin/python bench/import_past.py --db postgres

Its own data set (`--set`, default `movein_100k`; dropped and migrated first). The export is
written first (deterministic: the same seed gives the same file), in Jira's real shape: the
"all fields" header, repeated "Comment" columns holding "14/Jul/25 3:42 PM;account id;text",
organizations and request types as JSM writes them. Then `palier import jira` runs as the
command does (`process(..., write=True)`), while a thread samples the process's resident
memory every second. Printed: the time, tickets and comments per second, and the memory at
the start, at each tenth of the file and at the end (flat memory: the file is streamed and
written in batches of 1,000 tickets, one short transaction each).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import DATA_DIR, reset_database, setup_django  # noqa: E402

HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
    "Project type", "Priority", "Resolution", "Assignee", "Assignee Id", "Reporter",
    "Reporter Id", "Creator", "Creator Id", "Created", "Updated", "Last Viewed", "Resolved",
    "Labels", "Labels", "Description", "Custom field (Organizations)",
    "Custom field (Request Type)", "Status Category",
]  # fmt: skip
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WORDS = str.split(
    "facture bloquee impression bulletin livraison erreur Lieferschein Rechnung Druck Fehler "
    "fattura stampa errore consegna invoice delivery note stock list column VAT period "
    "closing export report ledger order customer payment reminder"
)


def jira_date(value: dt.datetime) -> str:
    hour = value.hour % 12 or 12
    ampm = "AM" if value.hour < 12 else "PM"
    day = f"{value.day:02d}/{MONTHS[value.month - 1]}/{value.year % 100:02d}"
    return f"{day} {hour}:{value.minute:02d} {ampm}"


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_export(path: Path, tickets: int, comments: int, customers: int, contacts: int) -> int:
    rng = random.Random(16)
    per_ticket = comments / tickets
    most = 8
    start = dt.datetime(2019, 1, 1, 8, 0)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADER + ["Comment"] * most)
        left = comments
        for n in range(1, tickets + 1):
            created = start + dt.timedelta(minutes=31 * n + rng.randint(0, 30))
            customer = rng.randrange(customers)
            contact = customer * (contacts // customers) + rng.randrange(contacts // customers)
            reporter_id, agent_id = f"557058:contact-{contact}", f"712020:agent-{n % 20}"
            count = min(most, left, round(rng.uniform(0, 2 * per_ticket)))
            if n == tickets:
                count = min(most, left)
            left -= count
            cells = []
            for c in range(count):
                when = created + dt.timedelta(hours=2 + 5 * c)
                author = reporter_id if c % 2 else agent_id
                cells.append(f"{jira_date(when)};{author};{text(rng, rng.randint(12, 40))}")
                written += 1
            done = rng.random() < 0.93
            out.writerow([
                text(rng, 6), f"SD-{n}", str(10000 + n), "[System] Incident",
                "Done" if done else "In Progress", "SD", "Support", "service_desk",
                rng.choice(["High", "Medium", "Low"]),
                "Done" if done else "", f"Agent {n % 20}", agent_id, f"Contact {contact}",
                reporter_id, f"Contact {contact}", reporter_id, jira_date(created),
                jira_date(created + dt.timedelta(days=2)), "",
                jira_date(created + dt.timedelta(days=2)) if done else "", "erp", "",
                text(rng, rng.randint(20, 60)), f"CUST-{customer:05d}",
                rng.choice(["Report a bug", "Get help", "Ask a question", "Request a change"]),
                "Done" if done else "In Progress",
                *cells, *[""] * (most - count),
            ])  # fmt: skip
    return written


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def prepare_desk(customers: int, contacts: int) -> None:
    from palier.accounts.models import Role, User
    from palier.customers.models import Customer

    Customer.objects.bulk_create(
        Customer(code=f"cust-{i:05d}", name=f"Customer {i}", reference=f"CUST-{i:05d}")
        for i in range(customers)
    )
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    per = contacts // customers
    User.objects.bulk_create(
        User(username=f"contact{c}", email=f"contact{c}@example.com", first_name="Contact",
             last_name=str(c), role=Role.CONTACT, customer_id=ids[c // per], password="!")
        for c in range(contacts)
    )  # fmt: skip
    User.objects.bulk_create(
        User(username=f"agent{a}", email=f"agent{a}@vendor.example", first_name="Agent",
             last_name=str(a), role=Role.AGENT, password="!")
        for a in range(20)
    )  # fmt: skip
    User.objects.create(username="importer", email="importer@vendor.example",
                        role=Role.MANAGER, password="!")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=350_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--contacts", type=int, default=4000)
    parser.add_argument("--set", dest="dataset", default="movein_100k")
    args = parser.parse_args()

    reset_database(args.db, args.dataset)
    setup_django(args.db, args.dataset)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    prepare_desk(args.customers, args.contacts)
    path = DATA_DIR / args.dataset / "jira-export.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    comments = write_export(path, args.tickets, args.comments, args.customers, args.contacts)
    size_mb = path.stat().st_size / 1e6

    from palier.accounts.models import User
    from palier.audit.log import origin
    from palier.imports.past.actions import process
    from palier.tickets.models import Message, Ticket

    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        begin = time.monotonic()
        while not stop.is_set():
            samples.append((time.monotonic() - begin, rss_mb()))
            stop.wait(1.0)

    user = User.objects.get(username="importer")
    marks: dict[int, float] = {}

    def progress(done: int, total: int) -> None:
        tenth = int(10 * done / total) if total else 10
        marks.setdefault(tenth, rss_mb())

    before = rss_mb()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with origin("command"), path.open("rb") as f:
        report = process("jira", [(path.name, f)], {}, write=True, acting_user=user,
                         progress=progress)  # fmt: skip
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    load = os.getloadavg()
    result = {
        "db": args.db,
        "tickets": report.counts["tickets_new"],
        "comments": report.counts["comments"],
        "comments_in_file": comments,
        "refused": report.counts["tickets_refused"],
        "file_mb": round(size_mb, 1),
        "seconds": round(elapsed, 1),
        "tickets_per_s": round(report.counts["tickets_new"] / elapsed),
        "comments_per_s": round(report.counts["comments"] / elapsed),
        "rss_mb_before": round(before, 1),
        "rss_mb_by_tenth": {k: round(v, 1) for k, v in sorted(marks.items())},
        "rss_mb_max": round(max(v for _t, v in samples), 1),
        "load_average_after": [round(x, 1) for x in load],
        "rows": {"tickets": Ticket.objects.count(), "messages": Message.objects.count()},
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
