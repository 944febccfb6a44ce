"""PostgreSQL: a search of several words whose newest tickets hold too few matches asks the
text index with each prefix spelled out as its lexemes, and finds exactly what the prefixes
find."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palier.testing.factories import make_ticket
from palier.tickets import search
from palier.tickets.actions import do_add_message

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lexicon serves PostgreSQL's GIN index"
)


def by_prefixes(q: str, *, include_internal: bool = True) -> list[int]:
    """The newest matches as the prefix query finds them: the answer to agree with."""
    condition = search._pg_match(q.split(), include_internal=include_internal)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ticket_id FROM ticket_search WHERE {condition} ORDER BY ticket_id DESC"
        )
        return [row[0] for row in cursor.fetchall()][:5]


def lexemes(prefix: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM ticket_search_lexeme WHERE lexeme LIKE %s ORDER BY lexeme",
            [prefix + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def index_only(monkeypatch):
    """No walk down the newest tickets: every search of several words asks the index."""
    monkeypatch.setattr(search, "WALK_PER_MATCH", 0)


def test_the_lexicon_holds_the_words_of_new_rows_and_of_appended_messages(world):
    ticket = make_ticket(world.contact_a, "usage", "Lieferscheins fehlen", description="Zollamt")
    assert lexemes("lieferschein") == ["lieferscheins"]
    do_add_message(ticket, acting_user=world.agent, body="Kulanzgutschrift", internal=True)
    assert lexemes("kulanz") == ["kulanzgutschrift"]


@pytest.mark.parametrize("per_word", [64, 1])
def test_spelled_out_prefixes_find_what_the_prefixes_find(world, index_only, monkeypatch, per_word):
    # per_word=1: a prefix of several lexemes stays a prefix in the query, with the same answer.
    monkeypatch.setattr(search, "LEXEMES_PER_WORD", per_word)
    make_ticket(world.contact_a, "usage", "Facture bloquée", description="Lieferschein E4711")
    make_ticket(world.contact_a, "usage", "Factures bloquées", description="Lieferscheins")
    make_ticket(world.contact_b, "usage", "Facturation", description="Lieferscheine E47112")
    note = make_ticket(world.contact_b, "usage", "Lettre")
    do_add_message(note, acting_user=world.agent, body="Facture lieferschein vue", internal=True)
    make_ticket(world.contact_a, "usage", "Rechnung", description="Lieferschein")
    queries = [
        "factur lieferschein",
        "facture lieferschein",
        "factures lieferscheins",
        "bloque e4711",
        "e4711 lieferscheine",
        "facture nowhere",
        "nowhere elsewhere",
        "lieferschein lieferschein",
    ]
    for q in queries:
        for internal in (True, False):
            expected = by_prefixes(q, include_internal=internal)
            found = search.newest_match_ids(q, include_internal=internal, limit=5)
            assert found == expected, (q, internal)
    assert search.newest_match_ids("factur lieferschein", include_internal=True, limit=5)
    assert search.newest_match_ids("facture nowhere", include_internal=True, limit=5) == []


def test_a_search_that_falls_short_of_the_walk_costs_two_statements(world, monkeypatch):
    monkeypatch.setattr(search, "WALK_PER_MATCH", 1)  # 5 newest tickets for 5 matches
    ticket = make_ticket(world.contact_a, "usage", "Facture", description="Lieferschein")
    for i in range(5):
        make_ticket(world.contact_a, "usage", f"Rechnung {i}")
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("facture lieferschein", include_internal=True, limit=5)
    assert found == [ticket.pk]
    # The walk, then the index with the words' lexemes read in the same statement.
    assert len(ctx.captured_queries) == 2
    assert "ticket_search_lexeme" in ctx.captured_queries[1]["sql"]


def test_a_walk_that_reaches_the_oldest_ticket_asks_no_index(world):
    ticket = make_ticket(world.contact_a, "usage", "Facture", description="Lieferschein")
    make_ticket(world.contact_a, "usage", "Rechnung")
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("facture lieferschein", include_internal=True, limit=5)
    assert found == [ticket.pk]
    assert len(ctx.captured_queries) == 1


def test_words_the_lexicon_cannot_spell_out_keep_their_prefix(world, index_only):
    ticket = make_ticket(world.contact_a, "usage", "Größe falsch", description="Lieferschein")
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("grosse lieferschein", include_internal=True, limit=5)
    assert found == [ticket.pk] == by_prefixes("grosse lieferschein")
    assert "ticket_search_lexeme" in ctx.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("a_b lieferschein", include_internal=True, limit=5)
    assert found == by_prefixes("a_b lieferschein")
    assert "ticket_search_lexeme" not in ctx.captured_queries[-1]["sql"]


def _tickets(world, subject: str, n: int) -> list[int]:
    return [make_ticket(world.contact_a, "usage", subject).pk for _ in range(n)]


@pytest.mark.parametrize("limit", [3, 5, 8])
def test_the_index_reads_the_tickets_next_to_the_walk_before_the_rest(world, monkeypatch, limit):
    # The walk reads the `limit` newest tickets (none match) and hands over to the index,
    # which looks at the INDEX_WINDOW ids below them first: the page is the newest matches
    # whether the window fills it (3), partly (5: the rest from below it) or not at all (8).
    monkeypatch.setattr(search, "WALK_PER_MATCH", 1)
    monkeypatch.setattr(search, "WALK_FIRST_PER_MATCH", 1)
    monkeypatch.setattr(search, "INDEX_WINDOW", 5)
    old = _tickets(world, "Facture bloquée", 4)
    _tickets(world, "Rechnung", 6)
    near = _tickets(world, "Facture bloquée", 3)
    _tickets(world, "Rechnung", 10)
    found = search.newest_match_ids("facture bloquee", include_internal=True, limit=limit)
    expected = (near[::-1] + old[::-1])[:limit]
    assert found == expected == by_prefixes("facture bloquee")[:limit] + expected[5:]


def test_a_window_that_fills_the_page_never_reads_the_rest(world, monkeypatch):
    monkeypatch.setattr(search, "WALK_PER_MATCH", 1)
    monkeypatch.setattr(search, "WALK_FIRST_PER_MATCH", 1)
    monkeypatch.setattr(search, "INDEX_WINDOW", 8)
    _tickets(world, "Facture bloquée", 5)
    _tickets(world, "Rechnung", 6)
    near = _tickets(world, "Facture bloquée", 3)
    _tickets(world, "Rechnung", 3)
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("facture bloquee", include_internal=True, limit=3)
    assert found == near[::-1]
    index_sql = ctx.captured_queries[-1]["sql"]
    assert "WITH near AS MATERIALIZED" in index_sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + index_sql)
        plan = [row[0] for row in cursor.fetchall()]
    # The CTE of every match below the window is planned but not started.
    far = next(i for i, line in enumerate(plan) if "CTE far" in line)
    assert "never executed" in plan[far + 1], plan


def test_words_seen_apart_among_the_newest_read_the_index_once(world, monkeypatch):
    # Each word among the newest tickets, never both: they seldom meet, so the index reads
    # every match at once rather than a window that would hold none of them first.
    monkeypatch.setattr(search, "WALK_PER_MATCH", 1)
    monkeypatch.setattr(search, "WALK_FIRST_PER_MATCH", 1)
    both = _tickets(world, "Facture Lieferschein", 2)
    for subject in ("Facture", "Lieferschein", "Rechnung"):
        _tickets(world, subject, 1)
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("facture lieferschein", include_internal=True, limit=3)
    assert found == both[::-1]
    assert len(ctx.captured_queries) == 2
    assert "WITH near" not in ctx.captured_queries[1]["sql"]
    assert "WITH matches" in ctx.captured_queries[1]["sql"]
    # A burst of other requests on top: neither word is seen, the window comes first.
    _tickets(world, "Rechnung", 3)
    with CaptureQueriesContext(connection) as ctx:
        found = search.newest_match_ids("facture lieferschein", include_internal=True, limit=3)
    assert found == both[::-1]
    assert "WITH near" in ctx.captured_queries[1]["sql"]
