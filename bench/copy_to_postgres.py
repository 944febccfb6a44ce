"""Copy a filled SQLite bench data set into PostgreSQL, for when filling through the actions
twice is too slow (on a shared 2-core machine the 100k fill ran at 15 tickets/s on
PostgreSQL).

    .venv/bin/python bench/copy_to_postgres.py --set 100k

The PostgreSQL database palier_bench_<set> is dropped, migrated, then receives the rows of
/tmp/palier-bench/<set>/palier.sqlite3 table by table with COPY: the same customers, users,
tickets, decisions, messages and events that bench/fill.py made through do_open_ticket. The
search rows are rebuilt from the folded text the SQLite index holds, with the same
`to_tsvector('simple', ...)` that palier.tickets.search.index_ticket uses (PostgreSQL
generates `staff`). The outbox of queued tasks is not copied.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import psycopg  # noqa: E402

from bench.env import DATA_DIR, PG_NAME, PG_SERVER, reset_database, setup_django  # noqa: E402

# Parents before children.
TABLES = [
    "customers_product",
    "customers_module",
    "customers_productversion",
    "customers_customer",
    "accounts_user",
    "customers_contract",
    "customers_contract_modules",
    "customers_customization",
    "customers_installation",
    "accounts_apitoken",
    "tickets_ticket",
    "tickets_decision",
    "tickets_message",
    "tickets_ticketevent",
]


def copy_table(lite: sqlite3.Connection, pg: psycopg.Connection, table: str) -> int:
    pg_columns = [
        row[0]
        for row in pg.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
    ]
    lite_columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
    columns = [c for c in lite_columns if c in pg_columns]
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with pg.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in lite.execute(f'SELECT {names} FROM "{table}"'):
            copy.write_row(row)
            count += 1
    if "id" in columns:
        pg.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
        )
    return count


def copy_search(lite: sqlite3.Connection, pg: psycopg.Connection) -> int:
    from palier.tickets.search import pg_words  # the words PostgreSQL's index is given

    pg.execute("CREATE TEMP TABLE search_text (ticket_id bigint, public text, internal text)")
    count = 0
    with pg.cursor().copy("COPY search_text FROM STDIN") as copy:
        for rowid, public, internal in lite.execute(
            "SELECT rowid, public, internal FROM ticket_search"
        ):
            copy.write_row((rowid, pg_words(public), pg_words(internal)))
            count += 1
    pg.execute("TRUNCATE ticket_search")
    pg.execute(
        "INSERT INTO ticket_search (ticket_id, public, internal) SELECT ticket_id,"
        " to_tsvector('simple', public), to_tsvector('simple', internal) FROM search_text"
    )
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="dataset", default="100k")
    args = parser.parse_args()
    source = DATA_DIR / args.dataset / "palier.sqlite3"
    if not source.exists():
        raise SystemExit(f"no data set at {source}: run bench/fill.py --db sqlite first")

    started = time.monotonic()
    reset_database("postgres", args.dataset)
    setup_django("postgres", args.dataset)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    lite = sqlite3.connect(source)
    with psycopg.connect(f"{PG_SERVER}/{PG_NAME}_{args.dataset}") as pg:
        pg.execute("SET TIME ZONE 'UTC'")  # SQLite holds Django's UTC datetimes as text
        pg.execute("SET session_replication_role = replica")  # rows arrive parents first
        # Empty them all at once: a TRUNCATE ... CASCADE per table would empty tickets again
        # when decisions (which tickets point to) are truncated after them.
        pg.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " CASCADE")
        for table in TABLES:
            print(f"{table}: {copy_table(lite, pg, table)} rows", flush=True)
        print(f"ticket_search: {copy_search(lite, pg)} rows", flush=True)
        pg.execute("SET session_replication_role = DEFAULT")
    with psycopg.connect(f"{PG_SERVER}/{PG_NAME}_{args.dataset}", autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
    print(f"copied {args.dataset} to PostgreSQL in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
