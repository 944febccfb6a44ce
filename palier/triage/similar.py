"""Resolved tickets that look like a request, through the tickets' full-text index.

Any of the request's telling words may match (OR, by prefix), ranked by the engine's own
relevance (bm25 on SQLite's FTS5, ts_rank on PostgreSQL), among the best RANKED matches;
only resolved or closed tickets are kept.
"""

from __future__ import annotations

from django.db import connection

from palier.lib.text import content_words
from palier.tickets.models import Ticket
from palier.tickets.states import Status

RANKED = 200
DONE = (Status.RESOLVED, Status.CLOSED)


def _ranked_ids(terms: list[str]) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.sql import quote  # PostgreSQL only

            query = quote(" | ".join(f"{t}:*" for t in terms))  # words are \w+
            cursor.execute(
                "SELECT ticket_id FROM ticket_search "
                f"WHERE public @@ to_tsquery('simple', {query}) "
                f"ORDER BY ts_rank(public, to_tsquery('simple', {query})) DESC, ticket_id DESC "
                f"LIMIT {RANKED}"
            )
        else:
            match = "{public} : (" + " OR ".join(f'"{t}"*' for t in terms) + ")"
            cursor.execute(
                "SELECT rowid FROM ticket_search WHERE ticket_search MATCH %s "
                f"ORDER BY bm25(ticket_search), rowid DESC LIMIT {RANKED}",
                [match],
            )
        return [row[0] for row in cursor.fetchall()]


def similar_resolved_tickets(text: str, *, exclude_id: int | None = None, limit: int = 5):
    """Up to `limit` resolved or closed tickets sharing the most telling words with `text`."""
    terms = content_words(text, min_length=4, limit=8)
    if not terms:
        return []
    ids = [pk for pk in _ranked_ids(terms) if pk != exclude_id]
    if not ids:
        return []
    found = Ticket.objects.filter(pk__in=ids, status__in=DONE).select_related("module")
    rank = {pk: i for i, pk in enumerate(ids)}
    return sorted(found, key=lambda t: rank[t.pk])[:limit]
