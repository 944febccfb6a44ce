"""The bench's bulk fill (COPY) writes the same rows as its fill through the actions: a small
set is filled both ways from one seed on the test database and compared table by table,
ids and links included, timestamps aside."""

from __future__ import annotations

import random

from django.db import connection

from bench.fill import fill_with_actions, make_world
from bench.fill_bulk import fill_bulk, table_rows
from palier.tickets.models import Decision, Message, Ticket, TicketEvent

TIMES = {"created_at", "updated_at", "decided_at", "at", "edited_at"}
MODELS = (Ticket, Decision, TicketEvent, Message)


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
