"""Newest-first search looks among the newest matches first, and is still exact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palier.testing.factories import make_ticket
from palier.tickets import search
from palier.tickets.actions import do_add_message
from palier.tickets.models import Ticket
from palier.tickets.queries import TicketFilters, list_tickets


def walk(user, filters: TicketFilters, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = list_tickets(user, filters, cursor=cursor, limit=limit)
        pages.append([t.subject for t in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.fixture
def small_window(monkeypatch):
    monkeypatch.setattr(search, "NEWEST_WINDOW", 3)


def test_pages_beyond_the_window_are_the_same_as_a_full_search(world, small_window):
    for i in range(8):
        make_ticket(world.contact_a, "usage", f"Rechnung {i}")
        make_ticket(world.contact_b, "usage", f"Facture {i}")
    pages = walk(world.agent, TicketFilters(q="rechnung"), limit=2)
    assert pages == [[f"Rechnung {i}", f"Rechnung {i - 1}"] for i in (7, 5, 3, 1)]


def test_a_contact_finds_their_older_tickets_behind_other_customers_newer_ones(world, small_window):
    make_ticket(world.contact_b, "usage", "Facture ancienne", visibility="shared")
    for i in range(5):
        make_ticket(world.contact_a, "usage", f"Facture {i}", visibility="shared")
    # The three newest matches are customer A's: B's contact must still find B's ticket.
    assert walk(world.contact_b, TicketFilters(q="facture"), limit=10) == [["Facture ancienne"]]


def test_a_full_page_from_the_window_costs_no_second_search(world, small_window):
    for i in range(5):
        make_ticket(world.contact_a, "usage", f"Lieferschein {i}")
    with CaptureQueriesContext(connection) as ctx:
        page = list_tickets(world.agent, TicketFilters(q="lieferschein"), limit=2)
    assert [t.subject for t in page.items] == ["Lieferschein 4", "Lieferschein 3"]
    # The newest matches' ids, the page's ids among them, then its rows.
    assert len(ctx.captured_queries) == 3


def test_a_rare_word_whose_matches_all_fit_the_window_costs_no_second_search(world, small_window):
    make_ticket(world.contact_a, "usage", "Fehler E4711")
    make_ticket(world.contact_b, "usage", "Erreur E4711", visibility="shared")
    with CaptureQueriesContext(connection) as ctx:
        page = list_tickets(world.agent, TicketFilters(q="e4711"), limit=10)
    assert [t.subject for t in page.items] == ["Erreur E4711", "Fehler E4711"]
    assert page.next_cursor is None
    assert len(ctx.captured_queries) == 3


def test_a_later_page_looks_below_its_cursor_and_costs_no_second_search(world, small_window):
    for i in range(8):
        make_ticket(world.contact_a, "usage", f"Lieferschein {i}")
    first = list_tickets(world.agent, TicketFilters(q="lieferschein"), limit=2)
    with CaptureQueriesContext(connection) as ctx:
        second = list_tickets(
            world.agent, TicketFilters(q="lieferschein"), limit=2, cursor=first.next_cursor
        )
    assert [t.subject for t in second.items] == ["Lieferschein 5", "Lieferschein 4"]
    assert len(ctx.captured_queries) == 3


def test_with_other_filters_the_window_leaves_room_for_the_matches_they_drop(world):
    for i in range(6):
        make_ticket(world.contact_a, "usage", f"Rechnung A{i}")
        make_ticket(world.contact_b, "usage", f"Rechnung B{i}")
    only_b = TicketFilters(q="rechnung", customer_id=world.customer_b.pk)
    pages = walk(world.agent, only_b, limit=2)
    assert pages == [[f"Rechnung B{i}", f"Rechnung B{i - 1}"] for i in (5, 3, 1)]


def test_a_search_of_several_words_finds_old_matches_behind_newer_tickets(world, monkeypatch):
    """PostgreSQL reads a few newest tickets first, then all matches from the text index if
    they fall short: either way the answer is the newest matches, below the cursor."""
    monkeypatch.setattr(search, "WALK_PER_MATCH", 2)  # read 4 newest tickets for 2 matches
    old = [make_ticket(world.contact_a, "usage", f"Facture bloquée {i}") for i in range(3)]
    new = [make_ticket(world.contact_a, "usage", f"Facture payée {i}") for i in range(6)]

    def newest(q: str, below_id: int | None = None) -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as queries:
            ids = search.newest_match_ids(q, include_internal=True, limit=2, below_id=below_id)
        return ids, len(queries)

    sparse, sparse_queries = newest("facture bloquee")
    assert sparse == [old[2].pk, old[1].pk]
    assert newest("facture bloquee", below_id=old[1].pk)[0] == [old[0].pk]
    assert newest("bloquee payee")[0] == []
    dense, dense_queries = newest("facture payee")
    assert dense == [new[5].pk, new[4].pk]
    assert newest("facture payee", below_id=new[1].pk)[0] == [new[0].pk]
    if connection.vendor == "postgresql":
        assert (sparse_queries, dense_queries) == (2, 1)
    subjects = walk(world.agent, TicketFilters(q="bloquee facture"), limit=2)
    assert subjects == [["Facture bloquée 2", "Facture bloquée 1"], ["Facture bloquée 0"]]


@pytest.mark.parametrize("contact_walk", [1_000, 3])
def test_a_contacts_search_walks_their_own_tickets_or_falls_back_to_the_index(
    world, monkeypatch, contact_walk
):
    """On PostgreSQL a contact's search of several words checks their own newest tickets one
    by one; when they see more than CONTACT_WALK tickets and those hold too few matches, the
    text index answers. Either way: their matches only, newest first, page by page, never an
    internal note's words."""
    monkeypatch.setattr(search, "CONTACT_WALK", contact_walk)
    for i in range(4):
        make_ticket(world.contact_a, "usage", f"Facture bloquée {i}", visibility="shared")
        make_ticket(world.contact_a, "usage", f"Facture payée {i}", visibility="shared")
        make_ticket(world.contact_b, "usage", f"Facture bloquée B{i}", visibility="shared")
    hidden = make_ticket(world.contact_a, "usage", "Lettre", visibility="shared")
    do_add_message(hidden, acting_user=world.agent, body="Facture bloquée chez eux", internal=True)
    pages = walk(world.admin_a, TicketFilters(q="facture bloquee"), limit=3)
    assert pages == [[f"Facture bloquée {i}" for i in (3, 2, 1)], ["Facture bloquée 0"]]
    assert walk(world.contact_a, TicketFilters(q="bloquee payee"), limit=3) == [[]]
    with CaptureQueriesContext(connection) as ctx:
        page = list_tickets(world.contact_a, TicketFilters(q="facture fact"), limit=3)
    newest = ["Facture payée 3", "Facture bloquée 3", "Facture payée 2"]
    assert [t.subject for t in page.items] == newest
    if connection.vendor == "postgresql":
        # The walk fills the page: the walk, the page's ids, its rows. When it cannot, a
        # count of what the contact sees, then the index's page ids and rows.
        assert len(ctx.captured_queries) == (3 if contact_walk > 3 else 4)
        ids = search.newest_visible_match_ids(
            Ticket.objects.filter(customer=world.customer_a), "facture bloquee", limit=10
        )
        assert (ids is None) == (contact_walk == 3)


