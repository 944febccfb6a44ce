"""Make a bigger PostgreSQL data set from a filled one: N copies of its tickets, in SQL.

    .venv/bin/python bench/replicate_set.py --source 100k --target 1m --copies 10
    .venv/bin/python bench/replicate_set.py --source 100k --target 1m --clocks-only

For a machine too busy to run `bench/fill.py --bulk` at 1M in the time at hand: the target
database is a copy of the source (CREATE DATABASE ... TEMPLATE), whose tickets, decisions,
events, messages and search rows are then inserted again N-1 times with their ids (and the
ids they point at) offset by the source's largest id. The copies have the same text, the
same statuses and customers, and the same creation times as the source; a copy's search row
holds its original's reference. `--clocks-only` copies the source's SLA clocks (built by
`bench/sla_recompute.py --set <source>`) the same way, replacing the target's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import PG_NAME, PG_SERVER  # noqa: E402

# Each replicated table, and its columns that hold an id of a replicated table.
OFFSETS = {
    "tickets_ticket": {"id": "tickets_ticket", "decision_id": "tickets_decision"},
    "tickets_decision": {"id": "tickets_decision", "ticket_id": "tickets_ticket"},
    "tickets_ticketevent": {"id": "tickets_ticketevent", "ticket_id": "tickets_ticket"},
    "tickets_message": {"id": "tickets_message", "ticket_id": "tickets_ticket"},
    "ticket_search": {"ticket_id": "tickets_ticket"},
}
GIN = {
    "ticket_search_public": "CREATE INDEX ticket_search_public ON ticket_search USING gin "
    "(public) WITH (fastupdate = off)",
    "ticket_search_staff": "CREATE INDEX ticket_search_staff ON ticket_search USING gin "
    "(staff) WITH (fastupdate = off)",
}


def columns(conn, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def check_links(conn, table: str) -> None:
    """Every foreign key of a replicated table to another one is offset."""
    links = conn.execute(
        "SELECT a.attname, c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.confrelid"
        " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)"
        " WHERE k.contype = 'f' AND k.conrelid = %s::regclass",
        [table],
    ).fetchall()
    for column, target in links:
        if target in OFFSETS and column not in OFFSETS[table]:
            raise SystemExit(f"{table}.{column} points at {target} and is not offset")


def replicate(conn, copies: int) -> None:
    top = {
        t: conn.execute(f"SELECT max(id) FROM {t}").fetchone()[0]
        for t in OFFSETS
        if t != "ticket_search"
    }
    cols = {table: columns(conn, table) for table in OFFSETS}
    for table in OFFSETS:
        check_links(conn, table)
    for name in GIN:
        conn.execute(f"DROP INDEX {name}")  # rebuilt once at the end: faster than row by row
    for k in range(1, copies):
        started = time.monotonic()
        with conn.transaction():
            for table, offsets in OFFSETS.items():
                values = ", ".join(
                    f"{c} + {k * top[offsets[c]]}" if c in offsets else c for c in cols[table]
                )
                key = "ticket_id" if table == "ticket_search" else "id"
                bound = top[offsets[key]]
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(cols[table])}) SELECT {values} "
                    f"FROM {table} WHERE {key} <= {bound}"
                )
        print(f"copy {k + 1} of {copies}: {time.monotonic() - started:.0f} s", flush=True)
    for table in top:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    started = time.monotonic()
    for sql in GIN.values():
        conn.execute(sql)
    print(f"text indexes: {time.monotonic() - started:.0f} s", flush=True)


def replicate_all(conn, copies: int) -> None:
    """Every non-empty table that points at tickets (and tickets): any data set's shape, e.g.
    bench/dashboards.py's (decisions, clocks, time, estimates, surveys, defect links)."""
    tables = ["tickets_ticket"] + [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = 'tickets_ticket'::regclass ORDER BY 1"
        ).fetchall()
    ]
    # Rows of the ticket's own (an article only cites a ticket, and its key is unique).
    tables = [t for t in tables if t not in ("knowledge_article",)]
    tables = [t for t in tables if conn.execute(f"SELECT EXISTS (SELECT FROM {t})").fetchone()[0]]
    keys = {}
    for table in tables:
        keys[table] = conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
            [table],
        ).fetchone()[0]
    top = {t: conn.execute(f"SELECT max({keys[t]}) FROM {t}").fetchone()[0] for t in tables}
    offsets: dict[str, dict[str, str]] = {}
    for table in tables:
        links = conn.execute(
            "SELECT a.attname, c.relname FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.confrelid JOIN pg_attribute a "
            "ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) "
            "WHERE k.contype = 'f' AND k.conrelid = %s::regclass",
            [table],
        ).fetchall()
        offsets[table] = {col: target for col, target in links if target in tables}
        offsets[table].setdefault(keys[table], table)
    print({t: top[t] for t in tables}, flush=True)
    for k in range(1, copies):
        started = time.monotonic()
        with conn.transaction():
            for table in tables:
                cols = columns(conn, table)
                values = ", ".join(
                    f"{c} + {k * top[offsets[table][c]]}" if c in offsets[table] else c
                    for c in cols
                )
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {values} FROM {table} "
                    f"WHERE {keys[table]} <= {top[table]}"
                )
        print(f"copy {k + 1} of {copies}: {time.monotonic() - started:.0f} s", flush=True)
    for table in tables:
        if keys[table] == "id":
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default="100k")
    parser.add_argument("--target", default="1m")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--clocks-only", action="store_true")
    parser.add_argument(
        "--every-ticket-table",
        action="store_true",
        help="copy every non-empty table that points at tickets (e.g. a dashboards set)",
    )
    args = parser.parse_args()
    import psycopg

    started = time.monotonic()
    source, target = f"{PG_NAME}_{args.source}", f"{PG_NAME}_{args.target}"
    if not args.clocks_only:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {target} TEMPLATE {source}")
        with psycopg.connect(f"{PG_SERVER}/{target}", autocommit=True) as conn:
            if args.every_ticket_table:
                replicate_all(conn, args.copies)
            else:
                replicate(conn, args.copies)
            conn.execute("VACUUM ANALYZE")
    else:
        with (
            psycopg.connect(f"{PG_SERVER}/{source}") as src,
            psycopg.connect(f"{PG_SERVER}/{target}", autocommit=True) as dst,
        ):
            top = src.execute("SELECT max(id) FROM tickets_ticket").fetchone()[0]
            rest = [c for c in columns(dst, "sla_ticketclock") if c != "ticket_id"]
            names = ", ".join(["ticket_id", *rest])
            with dst.transaction():
                dst.execute("DELETE FROM sla_ticketclock")
                with (
                    src.cursor().copy(f"COPY sla_ticketclock ({names}) TO STDOUT") as out,
                    dst.cursor().copy(f"COPY sla_ticketclock ({names}) FROM STDIN") as into,
                ):
                    for block in out:
                        into.write(block)
                dst.execute(
                    f"INSERT INTO sla_ticketclock ({names}) SELECT ticket_id + k * {top}, "
                    f"{', '.join(rest)} FROM sla_ticketclock, generate_series(1, "
                    f"{args.copies - 1}) AS k"
                )
            dst.execute("VACUUM ANALYZE sla_ticketclock")
    print(f"{target} made in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
