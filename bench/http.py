"""Measure Palier through HTTP against gunicorn, on a data set filled by bench/fill.py.

    .venv/bin/python bench/http.py --db sqlite --set 100k
    .venv/bin/python bench/http.py --db postgres --set 100k --worker-class gthread

Starts `gunicorn palier.wsgi` (2 workers, loopback only) on the bench database, then:
- latency (p50/p95/p99) of one keep-alive client, request after request, on: the staff
  ticket list (`?queue=level1`, 50 a page, first page and a page deep in the queue), a
  ticket's detail (random ids), and text search (`?q=<word>`) for a rare, a medium and a
  very common word;
- creation: two clients (threads, each its own connection and contact token) POST
  /api/v1/tickets for a fixed time; tickets per second with the policy decision (201s only);
- SQL queries per request, in process with Django's CaptureQueriesContext, for list pages
  of 10, 50 and 200 and for the other requests: the count must not grow with the page;
- the HTML screens people use (bench/screens.py: the queue, the desk search, the ticket
  page, the portal's list and request page, the billing time list), each beside the API's
  answer for the same data in the same run, with the ratio of their p95 and each screen's
  SQL statements. `--only screens` measures just these.

`BENCH_PG_SERVER=postgres://postgres@%2Fvar%2Frun%2Fpostgresql` reaches PostgreSQL through its
Unix socket instead of TCP on 127.0.0.1. Each run prints a speed index (machine_speed) taken
before and after: on a shared VM the same run varies by ±25 %, and the index says when.

Results are printed and written to /tmp/palier-bench/results-<db>-<set>.json. The load is
bounded (one or two clients) and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file, run as a script, would shadow the standard library's `http`: put the project
# root first instead of the script's folder.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from bench.env import DATA_DIR, ROOT, bench_environ, setup_django  # noqa: E402

# From rare to common; match counts at 100k tickets are in docs/performance.md.
SEARCH_WORDS = [
    ("rare", "e4711"),
    ("medium", "lieferschein"),
    ("frequent", "matterhorn"),
    ("common", "facture"),
]
# Two words found together (2,100 tickets) and two seldom together (none): PostgreSQL's
# guess for a conjunction is off both ways (see tickets/search.py).
TWO_WORDS = [("together", "facture bloquee"), ("apart", "facture lieferschein")]


class Client:
    """One keep-alive HTTP/1.1 connection with a bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        payload = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        self.conn.request(method, path, body=payload, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - started) * 1000


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(ordered),
        "p50": round(at(0.50), 2),
        "p95": round(at(0.95), 2),
        "p99": round(at(0.99), 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def start_server(args: argparse.Namespace) -> subprocess.Popen:
    env = bench_environ(args.db, args.dataset)
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "palier.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--keep-alive",
        "30",
        # A loaded machine may take more than gunicorn's 30 s to import the app in a worker.
        "--timeout",
        "300",
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(1500):  # up to ~5 minutes on a loaded machine
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
            conn.request("GET", "/api/v1/codes")
            conn.getresponse().read()
            time.sleep(1)  # let every worker boot
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
            SERVER_PIDS[:] = [server.pid, *map(int, children.split())]
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def make_tokens() -> dict:
    """A staff token and two contact tokens of customers with an active contract (and the
    users they belong to)."""
    from django.utils import timezone

    from palier.accounts.actions import do_create_token
    from palier.accounts.models import User
    from palier.customers.models import Contract, Module

    today = timezone.localdate()
    agent = User.objects.get(username="bench.agent")
    active = Contract.objects.filter(state="active", start__lte=today, end__gte=today)
    customer_ids = list(active.values_list("customer_id", flat=True).order_by("customer_id")[:2])
    contacts = [User.objects.filter(customer_id=c).order_by("pk").first() for c in customer_ids]
    return {
        "staff": do_create_token(agent, name="bench")[1],
        "contacts": [do_create_token(c, name="bench")[1] for c in contacts],
        "contact_usernames": [c.username for c in contacts],
        "module_id": Module.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


SERVER_PIDS: list[int] = []
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def server_cpu_ms() -> float:
    """CPU time used so far by gunicorn's master and workers: unlike wall time, it does not
    grow when other work on the machine takes the cores."""
    total = 0
    for pid in SERVER_PIDS:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / CLOCK_TICK


def measure(client: Client, paths: list[str], warmup: int) -> dict:
    for path in paths[:warmup]:
        client.call("GET", path)
    samples, statuses = [], set()
    cpu_before = server_cpu_ms()
    for path in paths:
        status, _body, ms = client.call("GET", path)
        statuses.add(status)
        samples.append(ms)
    result = percentiles(samples)
    result["server_cpu_ms"] = round((server_cpu_ms() - cpu_before) / len(paths), 2)
    result["statuses"] = sorted(statuses)
    result["samples"] = samples  # for measures taken in turns (bench/screens.py); not printed
    return result


def _without_samples(value):
    """`value` without measure's raw samples (the file keeps the percentiles)."""
    if isinstance(value, dict):
        return {k: _without_samples(v) for k, v in value.items() if k != "samples"}
    return value


def deep_cursor(client: Client, base: str, pages: int) -> str:
    """The cursor of page `pages` of a list, to measure a page far from the top."""
    path, cursor = base, None
    for _ in range(pages):
        _status, body, _ms = client.call("GET", path)
        cursor = json.loads(body)["next_cursor"]
        if not cursor:
            break
        path = f"{base}&cursor={cursor}"
    return path


def read_latencies(port: int, token: str, n: int, ids: list[int]) -> dict:
    client = Client(port, token)
    rng = random.Random(7)
    base = "/api/v1/tickets?queue=level1&limit=50"
    results = {
        "list level1, first page": measure(client, [base] * n, 20),
        "list level1, page 20": measure(client, [deep_cursor(client, base, 20)] * n, 20),
        "detail": measure(client, [f"/api/v1/tickets/{rng.choice(ids)}" for _ in range(n)], 20),
    }
    for kind, word in SEARCH_WORDS:
        results[f"search {kind} ({word})"] = measure(client, [f"/api/v1/tickets?q={word}"] * n, 10)
    for kind, words in TWO_WORDS:
        path = f"/api/v1/tickets?q={words.replace(' ', '+')}"
        results[f"search two words {kind} ({words})"] = measure(client, [path] * n, 10)
    return results


def remove_tickets_after(last_id: int, since) -> int:
    """Delete the tickets the creation test opened (ids above `last_id`) and the tasks their
    events queued since `since`: left in place, thousands of identical tickets would sit on
    top of the data set and skew the next run's newest-first searches."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from palier.tickets.models import Ticket

    column = "ticket_id" if connection.vendor == "postgresql" else "rowid"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM ticket_search WHERE {column} > %s", [last_id])
        removed, _by_model = Ticket.objects.filter(pk__gt=last_id).delete()
        DBTaskResult.objects.filter(enqueued_at__gte=since).delete()
    if connection.vendor == "postgresql":
        # The next run's tickets take the deleted ones' ids again: run after run would
        # otherwise leave a gap of ids above the data set that no desk has (the text index's
        # first window below the newest tickets is a span of ids, tickets/search.py).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'),"
                " (SELECT max(id) FROM tickets_ticket))"
            )
        # The deleted rows stay in the indexes until a vacuum: newest-first walks would step
        # over thousands of dead entries in the next run.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tickets_ticket, ticket_search, tickets_decision")
    return removed


def create_rate(port: int, tokens: dict, seconds: float) -> dict:
    """Two clients open tickets as fast as the server answers, for `seconds`."""
    counts: list[int] = [0, 0]
    failures: list[int] = [0, 0]
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def run(i: int) -> None:
        client = Client(port, tokens["contacts"][i])
        body = {
            "type": "malfunction",
            "subject": "Bench: printing the delivery note fails",
            "description": "Error 4711 since the update.",
            "module_id": tokens["module_id"],
        }
        while time.monotonic() < deadline:
            status, _data, ms = client.call("POST", "/api/v1/tickets", body)
            if status == 201:
                counts[i] += 1
                latencies.append(ms)
            else:
                failures[i] += 1

    started, cpu_before = time.monotonic(), server_cpu_ms()
    client_cpu = time.process_time()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "created": sum(counts),
        "failed": sum(failures),
        "seconds": round(elapsed, 2),
        "per_second": round(sum(counts) / elapsed, 1),
        "client_cpu_ms": round((time.process_time() - client_cpu) * 1000 / max(1, sum(counts)), 2),
        "server_cpu_ms": round((server_cpu_ms() - cpu_before) / max(1, sum(counts)), 2),
        "latency": percentiles(latencies),
    }


def query_counts(tokens: dict, ids: list[int]) -> dict:
    """SQL queries per request, in process: they must not grow with the page size."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}")
    paths = {
        f"list level1, limit {n}": f"/api/v1/tickets?queue=level1&limit={n}" for n in (10, 50, 200)
    }
    paths["detail"] = f"/api/v1/tickets/{ids[0]}"
    paths["search (facture), limit 50"] = "/api/v1/tickets?q=facture&limit=50"
    paths["search (facture), limit 200"] = "/api/v1/tickets?q=facture&limit=200"
    paths["search (e4711), limit 50"] = "/api/v1/tickets?q=e4711&limit=50"
    paths["bare authenticated view (/me)"] = "/api/v1/me"
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm caches the way a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def service_times(tokens: dict, ids: list[int], n: int = 40) -> dict:
    """CPU time of a whole request in process (middleware, view, SQL on SQLite, JSON), the
    figure that does not change when other processes compete for the cores."""
    from django.test import Client as DjangoClient

    client = DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}")
    paths = {
        "bare authenticated view (/me)": ["/api/v1/me"],
        "list level1, 50": ["/api/v1/tickets?queue=level1&limit=50"],
        "detail": [f"/api/v1/tickets/{pk}" for pk in ids[:n]],
    }
    for _kind, word in SEARCH_WORDS:
        paths[f"search {word}"] = [f"/api/v1/tickets?q={word}"]
    times = {}
    for name, some in paths.items():
        client.get(some[0])
        started = time.process_time()
        for i in range(n):
            client.get(some[i % len(some)])
        times[name] = round((time.process_time() - started) * 1000 / n, 2)
    return times


