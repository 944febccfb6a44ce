"""Under load: many concurrent clients mixing list, detail, search and creation, against the
framework's own ceiling (a bare authenticated view) on the same server in the same run; and
creation measured end to end (the ticket stored and its outbox handled by a worker).

    .venv/bin/python bench/load.py --db postgres --set 1m_ops --clients 50 --seconds 60

Starts gunicorn (as bench/http.py, `--workers`, default 4) and `--dispatchers` `palier worker`
processes (default one), then:
1. bare: every client GETs /api/v1/me (token look-up, a small JSON answer) for `--seconds`;
2. mix: every client, request after request, picks a staff list (40 %), a detail (30 %), a
   search (20 %, words from rare to common) or a creation as a contact (10 %), for
   `--seconds`. Every answer must be 2xx (else it counts as an error) and every 201's ticket
   must be in the database afterwards, its event dispatched (no lost write);
3. creation end to end: two clients create for `--create-seconds`; the rate counts until the
   worker has dispatched the last of their events (notifications rendered, SLA clock set),
   with the CPU a ticket of gunicorn, the worker(s) and PostgreSQL's backends.
Throughput is answers per second; the mix must reach at least half of the bare one.
Clients are threads of this process (loopback only, bounded in time); results go to
/tmp/palier-bench/load-<db>-<set>.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from bench.env import (  # noqa: E402
    DATA_DIR,
    ROOT,
    backends_cpu_ms,
    bench_environ,
    process_cpu_ms,
    setup_django,
)
from bench.http import (  # noqa: E402
    SEARCH_WORDS,
    TWO_WORDS,
    Client,
    machine_speed,
    make_tokens,
    percentiles,
    server_cpu_ms,
    start_server,
)

MARK = "Load bench"


def say(text: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_clients(clients: int, seconds: float, pick, workers: list = ()) -> dict:
    """`clients` threads call `pick(client_index, rng)` -> (ok, kind, ms, created_id) in a loop
    (on failure the last item may say what failed: it goes into the error samples).
    With `workers`, the answer's CPU is counted on every part of the machine: gunicorn, the
    `palier worker`s, PostgreSQL's backends and this process (the clients)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    created: list[int] = []

    def run(i: int) -> None:
        rng = random.Random(i)
        while time.monotonic() < deadline:
            try:
                ok, kind, ms, new_id = pick(i, rng)
            except Exception as exc:  # noqa: BLE001 (counted: the run must show none)
                ok, kind, ms, new_id = False, "exception", 0.0, None
                with lock:
                    errors.append(repr(exc)[:200])
            with lock:
                latencies.setdefault(kind, []).append(ms)
                if not ok and kind != "exception":
                    # What failed and how: the kind, the status and the answer's start.
                    errors.append(f"{kind}: {new_id}" if new_id else kind)
                    new_id = None
                if new_id:
                    created.append(new_id)

    before = cpu_snapshot(workers) if workers else None
    started, cpu = time.monotonic(), server_cpu_ms()
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    answers = sum(len(v) for v in latencies.values())
    machine = cpu_per_ticket(before, cpu_snapshot(workers), answers) if workers else None
    return {
        "answers": answers,
        **({"machine_cpu_ms_per_answer": machine} if machine else {}),
        "per_second": round(answers / elapsed, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "server_cpu_ms": round((server_cpu_ms() - cpu) / max(1, answers), 2),
        "latency": {k: percentiles(v) for k, v in sorted(latencies.items()) if v},
        "created": created,
    }


def bare(port: int, tokens: dict, clients: int, seconds: float, workers: list = ()) -> dict:
    conns = [Client(port, tokens["staff"]) for _ in range(clients)]

    def pick(i: int, rng: random.Random):
        status, _data, ms = conns[i].call("GET", "/api/v1/me")
        return status == 200, "me", ms, None

    return run_clients(clients, seconds, pick, workers)


# The mix's shares: a staff list, a detail, a search, a creation as a contact.
MIX = (("list", 0.4), ("detail", 0.3), ("search", 0.2), ("create", 0.1))


def mix(
    port: int,
    tokens: dict,
    ids: list[int],
    clients: int,
    seconds: float,
    workers: list = (),
    only: str = "",
) -> dict:
    """The mix of MIX, or with `only` one of its kinds alone (what each costs)."""
    staff = [Client(port, tokens["staff"]) for _ in range(clients)]
    contacts = [Client(port, tokens["contacts"][i % 2]) for i in range(clients)]
    words = [w for _, w in SEARCH_WORDS + TWO_WORDS]
    body = {
        "type": "malfunction",
        "subject": f"{MARK}: printing the delivery note fails",
        "description": "Error 4711 since the update.",
        "module_id": tokens["module_id"],
    }

    def call(kind: str, i: int, rng: random.Random):
        if kind == "list":
            path = "/api/v1/tickets?queue=level1&limit=50"
        elif kind == "detail":
            path = f"/api/v1/tickets/{rng.choice(ids)}"
        elif kind == "search":
            path = f"/api/v1/tickets?q={rng.choice(words).replace(' ', '+')}&limit=50"
        else:
            status, data, ms = contacts[i].call("POST", "/api/v1/tickets", body)
            if status == 201:
                return True, kind, ms, json.loads(data)["id"]
            return False, kind, ms, failure("POST /api/v1/tickets", status, data)
        status, data, ms = staff[i].call("GET", path)
        return status == 200, kind, ms, None if status == 200 else failure(path, status, data)

    def pick(i: int, rng: random.Random):
        if only:
            return call(only, i, rng)
        roll = rng.random()
        for kind, share in MIX:
            if roll < share:
                return call(kind, i, rng)
            roll -= share
        return call(MIX[-1][0], i, rng)

    return run_clients(clients, seconds, pick, workers)


def failure(path: str, status: int, data: bytes) -> str:
    """An error's sample: the request, the status and the answer's start."""
    return f"{path} -> {status} {data[:200].decode(errors='replace')}"


def wait_for_outbox(since_id: int, timeout: float = 600) -> float:
    """Seconds until every event of tickets above `since_id` is dispatched."""
    from palier.tickets.models import TicketEvent

    started = time.monotonic()
    while TicketEvent.objects.filter(ticket_id__gt=since_id, dispatched_at__isnull=True).exists():
        if time.monotonic() - started > timeout:
            raise SystemExit("the worker did not dispatch the bench's events in time")
        time.sleep(0.1)
    return time.monotonic() - started


def cpu_snapshot(workers: list) -> dict:
    return {
        "clients": time.process_time() * 1000,
        "gunicorn": server_cpu_ms(),
        "workers": sum(process_cpu_ms(w.pid) for w in workers),
        "backends": backends_cpu_ms(),
        "machine": machine_cpu_ms(),
    }


def machine_cpu_ms() -> float:
    """CPU ms the whole machine spent so far, every core and process (/proc/stat: all but
    idle and I/O wait). What the parts above miss — a PostgreSQL backend that left during the
    run (connections are renewed every CONN_MAX_AGE), autovacuum, the kernel — is in it."""
    import os

    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) * 1000 / os.sysconf("SC_CLK_TCK")


