"""The search row of a ticket: created, replaced, appended to; staff's column on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from palier.testing.factories import make_ticket
from palier.tickets import search
from palier.tickets.actions import do_add_message


def staff_finds(q: str) -> list[int]:
    return search.newest_match_ids(q, include_internal=True, limit=10) or []


def contact_finds(q: str) -> list[int]:
    return search.newest_match_ids(q, include_internal=False, limit=10) or []


def test_indexing_again_replaces_the_words_of_the_ticket(world):
    ticket = make_ticket(world.contact_a, "usage", "Rechnung storniert")
    search.index_ticket(ticket.pk, "Lieferschein fehlt", "Kulanz")
    assert staff_finds("rechnung") == []
    assert staff_finds("lieferschein kulanz") == [ticket.pk]
    assert contact_finds("kulanz") == []


def test_a_new_ticket_is_indexed_without_a_row_to_replace(world):
    ticket = make_ticket(world.contact_a, "usage", "Rechnung storniert")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticket_search")
    search.index_ticket(ticket.pk, "Lieferschein fehlt", "Kulanz", new=True)
    assert contact_finds("lieferschein") == [ticket.pk]
    assert staff_finds("kulanz") == [ticket.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staff column is PostgreSQL's")
def test_the_staff_column_holds_the_words_of_public_and_internal(world):
    ticket = make_ticket(world.contact_a, "usage", "Rechnung storniert", description="Bitte")
    do_add_message(ticket, acting_user=world.agent, body="Kulanzfall intern", internal=True)
    do_add_message(ticket, acting_user=world.agent, body="Gutschrift folgt")
    with connection.cursor() as cursor:
        # Lexemes only: appending to `public` leaves staff's positions in another order,
        # which prefix matching never reads.
        cursor.execute(
            "SELECT tsvector_to_array(staff), tsvector_to_array(public || internal),"
            " tsvector_to_array(internal) FROM ticket_search WHERE ticket_id = %s",
            [ticket.pk],
        )
        staff, both, internal = cursor.fetchone()
    assert staff == both
    assert {"kulanzfall", "gutschrift", "rechnung"} <= set(staff)
    assert internal == ["intern", "kulanzfall"]


def test_a_code_an_address_or_a_version_is_found_as_written(world):
    # PostgreSQL's parser read "ord-48213" as "ord" and the number "-48213", an address and
    # a version as one lexeme each, while a search looks for the words (ord, 48213): the
    # ticket that says ORD-48213 was not found by ORD-48213 (SQLite found it).
    ticket = make_ticket(
        world.contact_a,
        "usage",
        "Lieferung ORD-48213 fehlt",
        description="Mail an einkauf@kunde.ch, Version 11.3.1",
    )
    do_add_message(ticket, acting_user=world.agent, body="Fehler ERR-404 beim Buchen")
    do_add_message(ticket, acting_user=world.agent, body="Beleg RE-2026-0042", internal=True)
    reference_number = ticket.reference.rsplit("-", 1)[1]
    for q in ("ORD-48213", "48213", "einkauf@kunde.ch", "kunde", "11.3.1", "ERR-404", "404",
              reference_number):  # fmt: skip
        assert staff_finds(q) == [ticket.pk], q
        assert contact_finds(q) == [ticket.pk], q
    assert staff_finds("RE-2026-0042") == [ticket.pk]
    assert contact_finds("0042") == []


def test_a_reindexed_ticket_is_found_by_its_code_as_written(world):
    from palier.exports.reindex import reindex_all

    ticket = make_ticket(world.contact_a, "usage", "Lieferung ORD-48213 fehlt")
    do_add_message(ticket, acting_user=world.agent, body="Fehler ERR-404")
    reindex_all()
    assert staff_finds("ORD-48213 ERR-404") == [ticket.pk]