def test_a_search_row_without_its_ticket_leaves_the_pages_whole(world):
    """SQLite keeps no foreign key on its text index: a match may name no ticket. The page
    read straight from the newest matches then gives way to the one among tickets."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index rows go with their ticket (ON DELETE CASCADE)")
    made = [make_ticket(world.contact_a, "usage", f"Lieferschein {i}") for i in range(3)]
    search.index_ticket(made[-1].pk + 1000, "lieferschein", new=True)
    pages, cursor = [], None
    while True:
        page = list_tickets(
            world.agent,
            TicketFilters(q="lieferschein"),
            cursor=cursor,
            limit=2,
            values=("id", "subject"),
        )
        pages.append([row["subject"] for row in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == [["Lieferschein 2", "Lieferschein 1"], ["Lieferschein 0"]]


def test_a_walk_too_sparse_to_fill_the_page_gives_up_early_and_a_dense_one_goes_on(
    world, monkeypatch
):
    """PostgreSQL walks at most 8 newest tickets here for 2 matches, and once past the first
    2 gives up as soon as its matches are fewer than 2 in 8 for the tickets read: then the
    index answers from where the walk stopped. Either way the answer is the newest matches."""
    monkeypatch.setattr(search, "WALK_PER_MATCH", 4)
    monkeypatch.setattr(search, "WALK_FIRST_PER_MATCH", 1)
    old = make_ticket(world.contact_a, "usage", "Facture bloquée ancienne")
    for i in range(8):
        make_ticket(world.contact_a, "usage", f"Rechnung {i}")
    middle = make_ticket(world.contact_a, "usage", "Facture payée milieu")
    for i in range(2):
        make_ticket(world.contact_a, "usage", f"Lieferschein {i}")
    newest = make_ticket(world.contact_a, "usage", "Facture payée récente")
    second = make_ticket(world.contact_a, "usage", "Rechnung neu")

    def search_of(q: str) -> tuple[list[int], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            ids = search.newest_match_ids(q, include_internal=True, limit=2)
        return ids, [query["sql"] for query in queries]

    sparse, sparse_queries = search_of("facture bloquee")
    dense, dense_queries = search_of("facture payee")
    assert sparse == [old.pk]
    assert dense == [newest.pk, middle.pk]
    if connection.vendor == "postgresql":
        # No match in the 2 newest: the index, below the second newest (the walk's stop).
        assert len(sparse_queries) == 2
        assert f"ticket_id < {newest.pk}" in sparse_queries[1]
        assert "ticket_search_lexeme" in sparse_queries[1]
        assert second.pk > newest.pk
        # 1 match in the 2 newest, 2 in 5: enough to go on, and the walk fills the page.
        assert len(dense_queries) == 1
