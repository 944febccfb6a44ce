"""Full-text search over tickets: FTS5 on SQLite, GIN-indexed tsvector on PostgreSQL.

Each ticket has one row in `ticket_search` with two columns: `public` (subject, description,
public messages) and `internal` (internal notes). Contacts match `public` only, so an
internal note never makes a ticket findable by a customer. Text is folded in Python
(lower case, no diacritics) on both sides, and words match by prefix, which serves French,
German, Italian and English alike without a per-language stemmer.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from palier.lib.text import fold, words


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_ticket(ticket_id: int, public_text: str, internal_text: str = "") -> None:
    """Create or replace the search row of a ticket."""
    public, internal = fold(public_text), fold(internal_text)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "INSERT INTO ticket_search (ticket_id, public, internal)"
                " VALUES (%s, to_tsvector('simple', %s), to_tsvector('simple', %s))"
                " ON CONFLICT (ticket_id) DO UPDATE SET public = EXCLUDED.public,"
                " internal = EXCLUDED.internal",
                [ticket_id, public, internal],
            )
        else:
            cursor.execute("DELETE FROM ticket_search WHERE rowid = %s", [ticket_id])
            cursor.execute(
                "INSERT INTO ticket_search (rowid, public, internal) VALUES (%s, %s, %s)",
                [ticket_id, public, internal],
            )


def append_to_index(ticket_id: int, text: str, *, internal: bool) -> None:
    """Add a message's text to its ticket's search row."""
    column = "internal" if internal else "public"
    folded = fold(text)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                f"UPDATE ticket_search SET {column} = {column} || to_tsvector('simple', %s)"
                " WHERE ticket_id = %s",
                [folded, ticket_id],
            )
        else:
            cursor.execute(
                f"UPDATE ticket_search SET {column} = {column} || ' ' || %s WHERE rowid = %s",
                [folded, ticket_id],
            )


# Newest-first search reads at most this many of the newest matches (see filter_by_text).
NEWEST_WINDOW = 2000


def filter_by_text(
    qs: QuerySet, query: str, *, include_internal: bool, newest: int | None = None
) -> QuerySet:
    """Narrow a ticket queryset to those matching every word of `query` (by prefix).

    With `newest`, only the `newest` highest-id matches are candidates: a common word then
    costs a walk down the index that stops early instead of collecting every match. The
    rows that pass the other filters are still exactly the newest matching ones, down to
    the oldest candidate; when they do not fill a page the caller must ask again without
    `newest` (tickets.queries.list_tickets does).
    """
    terms = words(query)
    if not terms:
        return qs
    if _is_postgres():
        tsquery = " & ".join(f"{term}:*" for term in terms)
        condition = "public @@ to_tsquery('simple', %s)"
        params: list = [tsquery]
        if include_internal:
            condition = f"({condition} OR internal @@ to_tsquery('simple', %s))"
            params.append(tsquery)
        sql = f"SELECT ticket_id FROM ticket_search WHERE {condition}"  # noqa: S608
        if newest:
            sql += " ORDER BY ticket_id DESC LIMIT %s"
    else:
        match = " AND ".join(f'"{term}"*' for term in terms)
        if not include_internal:
            match = "{public} : (" + match + ")"
        sql = "SELECT rowid FROM ticket_search WHERE ticket_search MATCH %s"
        params = [match]
        if newest:
            # FTS5 walks its doclists newest first and stops at the limit.
            sql += " ORDER BY rowid DESC LIMIT %s"
    if newest:
        params.append(newest)
    return qs.filter(id__in=RawSQL(sql, params))  # noqa: S611 (words are bound parameters)
