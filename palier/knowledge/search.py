"""Full-text search over published article translations, with the tickets' engine: FTS5 on
SQLite, a GIN-indexed tsvector on PostgreSQL (see palier/tickets/search.py).

One row per published translation (rowid / translation_id = the translation's id). Text is
folded in Python on both sides and words match by prefix, as for tickets. A search box asks
for every word; the suggestions beside a request being typed ask for any telling word and
rank by relevance (bm25, ts_rank).
"""

from __future__ import annotations

from django.db import connection

from palier.lib.text import fold
from palier.tickets.search import pg_words

RANKED = 100


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_translation(translation_id: int, title: str, body: str) -> None:
    """Create or replace the search row of a published translation (title counts twice)."""
    text = fold(f"{title} {title} {body}")
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "INSERT INTO knowledge_search (translation_id, document) "
                "VALUES (%s, to_tsvector('simple', %s)) "
                "ON CONFLICT (translation_id) DO UPDATE SET document = EXCLUDED.document",
                [translation_id, pg_words(text)],  # ERR-404 as its words (tickets.search)
            )
        else:
            cursor.execute("DELETE FROM knowledge_search WHERE rowid = %s", [translation_id])
            cursor.execute(
                "INSERT INTO knowledge_search (rowid, document) VALUES (%s, %s)",
                [translation_id, text],
            )


def unindex_translation(translation_id: int) -> None:
    column = "translation_id" if _is_postgres() else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM knowledge_search WHERE {column} = %s", [translation_id])


def ranked_translation_ids(terms: list[str], *, any_word: bool, limit: int = RANKED) -> list[int]:
    """Ids of the translations matching `terms` (each by prefix; all of them, or any when
    `any_word`), most relevant first."""
    if not terms:
        return []
    with connection.cursor() as cursor:
        if _is_postgres():
            from psycopg.sql import quote  # PostgreSQL only

            joiner = " | " if any_word else " & "
            query = quote(joiner.join(f"{t}:*" for t in terms))  # words are \w+, no operator
            cursor.execute(
                "SELECT translation_id FROM knowledge_search "
                f"WHERE document @@ to_tsquery('simple', {query}) ORDER BY "
                f"ts_rank(document, to_tsquery('simple', {query})) DESC, translation_id "
                f"LIMIT {int(limit)}"
            )
        else:
            joiner = " OR " if any_word else " AND "
            cursor.execute(
                "SELECT rowid FROM knowledge_search WHERE knowledge_search MATCH %s "
                f"ORDER BY bm25(knowledge_search), rowid LIMIT {int(limit)}",
                [joiner.join(f'"{t}"*' for t in terms)],
            )
        return [row[0] for row in cursor.fetchall()]
