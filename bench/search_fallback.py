"""A rare conjunction's fallback on PostgreSQL, at 100k and 1M.

    .venv/bin/python bench/search_fallback.py --sets 100k 1m

For each two-word search: the bounded walk of the 5,200 newest search rows, then the text
index asked with prefixes (`facture:* & lieferschein:*`, before migration tickets/0013) and
with the prefixes spelled out as their lexemes (now, `search._exact_terms_sql`); median and
worst of --runs in process, and a check that both index queries find the same tickets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import PG_NAME, PG_SERVER  # noqa: E402

QUERIES = ["facture lieferschein", "e4711 facture", "facture bloquee"]
NEWEST = "SELECT ticket_id FROM m ORDER BY ticket_id DESC LIMIT 52"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=["100k", "1m"])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    import psycopg
    from psycopg.sql import quote

    from palier.tickets import search

    for dataset in args.sets:
        with psycopg.connect(f"{PG_SERVER}/{PG_NAME}_{dataset}") as conn:
            for q in QUERIES:
                terms = q.split()
                prefixes = "to_tsquery('simple', " + quote(" & ".join(f"{t}:*" for t in terms))
                prefixes += ")"
                exact, params = search._exact_terms_sql(terms)
                statements = {
                    "walk": (
                        "SELECT ticket_id FROM (SELECT ticket_id, staff FROM ticket_search "
                        "ORDER BY ticket_id DESC LIMIT 5200) AS n "
                        f"WHERE staff @@ {prefixes} ORDER BY ticket_id DESC LIMIT 52",
                        None,
                    ),
                    "index, prefixes": (
                        "WITH m AS MATERIALIZED (SELECT ticket_id FROM ticket_search "
                        f"WHERE staff @@ {prefixes}) {NEWEST}",
                        None,
                    ),
                    "index, spelled out": (
                        "WITH m AS MATERIALIZED (SELECT ticket_id FROM ticket_search "
                        f"WHERE staff @@ ({exact})) {NEWEST}",
                        params,
                    ),
                }
                out = {}
                for name, (sql, sql_params) in statements.items():
                    times, rows = [], []
                    for _ in range(args.runs):
                        started = time.perf_counter()
                        rows = conn.execute(sql, sql_params).fetchall()
                        times.append((time.perf_counter() - started) * 1000)
                    out[name] = (statistics.median(times), max(times), rows)
                assert out["index, prefixes"][2] == out["index, spelled out"][2], q
                cells = {
                    k: f"{v[0]:.1f} / {v[1]:.1f} ms ({len(v[2])} rows)" for k, v in out.items()
                }
                print(dataset, q, cells, "load", os.getloadavg()[0], flush=True)


if __name__ == "__main__":
    main()
