"""LMTP at speed: messages per second delivered to `palier mail lmtp` (a real listener process,
production settings) over one connection and over four: answered 250 once stored (the rate
the sending server sees), and brought to their endings by `--workers` `palier worker`
processes (the rate of tickets); then the whole inbound table is checked by `palier mail
verify`. `--workers 0` runs the listener with `--now` (it processes in a thread of its own,
the design before December 2026).

    .venv/bin/python bench/lmtp.py --db sqlite
    .venv/bin/python bench/lmtp.py --db postgres --messages 2000 --workers 3
    .venv/bin/python bench/lmtp.py --db sqlite --workers 0 --connections 1 --profile /tmp/lmtp.prof

Its own data set (`--dataset`, default `mail_lmtp`, dropped and migrated first): the `mail`
bench's 20 customers of five contacts. The mix: new requests in four languages (a third with
HTML, one in ten with a 20 kB PDF), mail from unknown senders, automatic replies (by their
headers), delivery reports. Each run prints a speed index (bench/http.py: lower is faster)
and the load average before and after: the machine is shared, so figures taken minutes apart
on a quiet machine are the ones to compare. The workers run without their scheduler (no
periodic job during the run) but with their outbox: the tickets' events are dispatched and
the acknowledgements sent (to a sink on loopback), as on a desk, and counted in their CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import (  # noqa: E402
    ROOT,
    backends_cpu_ms,
    bench_environ,
    process_cpu_ms,
    reset_database,
    setup_django,
)
from bench.http import machine_speed, machine_speed_cpu  # noqa: E402
from bench.mail_ingest import _build, _inbound, _world  # noqa: E402

DATASET = "mail_lmtp"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environ(db: str, smtp_port: int) -> dict[str, str]:
    return {
        **bench_environ(db, DATASET),
        "PALIER_SMTP_HOST": "127.0.0.1",
        "PALIER_SMTP_PORT": str(smtp_port),
        "PALIER_FROM_EMAIL": "support@palier.localhost",
        # Connections kept for the whole run (not renewed after 60 s), so that the CPU of
        # their PostgreSQL backends can be read from /proc.
        "PALIER_DB_CONN_MAX_AGE": "3600",
    }


def _listener(env: dict, port: int, *, now: bool, profile: str = "") -> subprocess.Popen:
    # --profile: every thread of the listener under cProfile (bench/profile_threads.py).
    runner = ["bench/profile_threads.py", profile] if profile else ["-m", "palier.cli"]
    proc = subprocess.Popen(
        [sys.executable, *runner, "mail", "lmtp", "--port", str(port), *(["--now"] * now)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
    )
    proc.stdout.readline()  # "Listening for LMTP on ..."
    return proc


def _workers(env: dict, count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "palier.cli", "worker", "--no-scheduler", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
        )
        for _ in range(count)
    ]


def _deliver(port: int, messages: list[bytes], latencies: list[float], refused: list[int]) -> None:
    with smtplib.LMTP("127.0.0.1", port) as client:
        for data in messages:
            started = time.perf_counter()
            try:
                client.sendmail("sender@example.com", ["support@palier.localhost"], data)
            except smtplib.SMTPException:
                refused.append(1)
            latencies.append(time.perf_counter() - started)


def run(port: int, messages: list[bytes], connections: int, pid: int, workers: list[int]) -> dict:
    shares = [messages[i::connections] for i in range(connections)]
    latencies: list[float] = []
    refused: list[int] = []
    threads = [
        threading.Thread(target=_deliver, args=(port, share, latencies, refused))
        for share in shares
    ]
    cpu, backends = process_cpu_ms(pid), backends_cpu_ms()
    workers_cpu = sum(process_cpu_ms(w) for w in workers)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    # Processing follows the answers (in the workers, or the listener's own thread with
    # --now): wait for every ending.
    from palier.mailgateway.models import RawMessage, RawState

    while RawMessage.objects.filter(state=RawState.STORED).exists():
        time.sleep(0.05)
    done = time.perf_counter() - started
    cpu_ms = (process_cpu_ms(pid) - cpu) / len(messages)
    workers_ms = (sum(process_cpu_ms(w) for w in workers) - workers_cpu) / len(messages)
    backends_ms = sum(t - backends.get(p, 0.0) for p, t in backends_cpu_ms().items())
    backends_ms /= len(messages)
    latencies.sort()
    return {
        "connections": connections,
        "workers": len(workers),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "messages": len(messages),
        "refused": len(refused),
        "acknowledged_per_second": round(len(messages) / elapsed, 1),
        "processed_per_second": round(len(messages) / done, 1),
        "seconds_to_last_ending": round(done, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        # The listener's CPU per message: what the rate would be with a core to itself.
        "listener_cpu_ms": round(cpu_ms, 2),
        "per_second_per_core": round(1000 / cpu_ms, 1) if cpu_ms else None,
        # The workers' CPU per message, all of them together (processing, and the outbox's
        # dispatch of the new tickets' events and their mail).
        **({"workers_cpu_ms": round(workers_ms, 2)} if workers else {}),
        # PostgreSQL's share, on the same cores (its backends for the listener).
        **({"postgres_cpu_ms": round(backends_ms, 2)} if backends else {}),
    }


def _messages(n: int, offset: int, contacts: list, rng: random.Random) -> list[bytes]:
    # Replies need tickets of this run: the plan's replies are sent as new requests here.
    return [
        _build(kind, offset + i, sender, rng, [])
        for kind, i, sender, _ in _inbound(n, contacts, rng)
    ]


def main() -> None:
    global DATASET  # noqa: PLW0603 - the bench's one data set, named once here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--messages", type=int, default=1000, help="per run, shared by its connections"
    )
    parser.add_argument("--connections", default="1,4")
    parser.add_argument("--profile", default="", help="write the listener's cProfile here")
    parser.add_argument(
        "--workers", type=int, default=2, help="`palier worker` processes; 0: listener --now"
    )
    parser.add_argument("--dataset", default=DATASET, help="the data set's name (dropped first)")
    args = parser.parse_args()
    DATASET = args.dataset
    from aiosmtpd.controller import Controller

    class Sink:  # the desk's own mail (acknowledgements, notices) goes here
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    smtp_port = _free_port()
    sink = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    sink.start()
    reset_database(args.db, DATASET)
    setup_django(args.db, DATASET)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    contacts = _world()
    from django.db import connections

    connections.close_all()
    rng = random.Random(42)
    port = _free_port()
    results: dict = {
        "db": args.db,
        "workers": args.workers,
        "load_before": round(os.getloadavg()[0], 1),
    }
    results["speed_before_ms"] = machine_speed()
    results["cpu_speed_before_ms"] = machine_speed_cpu()
    env = _environ(args.db, smtp_port)
    listener = _listener(env, port, now=not args.workers, profile=args.profile)
    workers = _workers(env, args.workers)
    pids = [w.pid for w in workers]
    runs = []
    try:
        # Warm-up (not measured): the first mail of each process imports the pipeline.
        run(port, _messages(20 + 10 * args.workers, 10**6, contacts, rng), 1, listener.pid, pids)
        offset = 0
        for connections_count in [int(c) for c in args.connections.split(",")]:
            messages = _messages(args.messages, offset, contacts, rng)
            offset += args.messages
            runs.append(run(port, messages, connections_count, listener.pid, pids))
            print(json.dumps(runs[-1]), flush=True)
    finally:
        for proc in [listener, *workers]:
            proc.terminate()
        for proc in [listener, *workers]:
            proc.wait(timeout=60)
        sink.stop()
    results["runs"] = runs
    results["speed_after_ms"] = machine_speed()
    results["cpu_speed_after_ms"] = machine_speed_cpu()
    results["load_after"] = round(os.getloadavg()[0], 1)
    env = bench_environ(args.db, DATASET)
    verify = subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    results["verify"] = verify.stdout.strip().splitlines()[-1] if verify.stdout else verify.stderr
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