def wait_until_settled(workers: list, timeout: float = 180) -> float:
    """Seconds until the workers have started: imported, their periodic jobs' first runs
    (the triage's training among them) done, under 30 ms of CPU in a second. Their start
    is not the cost of a ticket."""
    started = time.monotonic()
    last = sum(process_cpu_ms(w.pid) for w in workers)
    while time.monotonic() - started < timeout:
        time.sleep(1)
        now = sum(process_cpu_ms(w.pid) for w in workers)
        if now - last < 30:
            break
        last = now
    return round(time.monotonic() - started, 1)


def cpu_per_ticket(before: dict, after: dict, n: int) -> dict:
    """CPU ms a ticket of gunicorn, the worker(s) and PostgreSQL's backends (a backend that
    left during the run is not counted: connections are kept, CONN_MAX_AGE)."""
    backends = sum(ms - before["backends"].get(pid, 0.0) for pid, ms in after["backends"].items())
    parts = {
        "gunicorn": after["gunicorn"] - before["gunicorn"],
        "workers": after["workers"] - before["workers"],
        "postgres_backends": backends,
    }
    parts["total"] = sum(parts.values())
    if "clients" in before:  # this process's threads: the load, not the desk
        parts["clients"] = after["clients"] - before["clients"]
        parts["total_with_clients"] = parts["total"] + parts["clients"]
    if "machine" in before:
        parts["machine"] = after["machine"] - before["machine"]
        # PostgreSQL's backends that left, its background processes, the kernel...
        parts["machine_unattributed"] = parts["machine"] - parts["total"] - parts.get("clients", 0)
    return {k: round(v / max(n, 1), 2) for k, v in parts.items()}


