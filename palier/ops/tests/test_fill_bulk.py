"""The bench's bulk fill (COPY) writes the same rows as its fill through the actions: a small
set is filled both ways from one seed on the test database and compared table by table,
ids and links included, timestamps aside."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from bench.env import PG_NAME, ROOT
from bench.fill import fill_with_actions, make_world
from bench.fill_bulk import fill_bulk, table_rows
from palier.tickets.models import Decision, Message, Ticket, TicketEvent

TIMES = {"created_at", "updated_at", "decided_at", "at", "edited_at"}
MODELS = (Ticket, Decision, TicketEvent, Message)
ENDED = {*TIMES, "dispatched_at"}


def sequences() -> dict[str, int]:
    """Where each table's ids stand, to start the second fill at the same place."""
    out = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT last_value, is_called FROM {table}_id_seq"  # noqa: S608
                )
                last, called = cursor.fetchone()
                out[table] = last if called else last - 1
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                out[table] = row[0] if row else 0
    return out


def rewind(to: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for table, value in to.items():
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval('{table}_id_seq', %s, %s)", [max(value, 1), value > 0]
                )
            else:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [value, table]
                )


def snapshot() -> dict:
    rows = {m.__name__: table_rows(m, exclude=TIMES) for m in MODELS}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT ticket_id, public::text, internal::text FROM ticket_search ORDER BY 1"
            )
        else:
            cursor.execute("SELECT rowid, public, internal FROM ticket_search ORDER BY 1")
        rows["search"] = cursor.fetchall()
    return rows


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticket_search")
    Message.objects.all().delete()
    TicketEvent.objects.all().delete()
    Ticket.objects.update(decision=None)
    Decision.objects.all().delete()
    Ticket.objects.all().delete()


def test_the_bulk_fill_writes_the_rows_the_actions_write(db):
    world = make_world(random.Random(7), customers=12)
    start = sequences()
    fill_with_actions(2026, world, tickets=120, batch=50)
    by_actions = snapshot()
    wipe()
    rewind(start)
    fill_bulk(2026, world, tickets=120, batch=50)
    by_copy = snapshot()
    assert len(by_actions["Ticket"]) == 120
    assert {t[0] for t in by_actions["Ticket"]} == {s[0] for s in by_actions["search"]}
    statuses = {row for row in Ticket.objects.values_list("status", flat=True)}
    assert {"refused", "closed", "new"} <= statuses  # the mix, refusals included
    for name in by_actions:
        assert by_copy[name] == by_actions[name], name


def by_content(rows: dict) -> dict:
    """Rows of the four tables and the search rows with each ticket's id replaced by its rank
    among the tickets ordered by content (and each row's own id dropped): the same rows
    written in another order, with other ids, compare equal."""
    ticket_ids = [row[0] for row in rows["Ticket"]]
    fields = _columns(Ticket)
    decision = fields.index("decision_id")
    content = {row[0]: row[1:decision] + row[decision + 1 :] for row in rows["Ticket"]}
    rank = {pk: i for i, pk in enumerate(sorted(ticket_ids, key=lambda pk: repr(content[pk])))}
    assert len(set(content.values())) == len(content)  # the ranks name one ticket each
    out = {"Ticket": sorted((rank[pk], repr(content[pk])) for pk in ticket_ids)}
    for model in (Decision, TicketEvent, Message):
        link = _columns(model).index("ticket_id")
        out[model.__name__] = sorted(
            (rank[row[link]], repr(row[1:link] + row[link + 1 :])) for row in rows[model.__name__]
        )
    # The public text holds the ticket's reference, which holds its id.
    out["search"] = sorted(
        (rank[pk], public.replace(f"{pk:06d}", "#"), internal)
        for pk, public, internal in rows["search"]
    )
    return out


def _columns(model) -> list[str]:
    # The bench marks a filled set's events dispatched when it ends (history, not news).
    return [f.column for f in model._meta.concrete_fields if f.attname not in ENDED]


def _fill_in_processes(server: str, dataset: str, jobs: int) -> dict:
    """`bench/fill.py --bulk --jobs N` run as the bench runs it (its own process and database),
    then the rows it wrote."""
    env = {**os.environ, "BENCH_PG_SERVER": server}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PALIER_ENV", "PALIER_DATA_DIR"):
        env.pop(name, None)
    command = [sys.executable, "bench/fill.py", "--db", "postgres", "--set", dataset]
    command += ["--tickets", "120", "--customers", "12", "--bulk", "--batch", "20"]
    command += ["--jobs", str(jobs)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    rows: dict = {}
    with psycopg.connect(f"{server}/{PG_NAME}_{dataset}") as conn:
        for model in MODELS:
            columns = ", ".join(_columns(model))
            table = model._meta.db_table
            rows[model.__name__] = conn.execute(
                f"SELECT {columns} FROM {table} ORDER BY id"  # noqa: S608
            ).fetchall()
        rows["search"] = conn.execute(
            "SELECT ticket_id, public::text, internal::text FROM ticket_search ORDER BY 1"
        ).fetchall()
    return rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="--jobs runs on PostgreSQL")
def test_two_processes_write_the_rows_one_writes():
    """Run as the bench runs it, in processes of their own: forked inside pytest's session,
    the writers once hung a combined run."""
    info = connection.settings_dict
    server = f"postgres://{info['USER'] or 'postgres'}@{info['HOST'] or '127.0.0.1'}"
    server += f":{info['PORT'] or 5432}"
    sets = [f"t_jobs{jobs}_{os.getpid()}" for jobs in (1, 2)]
    try:
        by_one = _fill_in_processes(server, sets[0], jobs=1)
        by_two = _fill_in_processes(server, sets[1], jobs=2)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            for dataset in sets:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}_{dataset} WITH (FORCE)")
    assert len(by_two["Ticket"]) == 120
    one, two = by_content(by_one), by_content(by_two)
    for name in one:
        assert two[name] == one[name], name
