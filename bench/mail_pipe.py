"""One `palier mail ingest` process per message (a Postfix `pipe` transport, procmail): the wall
time of each, and what its start-up costs, measured piece by piece.

    .venv/bin/python bench/mail_pipe.py --db sqlite
    .venv/bin/python bench/mail_pipe.py --db postgres --messages 100

Its own data set (`mail_pipe`, dropped and migrated first), the `mail` bench's customers and
mix. Prints, in ms of wall clock and of CPU (best of `--repeat` for the start-up pieces):

- `python -c pass`: the interpreter alone;
- the lean start-up `mail ingest` does (palier/mailgateway/pipe.py: Django without system
  checks, admin autodiscovery or web-only apps) against a full `django.setup()`, and against
  a full set-up plus the system checks a management command runs (what ingest did before);
- `python -X importtime` of the lean path: the modules that cost the most;
- then `--messages` real deliveries, one process each, half stored and queued for the worker
  (the default) and half processed in the process (`--now`): messages/s, p50 and p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import ROOT, bench_environ, reset_database, setup_django  # noqa: E402
from bench.http import machine_speed, machine_speed_cpu  # noqa: E402
from bench.mail_ingest import _build, _inbound, _world  # noqa: E402

DATASET = "mail_pipe"
PIECES = {
    "python -c pass": "pass",
    "lean set-up (mail ingest)": "from palier.mailgateway.pipe import lean_setup; lean_setup()",
    "full django.setup()": "import django; django.setup()",
    "full set-up + system checks (before)": (
        "import django; django.setup(); from django.core import checks; checks.run_checks()"
    ),
}


def _children_cpu() -> float:
    """User + system CPU seconds of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(code: str, env: dict, repeat: int) -> dict:
    """Best wall and best CPU ms of `repeat` runs (CPU carries over to a quiet machine)."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        cpu, started = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, _children_cpu() - cpu)
    return {"wall": round(best * 1000, 1), "cpu": round(best_cpu * 1000, 1)}


def _importtime(env: dict, data: bytes, top: int = 12) -> dict:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "palier.cli", "mail", "ingest"],
        cwd=ROOT,
        env=env,
        input=data,
        capture_output=True,
    )
    rows = []
    for line in done.stderr.decode().splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match[1]), int(match[2]), len(match[3]) // 2, match[4]))
    roots = sorted((r for r in rows if r[2] == 0), key=lambda r: -r[1])[:top]
    return {
        "modules": len(rows),
        "total_ms": round(sum(r[0] for r in rows) / 1000, 1),
        "top_level_ms": {name: round(cum / 1000, 1) for _s, cum, _d, name in roots},
    }


def deliveries(env: dict, messages: list[bytes], *, now: bool) -> dict:
    times, codes = [], []
    cpu = _children_cpu()
    for data in messages:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "palier.cli", "mail", "ingest", *(["--now"] if now else [])],
            cwd=ROOT,
            env=env,
            input=data,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
        codes.append(done.returncode)
    total, cpu = sum(times), _children_cpu() - cpu
    times.sort()
    return {
        "messages": len(messages),
        "exit_codes": {str(c): codes.count(c) for c in sorted(set(codes))},
        "per_second": round(len(messages) / total, 2),
        "p50_ms": round(statistics.median(times) * 1000),
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000),
        "cpu_ms_per_message": round(cpu * 1000 / len(messages)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    reset_database(args.db, DATASET)
    setup_django(args.db, DATASET)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    contacts = _world()
    rng = random.Random(7)
    plan = _inbound(args.messages + 2, contacts, rng)
    messages = [_build(kind, i, sender, rng, []) for kind, i, sender, _ in plan]
    env = {**bench_environ(args.db, DATASET), "PALIER_MAIL_OUTBOX_DIR": f"/tmp/{DATASET}-outbox"}
    results: dict = {"db": args.db, "load_before": round(os.getloadavg()[0], 1)}
    results["speed_before_ms"] = machine_speed()
    results["cpu_speed_before_ms"] = machine_speed_cpu()
    results["start_up_ms"] = {name: _time(code, env, args.repeat) for name, code in PIECES.items()}
    results["importtime"] = _importtime(env, messages[0])
    half = len(messages) // 2
    results["store_and_queue"] = deliveries(env, messages[1:half], now=False)
    results["store_and_process_now"] = deliveries(env, messages[half:], now=True)
    results["speed_after_ms"] = machine_speed()
    results["cpu_speed_after_ms"] = machine_speed_cpu()
    results["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
