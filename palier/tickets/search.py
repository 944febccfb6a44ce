"""Full-text search over tickets: FTS5 on SQLite, GIN-indexed tsvector on PostgreSQL.

Each ticket has one row in `ticket_search` with two columns: `public` (subject, description,
public messages) and `internal` (internal notes). Contacts match `public` only, so an
internal note never makes a ticket findable by a customer. On PostgreSQL, staff match a
third column, `staff` (public || internal): one column gets one row estimate, where
`public OR internal` took the planner's bad guess for `internal` and walked every ticket
backwards for a rare word (47 ms instead of 0.2 ms at 100k). Text is folded in Python
(lower case, no diacritics) on both sides, and words match by prefix, which serves French,
German, Italian and English alike without a per-language stemmer.
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from palier.lib.text import fold, words


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_ticket(
    ticket_id: int, public_text: str, internal_text: str = "", *, new: bool = False
) -> None:
    """Create or replace the search row of a ticket; `new` says it has none yet."""
    public, internal = fold(public_text), fold(internal_text)
    with connection.cursor() as cursor:
        if _is_postgres():
            sql = (
                "INSERT INTO ticket_search (ticket_id, public, internal, staff)"
                " SELECT %s, p, i, p || i FROM"
                " (SELECT to_tsvector('simple', %s) AS p, to_tsvector('simple', %s) AS i) AS v"
            )
            if not new:
                sql += (
                    " ON CONFLICT (ticket_id) DO UPDATE SET public = EXCLUDED.public,"
                    " internal = EXCLUDED.internal, staff = EXCLUDED.staff"
                )
            cursor.execute(sql, [ticket_id, public, internal])
        else:
            if not new:
                cursor.execute("DELETE FROM ticket_search WHERE rowid = %s", [ticket_id])
            cursor.execute(
                "INSERT INTO ticket_search (rowid, public, internal) VALUES (%s, %s, %s)",
                [ticket_id, public, internal],
            )


def append_to_index(ticket_id: int, text: str, *, internal: bool) -> None:
    """Add a message's text to its ticket's search row (and to `staff` on PostgreSQL)."""
    column = "internal" if internal else "public"
    folded = fold(text)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                f"UPDATE ticket_search SET {column} = {column} || v.words, staff = staff || v.words"
                " FROM (SELECT to_tsvector('simple', %s) AS words) AS v WHERE ticket_id = %s",
                [folded, ticket_id],
            )
        else:
            cursor.execute(
                f"UPDATE ticket_search SET {column} = {column} || ' ' || %s WHERE rowid = %s",
                [folded, ticket_id],
            )


# Newest-first staff search reads at most this many of the newest matches first (see
# tickets.queries.list_tickets).
NEWEST_WINDOW = 500


def _match_sql(terms: list[str], *, include_internal: bool) -> tuple[str, list]:
    """SQL selecting the ids of the tickets that match every term (by prefix)."""
    if _is_postgres():
        # The words go into the statement as a quoted literal, not a parameter: PostgreSQL
        # keeps prepared statements (settings.py), and a plan made for "any word" walks every
        # ticket for a rare one; with the word in the text, each word gets its own plan.
        from psycopg.sql import quote  # PostgreSQL only

        tsquery = quote(" & ".join(f"{term}:*" for term in terms))  # words: \w+, never a %
        column = "staff" if include_internal else "public"
        sql = (
            f"SELECT ticket_id FROM ticket_search WHERE {column} @@ to_tsquery('simple', {tsquery})"
        )
        return sql, []
    match = " AND ".join(f'"{term}"*' for term in terms)
    if not include_internal:
        match = "{public} : (" + match + ")"
    return "SELECT rowid FROM ticket_search WHERE ticket_search MATCH %s", [match]


def filter_by_text(qs: QuerySet, query: str, *, include_internal: bool) -> QuerySet:
    """Narrow a ticket queryset to those matching every word of `query` (by prefix)."""
    terms = words(query)
    if not terms:
        return qs
    sql, params = _match_sql(terms, include_internal=include_internal)
    return qs.filter(id__in=RawSQL(sql, params))  # noqa: S611 (words are bound parameters)


def with_ids(qs: QuerySet, ids: list[int]) -> QuerySet:
    """`qs` narrowed to `ids`, sent as one array parameter rather than one per id."""
    if _is_postgres():
        # `id = ANY(array)`, not `id IN (SELECT unnest(array))`: with the former PostgreSQL
        # reads the ids through the primary key (0.1 ms for 500); with the latter it merge-
        # joined them against a backward walk of every newer ticket (6 ms at 100k).
        qn = connection.ops.quote_name
        any_id = f"{qn(qs.model._meta.db_table)}.{qn('id')} = ANY(%s)"
        return qs.filter(RawSQL(any_id, [ids], output_field=BooleanField()))  # noqa: S611
    sql, params = "SELECT value FROM json_each(%s)", [json.dumps(ids)]
    return qs.filter(id__in=RawSQL(sql, params))  # noqa: S611 (bound parameters)


def newest_match_ids(
    query: str, *, include_internal: bool, limit: int, below_id: int | None = None
) -> list[int] | None:
    """The ids of the `limit` newest tickets matching `query` (below `below_id`, a page's
    cursor, if given), newest first; None when the query has no words.

    Fetched apart from the ticket filters on purpose: inside `id IN (...) ORDER BY id DESC
    LIMIT n`, PostgreSQL misjudges how many tickets a rare word matches and walks every
    ticket backwards (250 ms at 100k); alone, the match query takes the text index, and a
    common word stops after `limit` matches.
    """
    terms = words(query)
    if not terms:
        return None
    sql, params = _match_sql(terms, include_internal=include_internal)
    column = "ticket_id" if _is_postgres() else "rowid"
    # Numbers written out too: how far to walk decides the plan as much as the words do.
    if below_id is not None:
        sql = f"{sql} AND {column} < {int(below_id)}"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {column} DESC LIMIT {int(limit)}", params)
        return [row[0] for row in cursor.fetchall()]