def queue_count_times(n: int = 100) -> dict:
    """Wall time of every queue's count for a level-1 agent, in process (one statement,
    each queue counted up to its cap): the figure the queue screen and the API pay."""
    from palier.accounts.models import User
    from palier.workspace.queue import queue_counts

    agent = User.objects.get(username="bench.agent")
    counts = queue_counts(agent)  # warm, as a running server is
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        queue_counts(agent)
        samples.append((time.perf_counter() - started) * 1000)
    return {**percentiles(samples), "counts": {k: str(v) for k, v in counts.items()}}


def machine_speed() -> float:
    """How fast this machine runs Python right now: the best of five runs of a fixed loop, in
    wall-clock ms (lower is faster; the host's share of the core, which CPU time would not
    count, shows). A shared VM's speed drifts by a quarter within minutes; printed with
    every run so that two runs can be compared."""
    best = float("inf")
    for _ in range(5):
        started, total = time.perf_counter(), 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine_speed_cpu() -> float:
    """`machine_speed`'s loop in CPU ms: what a CPU time measured now is worth. On a quiet
    machine both read the same; on a busy one the CPU figure grows too (the neighbours share
    the core's caches and the host's cycles), so a process's CPU per task is scaled to a quiet
    machine by about quiet speed / this."""
    best = float("inf")
    for _ in range(5):
        started, total = time.process_time(), 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def summary(results: dict) -> str:
    lines = [
        f"{results['db']} {results['set']} ({results['tickets']} tickets), "
        f"{results['workers']} {results['worker_class']} workers, load {results['load_before']}, "
        f"speed index {results['speed_before_ms']} -> {results['speed_after_ms']} ms",
        f"{'request':48} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms':>8}",
    ]
    for name, r in results.get("reads", {}).items():
        lines.append(
            f"{name:48} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['server_cpu_ms']:8.2f}"
        )
    c = results.get("create")
    if c:
        lines.append(
            f"create, 2 clients: {c['per_second']} tickets/s ({c['created']} in {c['seconds']} "
            f"s, {c['failed']} failed), p50 {c['latency']['p50']} ms, cpu "
            f"{c['server_cpu_ms']} ms, client cpu {c['client_cpu_ms']} ms"
        )
    if "queries" in results:
        lines.append(f"SQL queries per request: {results['queries']}")
        lines.append(f"CPU ms per request, in process: {results['service_cpu_ms']}")
        lines.append(f"queue counts, in process (wall ms): {results['queue_counts_ms']}")
    if "screens" in results:
        from bench.screens import screen_summary

        lines.append("screens beside the API's answer for the same data (ms; x API = p95 ratio)")
        lines.append(screen_summary(results["screens"], results["screen_queries"]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", default="100k")
    parser.add_argument("--requests", type=int, default=400, help="per read measurement")
    parser.add_argument("--create-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument(
        "--only",
        choices=["all", "api", "screens"],
        default="all",
        help="measure the API (reads and creation), the HTML screens beside their API "
        "answers, or both",
    )
    parser.add_argument(
        "--remove-after",
        type=int,
        metavar="ID",
        help="only delete the tickets above ID (left by an earlier run) and exit",
    )
    args = parser.parse_args()

    if not args.port:
        # A fresh port: the previous run's gunicorn may still hold its own for a moment.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    setup_django(args.db, args.dataset)
    from django.core.management import call_command
    from django.utils import timezone

    from palier.tickets.models import Ticket

    call_command("migrate", verbosity=0)  # a data set filled before the latest migration
    if args.remove_after is not None:
        print(f"removed {remove_tickets_after(args.remove_after, timezone.now())} rows")
        return

    tokens = make_tokens()
    ids = list(Ticket.objects.order_by("?").values_list("pk", flat=True)[:1000])
    results: dict = {
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "speed_before_ms": machine_speed(),
        "db": args.db,
        "set": args.dataset,
        "tickets": Ticket.objects.count(),
        "worker_class": args.worker_class,
        "workers": args.workers,
    }
    if args.only != "screens":
        results["queries"] = query_counts(tokens, ids)
        results["service_cpu_ms"] = service_times(tokens, ids)
        results["queue_counts_ms"] = queue_count_times()
    screens = prepare_screens(tokens, ids) if args.only != "api" else None
    if screens is not None:
        results["screen_queries"] = screens["counts"]
    server = start_server(args)
    last_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    since = timezone.now()
    try:
        if args.only != "screens":
            results["reads"] = read_latencies(args.port, tokens["staff"], args.requests, ids)
        if screens is not None:
            results["screens"] = measure_screen_pairs(args.port, tokens, screens, args.requests)
        if args.only != "screens":
            results["create"] = create_rate(args.port, tokens, args.create_seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        remove_tickets_after(last_id, since)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["speed_after_ms"] = machine_speed()
    out = DATA_DIR / f"results-{args.db}-{args.dataset}.json"
    if args.only == "screens":
        out = DATA_DIR / f"results-{args.db}-{args.dataset}-screens.json"
    out.write_text(json.dumps(_without_samples(results), indent=2))
    print(summary(results))
    print(f"written to {out}", file=sys.stderr)
    os.environ.pop("DATABASE_URL", None)


def prepare_screens(tokens: dict, ids: list[int]) -> dict:
    """Sessions, paths and SQL counts of the screens (before gunicorn starts)."""
    from django.core.management import call_command

    from bench import screens
    from palier.tickets.models import Ticket

    # Production settings serve hashed static files: the pages name them from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    agent_id = screens.time_entries_for("bench.agent")
    contact = tokens["contact_usernames"][0]
    contact_ids = list(
        Ticket.objects.filter(contact__username=contact)
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    words = [("common", "facture"), ("rare", "e4711"), ("customer", screens.customer_word())]
    cookies = {
        "staff": screens.session_cookie("bench.agent"),
        "contact": screens.session_cookie(contact),
    }
    cursor = deep_cursor_in_process(tokens["staff"], "/api/v1/tickets?queue=level1&limit=50", 20)
    pairs = screens.screen_pairs(contact, agent_id, ids, contact_ids, cursor, words)
    counts = screens.screen_query_counts({"staff": "bench.agent", "contact": contact}, pairs)
    return {"cookies": cookies, "pairs": pairs, "counts": counts}


def deep_cursor_in_process(token: str, base: str, pages: int) -> str:
    from django.test import Client as DjangoClient

    client = DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    cursor, path = "", base
    for _ in range(pages):
        cursor = client.get(path).json()["next_cursor"] or cursor
        path = f"{base}&cursor={cursor}"
    return cursor


def measure_screen_pairs(port: int, tokens: dict, screens: dict, n: int) -> dict:
    from bench.screens import measure_screens

    return measure_screens(port, tokens, screens["cookies"], screens["pairs"], n, measure, Client)


if __name__ == "__main__":
    main()
