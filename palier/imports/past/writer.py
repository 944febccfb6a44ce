"""Writing past tickets in bulk: per batch of tickets, one short transaction that inserts
their decisions ("imported": the policy is not run on the past), the tickets with their
original dates, their messages, their original keys and their search rows.

No event is recorded and nothing goes to the outbox: importing the past tells no one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

from palier.imports.models import ImportedTicket, Source
from palier.imports.past.resolve import Matched
from palier.lib.bulk import insert_rows, take_ids
from palier.lib.text import fold, words
from palier.tickets.models import Decision, Message, Ticket, ticket_reference
from palier.tickets.queries import customer_language
from palier.tickets.search import pg_words

DECISION_FIELDS = (
    "id", "ticket_id", "kind", "accepted", "level", "billable", "rnd", "reason", "refusal",
    "refusal_date", "finding", "rules", "facts", "note", "decided_by_id", "decided_at",
)  # fmt: skip
TICKET_FIELDS = (
    "id", "customer_id", "contact_id", "created_by_id", "channel", "language", "type",
    "suggested_type", "module_id", "customization_id", "product_version_id", "criticality",
    "subject", "description", "visibility", "status", "level", "billable", "reason",
    "decision_id", "assignee_id", "version", "created_at", "updated_at", "first_response_at",
    "resolved_at", "closed_at", "last_customer_message_at",
)  # fmt: skip
MESSAGE_FIELDS = (
    "ticket_id", "author_id", "author_name", "body", "body_html", "internal", "channel",
    "activity", "from_customer", "created_at",
)  # fmt: skip
SUBJECT_MAX = 200


def write_batch(
    batch: list[Matched], *, source: str, run_id: int | None, acting_user_id: int
) -> int:
    """Insert the matched tickets of one batch; returns how many messages were written."""
    if not batch:
        return 0
    source_name = str(Source(source).label)
    tickets, decisions, messages, keys, search = [], [], [], [], []
    with transaction.atomic():
        ids = take_ids(Ticket, len(batch))
        decision_ids = take_ids(Decision, len(batch))
        for m, pk, decision_pk in zip(batch, ids, decision_ids, strict=True):
            t = m.ticket
            subject, description = t.subject, t.description
            if len(subject) > SUBJECT_MAX:  # nothing is cut away: the whole subject stays
                description = f"{subject}\n\n{description}".strip()
                subject = subject[: SUBJECT_MAX - 1] + "…"
            comments = list(zip(t.comments, m.authors, strict=True))
            last = max(
                [t.created_at, t.updated_at or t.created_at, *(c.created_at for c in t.comments)]
            )
            closed = t.status in ("resolved", "closed")
            resolved_at = (t.resolved_at or last) if closed else None
            first_response = next(
                (c.created_at for c, a in comments if not _from_customer(c, a)), None
            )
            last_customer = max(
                (c.created_at for c, a in comments if _from_customer(c, a)), default=None
            )
            decisions.append((
                decision_pk, pk, "imported", True, None, False, False, "", "", None, "", [],
                {"source": source, "source_name": source_name, "key": t.key,
                 "type": t.type_value, "status": t.status_value},
                "", acting_user_id, t.created_at,
            ))  # fmt: skip
            language = customer_language(m.customer, m.contact)
            tickets.append((
                pk, m.customer.pk, m.contact.id if m.contact else None, None, t.channel,
                language, m.request_type, "",
                None, None, None, t.priority, subject, description,
                m.customer.default_visibility, t.status, None, False, "", decision_pk,
                m.assignee.id if m.assignee else None, 1, t.created_at, last, first_response,
                resolved_at, resolved_at if t.status == "closed" else None, last_customer,
            ))  # fmt: skip
            # The key as words ("SD 102"): PostgreSQL's parser reads "sd-102" as "sd" and
            # the number "-102", which a search for SD-102 (the words sd and 102) misses.
            key_words = " ".join(words(t.key, limit=None))
            public = [subject, description, ticket_reference(pk, t.created_at), t.key, key_words]
            internal = []
            for comment, author in comments:
                is_internal = comment.public is not True
                body = comment.body_in(language or "en")
                messages.append((
                    pk, author.id if author else None,
                    (author.name if author else comment.author_name or comment.author_email
                     or comment.author_ref)[:200],
                    body, "", is_internal, comment.channel or t.channel,
                    comment.activity,
                    _from_customer(comment, author), comment.created_at,
                ))  # fmt: skip
                (internal if is_internal else public).append(body)
            keys.append((pk, source, t.key, run_id))
            search.append((pk, fold("\n".join(public)), fold("\n".join(internal))))
        insert_rows(Decision, DECISION_FIELDS, decisions)
        insert_rows(Ticket, TICKET_FIELDS, tickets)
        insert_rows(Message, MESSAGE_FIELDS, messages)
        insert_rows(ImportedTicket, ("ticket_id", "source", "key", "run_id"), keys)
        _index(search)
    return len(messages)


@contextlib.contextmanager
def bulk_search_indexing() -> Iterator[None]:
    """PostgreSQL: while many tickets are imported, let the full-text GIN indexes gather new
    rows in their pending list (merged in bulk, about four times faster than one entry at a
    time); afterwards merge the list and go back to direct updates, which searches need
    (tickets/migrations/0003). Changing the option blocks no reader and no writer."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'ticket_search'"
            " AND indexdef ILIKE '%% USING gin %%'"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    qn = connection.ops.quote_name

    def switch(on: bool) -> None:
        with connection.cursor() as cursor:
            for index in indexes:
                cursor.execute(
                    f"ALTER INDEX {qn(index)} SET (fastupdate = {'on' if on else 'off'})"
                )
                if not on:
                    cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])

    switch(True)
    try:
        yield
    finally:
        switch(False)


def _from_customer(comment, author) -> bool:
    return bool(comment.from_requester or (author is not None and author.is_contact))


def _index(rows: list[tuple[int, str, str]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "INSERT INTO ticket_search (ticket_id, public, internal)"
                " VALUES (%s, to_tsvector('simple', %s), to_tsvector('simple', %s))",
                [(pk, pg_words(public), pg_words(internal)) for pk, public, internal in rows],
            )
        else:
            cursor.executemany(
                "INSERT INTO ticket_search (rowid, public, internal) VALUES (%s, %s, %s)", rows
            )
