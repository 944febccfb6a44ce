"""Searches of several words on PostgreSQL against ANALYZE's random sample.

    .venv/bin/python bench/search_plans.py --set 100k --rounds 20

PostgreSQL guesses how many tickets hold all the words of a search as if the words were
independent, from statistics that each ANALYZE samples anew. For each round this script runs
ANALYZE on the search table, then times each conjunction two ways: the one-statement query
Palier used before (`... WHERE staff @@ q ORDER BY ticket_id DESC LIMIT 52`, the planner
chooses between walking the newest tickets and reading every match), and
`tickets.search.newest_match_ids` as it is now. It prints, per conjunction, how often the
planner walked, and the median and worst time of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import setup_django  # noqa: E402

CONJUNCTIONS = ["facture bloquee", "facture lieferschein", "matterhorn facture", "e4711 facture"]
LIMIT = 52  # a first page of 50 (limit + 1, + 1: see tickets.queries.list_tickets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="dataset", default="100k")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    setup_django("postgres", args.dataset)
    from django.db import connection

    from palier.lib.text import words
    from palier.tickets import search

    old: dict[str, list[float]] = {q: [] for q in CONJUNCTIONS}
    new: dict[str, list[float]] = {q: [] for q in CONJUNCTIONS}
    walked: dict[str, int] = dict.fromkeys(CONJUNCTIONS, 0)
    with connection.cursor() as cursor:
        for _round in range(args.rounds):
            cursor.execute("ANALYZE ticket_search")
            for q in CONJUNCTIONS:
                condition = search._pg_match(words(q), include_internal=True)
                sql = (
                    f"SELECT ticket_id FROM ticket_search WHERE {condition} "
                    f"ORDER BY ticket_id DESC LIMIT {LIMIT}"
                )
                cursor.execute(f"EXPLAIN {sql}")
                walked[q] += "Index Scan Backward" in cursor.fetchall()[1][0]
                started = time.perf_counter()
                cursor.execute(sql)
                expected = [row[0] for row in cursor.fetchall()]
                old[q].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                found = search.newest_match_ids(q, include_internal=True, limit=LIMIT)
                new[q].append((time.perf_counter() - started) * 1000)
                assert found == expected, q
    print(f"{args.rounds} rounds of ANALYZE, {LIMIT} newest matches, ms (median / worst)")
    print(f"{'words':24} {'walked':>7} {'one statement':>16} {'now':>16}")
    for q in CONJUNCTIONS:
        before = f"{statistics.median(old[q]):.1f} / {max(old[q]):.1f}"
        after = f"{statistics.median(new[q]):.1f} / {max(new[q]):.1f}"
        print(f"{q:24} {walked[q]:>7} {before:>16} {after:>16}")


if __name__ == "__main__":
    main()
