"""Searches of two words on PostgreSQL, in process: each statement's time and buffers.

    .venv/bin/python bench/search_two_words.py --set 1m --runs 50

Read only (no ANALYZE, no write). For each search of bench/http.py's two-word searches (and
a few more), `tickets.search.newest_match_ids` as a staff search of a first page of 50 asks
it (limit 52): median and p95 of --runs calls, the statements it ran, and for each statement
EXPLAIN (ANALYZE, BUFFERS)'s time and buffers. CPU ms from /proc (this process and its
PostgreSQL backend) beside the wall time, the machine being shared.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import process_cpu_ms, setup_django  # noqa: E402

QUERIES = ["facture lieferschein", "facture bloquee", "e4711 facture", "matterhorn facture"]
LIMIT = 52  # a first page of 50: window 51, + 1 (tickets.queries.list_tickets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="dataset", default="100k")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--queries", nargs="+", default=QUERIES)
    args = parser.parse_args()
    setup_django("postgres", args.dataset)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from palier.tickets import search

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), count(*) FROM ticket_search")
        backend, rows = cursor.fetchone()
    print(f"set {args.dataset}: {rows} search rows, load {os.getloadavg()[0]:.1f}")
    for q in args.queries:
        search.newest_match_ids(q, include_internal=True, limit=LIMIT)  # warm
        times = []
        cpu = process_cpu_ms(os.getpid()) + process_cpu_ms(backend)
        for _ in range(args.runs):
            started = time.perf_counter()
            found = search.newest_match_ids(q, include_internal=True, limit=LIMIT)
            times.append((time.perf_counter() - started) * 1000)
        cpu = (process_cpu_ms(os.getpid()) + process_cpu_ms(backend) - cpu) / args.runs
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{q!r}: {len(found)} found, median {statistics.median(times):.2f} ms,"
            f" p95 {p95:.2f} ms, CPU {cpu:.2f} ms a search (Python + backend)"
        )
        with CaptureQueriesContext(connection) as ctx:
            search.newest_match_ids(q, include_internal=True, limit=LIMIT)
        with connection.cursor() as cursor:
            for i, query in enumerate(ctx.captured_queries):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                shared = sum(int(n) for n in re.findall(r"shared hit=(\d+)", plan.split("\n")[0]))
                total = re.search(r"Execution Time: ([\d.]+)", plan).group(1)
                print(f"  statement {i + 1}: {total} ms, top node buffers hit {shared}")
                if os.environ.get("PLANS"):
                    print("    " + plan.replace("\n", "\n    "))


if __name__ == "__main__":
    main()
