"""What must hold over the whole inbound table, checked from the stored bytes themselves
(`palier mail verify`, and the tests after every way in):

- every row keeps its raw bytes (their sha256, their size and the content key they are
  stored under match);
- every row has exactly one ending: a new ticket, a message on a ticket, a request kept on a
  refused ticket, a quarantine entry with a known reason and its text, or a record of machine
  mail — and a record only when the bytes prove it: an automatic reply by its headers, a
  delivery report naming a mail the desk sent, our own mail by its Message-ID;
- no ticket was opened by two messages; a record on a ticket is noted on that ticket.

A row still `stored` is a violation unless the caller allows it (processing under way).
"""

from __future__ import annotations

import email
import hashlib
from collections import Counter

from palier.mailgateway.autoreply import auto_reply_evidence, receipt_evidence
from palier.mailgateway.identity import content_key, header_value, message_ids
from palier.mailgateway.models import (
    OutboundMessage,
    Outcome,
    QuarantineReason,
    RawMessage,
    RawState,
)
from palier.mailgateway.parsing import POLICY
from palier.mailgateway.reports import DSN, read_report
from palier.tickets.models import Message, Ticket, TicketEvent

_NOTED = {Outcome.AUTO_REPLY: "mail_auto_reply", Outcome.BOUNCE: "mail_bounced"}


def _bytes_problems(row: RawMessage, raw: bytes) -> list[str]:
    problems = []
    if not raw or len(raw) != row.size or hashlib.sha256(raw).hexdigest() != row.sha256:
        problems.append("raw bytes missing or changed")
    if row.dedup_key.split(":", 1)[0] != content_key(raw):
        problems.append("stored under another content key")
    return problems


def _ours(message_id: str) -> bool:
    return bool(message_id) and OutboundMessage.objects.filter(message_id=message_id).exists()


def _record_problem(row: RawMessage, raw: bytes) -> str:
    """Why this record of machine mail is not proven by its bytes ("" when it is)."""
    if row.outcome == Outcome.AUTO_REPLY:
        if row.released_by_id:
            return "released by staff, yet kept as an automatic reply"
        if not (
            auto_reply_evidence(lambda name: header_value(raw, name))
            or receipt_evidence(read_report(email.message_from_bytes(raw, policy=POLICY)))
        ):
            return "kept as an automatic reply without a header saying so"
        return ""
    if row.outcome == Outcome.BOUNCE:
        report = read_report(email.message_from_bytes(raw, policy=POLICY))
        if report is None or report.kind != DSN or not _ours(report.original_message_id):
            return "kept as a bounce without naming a mail the desk sent"
        return ""
    ids = message_ids(header_value(raw, "Message-ID"))
    if not (ids and _ours(ids[0])):
        return "kept as our own mail without one of our Message-IDs"
    return ""


def row_problems(row: RawMessage, *, allow_stored: bool = False) -> list[str]:
    try:
        raw = row.raw
    except RawMessage.stored.RelatedObjectDoesNotExist:
        return ["raw bytes missing"]
    problems = _bytes_problems(row, raw)
    if row.state == RawState.STORED:
        if not allow_stored:
            problems.append("still stored, not processed")
    elif row.state == RawState.QUARANTINED:
        if row.error_code not in QuarantineReason.values or not row.error.strip():
            problems.append(f"quarantined without a known reason ({row.error_code!r})")
        if row.outcome:
            problems.append("quarantined with an outcome")
    elif row.outcome in (Outcome.NEW_TICKET, Outcome.REFUSED):
        if row.ticket_id is None:
            problems.append(f"{row.outcome} without a ticket")
    elif row.outcome == Outcome.REPLY:
        if row.ticket_message_id is None or row.ticket_id is None:
            problems.append("reply without its message")
    elif row.outcome in (Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.DROPPED_OWN):
        problem = _record_problem(row, raw)
        if problem:
            problems.append(problem)
    else:
        problems.append(f"processed without an ending ({row.outcome!r})")
    if row.files_done < row.files_total and not allow_stored:
        problems.append(f"{row.files_total - row.files_done} of its files not attached yet")
    return problems


def violations(*, allow_stored: bool = False, batch: int = 200) -> list[tuple[int, str]]:
    """(row id, problem) for every row of the inbound table that breaks the invariant."""
    found: list[tuple[int, str]] = []
    opened: Counter[int] = Counter()
    replies: dict[int, int] = {}
    noted: list[tuple[int, int, str]] = []
    rows = RawMessage.objects.select_related("stored").order_by("id")
    for row in rows.iterator(chunk_size=batch):
        found += [(row.pk, problem) for problem in row_problems(row, allow_stored=allow_stored)]
        if row.state != RawState.PROCESSED:
            continue
        if row.outcome == Outcome.NEW_TICKET:
            opened[row.ticket_id] += 1
        elif row.outcome == Outcome.REPLY and row.ticket_message_id:
            replies[row.pk] = row.ticket_message_id
        if row.outcome in _NOTED and row.ticket_id:
            noted.append((row.pk, row.ticket_id, _NOTED[row.outcome]))
    found += _ticket_problems(opened, replies, noted)
    return found


def _ticket_problems(
    opened: Counter[int], replies: dict[int, int], noted: list[tuple[int, int, str]]
) -> list[tuple[int, str]]:
    found = []
    existing = set(Ticket.objects.filter(pk__in=list(opened)).values_list("pk", flat=True))
    for ticket_id, count in opened.items():
        if ticket_id not in existing:
            found.append((0, f"ticket {ticket_id} opened by mail is gone"))
        if count > 1:
            found.append((0, f"ticket {ticket_id} opened by {count} messages"))
    messages = dict(Message.objects.filter(pk__in=replies.values()).values_list("pk", "ticket_id"))
    found += [(pk, "its message is gone") for pk, mid in replies.items() if mid not in messages]
    events = {
        (event.data.get("raw_message_id"), event.ticket_id, event.kind)
        for event in TicketEvent.objects.filter(
            ticket_id__in={t for _pk, t, _k in noted}, kind__in=set(_NOTED.values())
        ).only("data", "ticket_id", "kind")
    }
    found += [
        (pk, "record not noted on its ticket") for pk, t, k in noted if (pk, t, k) not in events
    ]
    return found