def create_end_to_end(
    port: int, tokens: dict, seconds: float, since_id: int, workers: list
) -> dict:
    conns = [Client(port, tokens["contacts"][i]) for i in range(2)]
    body = {
        "type": "malfunction",
        "subject": f"{MARK}: end to end",
        "description": "Error 4711 since the update.",
        "module_id": tokens["module_id"],
    }

    def pick(i: int, rng: random.Random):
        status, data, ms = conns[i].call("POST", "/api/v1/tickets", body)
        return status == 201, "create", ms, json.loads(data)["id"] if status == 201 else None

    cpu_before = cpu_snapshot(workers)
    started = time.monotonic()
    result = run_clients(2, seconds, pick)
    stored = time.monotonic() - started
    drained = wait_for_outbox(since_id)
    total = time.monotonic() - started
    n = len(result.pop("created"))
    return {
        "cpu_ms_per_ticket": cpu_per_ticket(cpu_before, cpu_snapshot(workers), n),
        "dispatchers": len(workers),
        "created": n,
        "errors": result["errors"],
        "stored_per_second": round(n / stored, 1),
        "end_to_end_per_second": round(n / total, 1),
        "outbox_drain_after_seconds": round(drained, 2),
        "latency": result["latency"],
    }


def settle_history() -> None:
    """The data set's events are history, not news: mark them dispatched (as `palier demo`
    does), so that the worker measured here handles only the bench's own tickets."""
    from django.utils import timezone

    from palier.tickets.models import TicketEvent

    done = TicketEvent.objects.filter(dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    if done:
        say(f"marked {done} events of the data set as dispatched (history, not news)")


def check_no_lost_write(created: list[int]) -> dict:
    from palier.tickets.models import Ticket, TicketEvent

    found = Ticket.objects.filter(pk__in=created, subject__startswith=MARK).count()
    undispatched = TicketEvent.objects.filter(
        ticket_id__in=created, dispatched_at__isnull=True
    ).count()
    return {"answered_201": len(created), "in_database": found, "undispatched": undispatched}


def cleanup(since_id: int, since) -> None:
    from bench.http import remove_tickets_after

    remove_tickets_after(since_id, since)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--create-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--dispatchers",
        type=int,
        default=1,
        help="`palier worker` processes dispatching the outbox side by side (default 1)",
    )
    parser.add_argument(
        "--only",
        choices=["all", "create", "kinds"],
        default="all",
        help="all three phases; only creation end to end (two clients and the worker); or"
        " `kinds`: the bare view, then each kind of the mix alone for --kind-seconds (what"
        " an answer of each costs on every part of the machine)",
    )
    parser.add_argument("--kind-seconds", type=float, default=15)
    parser.add_argument(
        "--kinds",
        default=",".join(kind for kind, _ in MIX),
        help="with --only kinds: which kinds to run after the bare view, comma-separated",
    )
    args = parser.parse_args()
    args.worker_class, args.threads, args.access_log = "sync", 1, False
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    setup_django(args.db, args.dataset)
    from palier.tickets.models import Ticket

    since_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    settle_history()
    ids = list(
        Ticket.objects.filter(pk__lte=since_id).order_by("?").values_list("pk", flat=True)[:2000]
    )
    tokens = make_tokens()
    from django.utils import timezone

    began = timezone.now()
    speed_before = machine_speed()
    server = start_server(args)
    # Several workers dispatch the outbox side by side (each claims its own events).
    workers = [
        subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/palier"), "worker", "--verbosity", "0"]
            + ([] if i == 0 else ["--no-scheduler"]),
            cwd=ROOT,
            env=bench_environ(args.db, args.dataset),
        )
        for i in range(args.dispatchers)
    ]
    try:
        results = {"clients": args.clients, "seconds": args.seconds, "workers": args.workers}
        results["dispatchers"] = args.dispatchers
        say(f"workers settled after {wait_until_settled(workers)} s")
        idle_before = sum(process_cpu_ms(w.pid) for w in workers)
        time.sleep(5)
        # What the workers cost doing nothing (polling the outbox, the task queue, the
        # schedule): counted in their CPU a ticket, and the less the more tickets a second.
        results["workers_idle_cpu_ms_per_second"] = round(
            (sum(process_cpu_ms(w.pid) for w in workers) - idle_before) / 5, 2
        )
        if args.only == "create":
            say("creation end to end")
            results["create_end_to_end"] = create_end_to_end(
                args.port, tokens, args.create_seconds, since_id, workers
            )
            return finish(args, results, server, workers, since_id, began, speed_before)
        if args.only == "kinds":
            results["bare"] = bare(args.port, tokens, args.clients, args.kind_seconds, workers)
            results["bare"].pop("created")
            say(f"bare: {results['bare']['per_second']}/s")
            for kind in args.kinds.split(","):
                result = mix(args.port, tokens, ids, args.clients, args.kind_seconds, workers, kind)
                wait_for_outbox(since_id)
                result.pop("created")
                results[kind] = result
                say(f"{kind}: {result['per_second']}/s, {result['machine_cpu_ms_per_answer']}")
            return finish(args, results, server, workers, since_id, began, speed_before)
        say(f"bare: {args.clients} clients GET /api/v1/me for {args.seconds:.0f} s")
        results["bare"] = bare(args.port, tokens, args.clients, args.seconds, workers)
        results["bare"].pop("created")
        say(f"bare: {results['bare']['per_second']}/s; mix for {args.seconds:.0f} s")
        results["mix"] = mix(args.port, tokens, ids, args.clients, args.seconds, workers)
        say(f"mix: {results['mix']['per_second']}/s; waiting for the worker's outbox")
        results["mix"]["outbox_drain_after_seconds"] = round(wait_for_outbox(since_id), 1)
        say("creation end to end")
        results["mix"]["writes"] = check_no_lost_write(results["mix"].pop("created"))
        results["mix_over_bare"] = round(
            results["mix"]["per_second"] / max(1.0, results["bare"]["per_second"]), 2
        )
        last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
        results["create_end_to_end"] = create_end_to_end(
            args.port, tokens, args.create_seconds, last, workers
        )
    except BaseException:
        stop(server, workers, since_id, began)
        raise
    finish(args, results, server, workers, since_id, began, speed_before)


def stop(server, workers: list, since_id: int, began) -> None:
    server.terminate()
    for worker in workers:
        worker.terminate()
    for process in (server, *workers):
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # e.g. a worker in the middle of a periodic job
            process.kill()
            process.wait(timeout=60)
    cleanup(since_id, began)


def finish(args, results: dict, server, workers: list, since_id: int, began, speed_before) -> None:
    import os

    # Written before stopping: a worker that will not stop must not cost the run's figures.
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    suffix = "" if args.only == "all" else f"-{args.only}"
    out = DATA_DIR / f"load-{args.db}-{args.dataset}{suffix}.json"
    out.write_text(json.dumps(results, indent=1))
    print(json.dumps({k: v for k, v in results.items()}, indent=1), flush=True)
    stop(server, workers, since_id, began)
    results["speed_index_ms"] = [speed_before, machine_speed()]
    out.write_text(json.dumps(results, indent=1))
    print(f"speed index {results['speed_index_ms']}; written to {out}")


if __name__ == "__main__":
    main()
