"""Bench the learned triage: training on N qualified tickets, and one suggestion.

    .venv/bin/python bench/triage.py --tickets 100000              # builds 100k-knowledge
    .venv/bin/python bench/triage.py --tickets 100000 --reuse      # measures it again
    .venv/bin/python bench/triage.py --db postgres --tickets 100000

The data set (SQLite in /tmp/palier-bench/<set>/, or the PostgreSQL database
palier_bench_<set>; <set> is --set, by default "<size>-knowledge") holds N qualified tickets
(in progress, resolved or closed, with a type, a module and a criticality) bulk-inserted
without conversations: the triage reads only their subject and description. Their texts are
the shipped cold-start requests, each varied with words of other requests of the same type
and a number, in four languages, so that the vocabulary grows with N as a desk's does.

The measurement runs in a fresh process (so that its peak memory is the training's, not the
filling's): reading the tickets, fitting the three classifiers, writing the model file; then
2,000 suggestions on the held-out texts (median, 95th percentile, worst).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import DATA_DIR, reset_database, setup_django  # noqa: E402

BATCH = 5000


def build(tickets: int, rng: random.Random) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from palier.customers.models import Module
    from palier.testing.factories import make_customer
    from palier.tickets.models import Ticket
    from palier.triage.corpus import coldstart_examples

    customer = make_customer("bench-triage")
    modules = {m.name: m.pk for m in Module.objects.all()}
    examples = coldstart_examples()
    by_type: dict[str, list] = {}
    for e in examples:
        by_type.setdefault(e.type, []).append(e)
    statuses = ["closed"] * 6 + ["resolved"] * 2 + ["in_progress"]
    done = 0
    while done < tickets:
        rows = []
        for _ in range(min(BATCH, tickets - done)):
            e = rng.choice(examples)
            other = rng.choice(by_type[e.type])
            words = other.body.split()
            extra = " ".join(rng.sample(words, min(len(words), rng.randint(2, 6))))
            rows.append(
                Ticket(
                    customer=customer,
                    channel="email",
                    language=e.language,
                    type=e.type,
                    module_id=modules.get(e.module),
                    criticality=e.criticality or "medium",
                    subject=f"{e.subject} {rng.randint(1, 9999)}",
                    description=f"{e.body} {extra}",
                    status=rng.choice(statuses),
                )
            )
        Ticket.objects.bulk_create(rows, batch_size=1000)
        done += len(rows)
        print(f"\r{done} tickets", end="", flush=True)
    print()


def measure() -> dict:
    from django.conf import settings

    from palier.triage.evaluation import load_heldout
    from palier.triage.suggest import current_model, forget_model
    from palier.triage.training import desk_examples, train_from_desk

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    count = sum(1 for _ in desk_examples(settings.PALIER_TRIAGE_MAX_TICKETS))
    read_s = time.perf_counter() - started
    cpu_started = time.process_time()
    run = train_from_desk()
    train_cpu = time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    forget_model()
    model = current_model()
    rows = load_heldout()
    timings = []
    cpu_started = time.process_time()
    for i in range(2000):
        row = rows[i % len(rows)]
        t0 = time.perf_counter()
        model.suggest(row["subject"], row["body"], threshold=0.4)
        timings.append((time.perf_counter() - t0) * 1000)
    suggest_cpu_ms = (time.process_time() - cpu_started) / 2000 * 1000
    timings.sort()
    return {
        "tickets_read": count,
        "read_seconds": round(read_s, 2),
        "train_seconds_including_read": round(run.seconds, 1),
        "train_cpu_seconds": round(train_cpu, 1),  # what a quiet machine would take
        "peak_rss_mib": round(peak_mib),
        "rss_before_mib": round(rss_start / 1024),
        "model_file_mib": round(Path(settings.PALIER_TRIAGE_MODEL).stat().st_size / 2**20, 1),
        "suggest_ms_median": round(statistics.median(timings), 2),
        "suggest_ms_p95": round(timings[int(len(timings) * 0.95)], 2),
        "suggest_ms_max": round(timings[-1], 2),
        "suggest_cpu_ms_mean": round(suggest_cpu_ms, 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--set", dest="dataset", default="")
    parser.add_argument("--reuse", action="store_true", help="measure the data set built before")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    dataset = args.dataset or f"{args.tickets // 1000}k-knowledge"
    if args.measure_only:
        setup_django(args.db, dataset)
        print(json.dumps(measure(), indent=2))
        return
    if not args.reuse:
        reset_database(args.db, dataset)
        setup_django(args.db, dataset)
        build(args.tickets, random.Random(15))
    print(f"data set {dataset} on {args.db} ({DATA_DIR / dataset})")
    cmd = [sys.executable, __file__, "--db", args.db, "--set", dataset, "--measure-only"]
    subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
