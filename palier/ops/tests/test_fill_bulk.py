"""The bench's bulk fill (COPY) writes the same rows as its fill through the actions: a small
set is filled both ways from one seed on the test database and compared table by table,
ids and links included, timestamps aside."""

from __future__ import annotations

import random

import pytest
from django.conf import settings
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


def by_content(rows: dict) -> dict:
    """`snapshot()`'s rows with each ticket's id replaced by its rank among the tickets
    ordered by content (and each row's own id dropped): the same rows written in another
    order, with other ids, compare equal."""
    ticket_ids = [row[0] for row in rows["Ticket"]]
    fields = [f.attname for f in Ticket._meta.concrete_fields if f.attname not in TIMES]
    decision = fields.index("decision_id")
    content = {row[0]: row[1:decision] + row[decision + 1 :] for row in rows["Ticket"]}
    rank = {pk: i for i, pk in enumerate(sorted(ticket_ids, key=lambda pk: repr(content[pk])))}
    assert len(set(content.values())) == len(content)  # the ranks name one ticket each
    out = {"Ticket": sorted((rank[pk], repr(content[pk])) for pk in ticket_ids)}
    for model in (Decision, TicketEvent, Message):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in TIMES]
        link = names.index("ticket_id")
        out[model.__name__] = sorted(
            (rank[row[link]], repr(row[1:link] + row[link + 1 :])) for row in rows[model.__name__]
        )
    # The public text holds the ticket's reference, which holds its id.
    out["search"] = sorted(
        (rank[pk], public.replace(f"{pk:06d}", "#"), internal)
        for pk, public, internal in rows["search"]
    )
    return out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="--jobs runs on PostgreSQL")
# Committed: the forked writers read the world through their own connections. available_apps
# makes the flush after the test TRUNCATE ... CASCADE (ticket_search's foreign key).
@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
@pytest.mark.usefixtures("transactional_db_with_search")
def test_two_processes_write_the_rows_one_writes():
    world = make_world(random.Random(7), customers=12)
    fill_bulk(2026, world, tickets=120, batch=20, jobs=1)
    by_one = snapshot()
    wipe()
    fill_bulk(2026, world, tickets=120, batch=20, jobs=2)
    by_two = snapshot()
    assert len(by_two["Ticket"]) == 120
    assert {t[0] for t in by_one["Ticket"]} != {t[0] for t in by_two["Ticket"]}  # new ids
    one, two = by_content(by_one), by_content(by_two)
    for name in one:
        assert two[name] == one[name], name
