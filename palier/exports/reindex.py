"""Rebuild the full-text index of every ticket (after a restore), in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import connection

from palier.lib.text import fold, words
from palier.tickets.models import Message, Ticket

BATCH = 1000


def reindex_all(*, progress: Callable[[int, int], None] | None = None) -> int:
    from palier.imports.models import ImportedTicket

    total = Ticket.objects.count()
    done, last = 0, 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticket_search")
    while True:
        tickets = list(
            Ticket.objects.filter(pk__gt=last)
            .order_by("pk")
            .values("pk", "subject", "description", "created_at")[:BATCH]
        )
        if not tickets:
            return done
        ids = [t["pk"] for t in tickets]
        public, internal = defaultdict(list), defaultdict(list)
        for m in (
            Message.objects.filter(ticket_id__in=ids)
            .order_by("pk")
            .values("ticket_id", "body", "internal")
        ):
            (internal if m["internal"] else public)[m["ticket_id"]].append(m["body"])
        keys = dict(
            ImportedTicket.objects.filter(ticket_id__in=ids).values_list("ticket_id", "key")
        )
        rows = []
        for t in tickets:
            from palier.tickets.models import ticket_reference

            key = keys.get(t["pk"], "")
            text = [t["subject"], t["description"], ticket_reference(t["pk"], t["created_at"])]
            if key:
                text += [key, " ".join(words(key, limit=None))]
            rows.append(
                (
                    t["pk"],
                    fold("\n".join(text + public[t["pk"]])),
                    fold("\n".join(internal[t["pk"]])),
                )
            )
        from palier.imports.past.writer import _index

        _index(rows)
        done += len(tickets)
        last = ids[-1]
        if progress:
            progress(done, total)
