"""The generic CSV of past tickets (docs/moving-in.md): one row per message.

Columns: key, created_at, subject, description, customer, contact_email, type, status,
priority, channel, assignee, resolved_at, message_date, message_author,
message_author_email, message, message_internal. The first row of a ticket carries its
fields; each row with a message adds it. The rows of one ticket follow each other.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from palier.imports.files import CELL_LIMIT, UnreadableFile, csv_records, csv_refusal, not_text
from palier.imports.past.dates import bad_date, parse_instant
from palier.imports.past.model import PastComment, PastTicket, ReadProblem
from palier.imports.past.streams import open_text
from palier.imports.values import CellError, boolean
from palier.lib.words import words as _  # said again in each reader's language

COLUMNS = (
    "key", "created_at", "subject", "description", "customer", "contact_email", "type",
    "status", "priority", "channel", "assignee", "resolved_at", "message_date",
    "message_author", "message_author_email", "message", "message_internal",
)  # fmt: skip
REQUIRED = ("key", "created_at", "subject", "customer")
STATUSES = ("new", "in_progress", "waiting_customer", "resolved", "closed")
PRIORITIES = ("low", "medium", "high", "critical")
CHANNELS = ("portal", "email", "phone", "api")


def read_generic(binary: BinaryIO) -> Iterator[PastTicket | ReadProblem]:
    text, _encoding = open_text(binary)
    csv.field_size_limit(CELL_LIMIT)
    try:
        head = text.readline()
    except UnicodeDecodeError as exc:  # bytes Windows-1252 leaves undefined: no text
        raise not_text() from exc
    delimiter = delimiter_of(head)
    try:
        headers = [h.strip().lower() for h in next(csv.reader([head], delimiter=delimiter), [])]
    except csv.Error as exc:
        raise csv_refusal(exc, 1) from exc
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise UnreadableFile(
            _("The columns %(columns)s are missing (docs/moving-in.md lists them).")
            % {"columns": ", ".join(missing)}
        )
    index = {name: headers.index(name) for name in COLUMNS if name in headers}
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    current: PastTicket | None = None
    seen: set[str] = set()
    line = 1
    try:
        for line, cells in csv_records(reader, offset=1):  # the header was read apart
            if not any(c.strip() for c in cells):
                continue
            row = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
            if current is None or row["key"] != current.key:
                if current is not None:
                    yield current
                if row["key"] in seen:
                    yield ReadProblem(
                        line,
                        "key",
                        _("The rows of %(key)s must follow each other.") % {"key": row["key"]},
                    )
                    current = None
                    continue
                seen.add(row["key"])
                current = _ticket(row, line)
            _message(current, row, line)
    except UnicodeDecodeError:
        yield ReadProblem(line, "", _("The file changes encoding here: save it as CSV UTF-8."))
        return
    if current is not None:
        yield current


def delimiter_of(head: str) -> str:
    """The separator, told by the header: semicolons if it has more of them than commas."""
    return ";" if head.count(";") > head.count(",") else ","


def _pick(ticket: PastTicket, row: dict, column: str, allowed: tuple, default: str) -> str:
    value = row.get(column, "").lower()
    if not value:
        return default
    if value not in allowed:
        ticket.problems.append((column, _("One of: %(values)s.") % {"values": ", ".join(allowed)}))
        return default
    return value


def _ticket(row: dict, line: int) -> PastTicket:
    ticket = PastTicket(
        key=row["key"],
        line=line,
        subject=row["subject"],
        created_at=None,  # type: ignore[arg-type]
        description=row.get("description", ""),
        type_value=row.get("type", ""),
        customer_ref=row["customer"],
        contact_email=row.get("contact_email", ""),
        assignee=row.get("assignee", ""),
        columns={"contact": "contact_email"},
    )
    ticket.status_value = row.get("status", "")
    ticket.status = _pick(ticket, row, "status", STATUSES, "closed")
    ticket.priority = _pick(ticket, row, "priority", PRIORITIES, "medium")
    ticket.channel = _pick(ticket, row, "channel", CHANNELS, "email")
    for column in REQUIRED:
        if not row.get(column):
            ticket.problems.append((column, _("This cell is empty.")))
    for column in ("created_at", "resolved_at"):
        try:
            setattr(ticket, column, parse_instant(row.get(column, "")))
        except ValueError as exc:
            message = _("“%(value)s” is not a date: write 2025-07-14 15:42.")
            ticket.problems.append((column, bad_date(exc, message % {"value": row[column][:40]})))
    return ticket


def _message(ticket: PastTicket, row: dict, line: int) -> None:
    body = row.get("message", "")
    if not body:
        return
    try:
        when = parse_instant(row.get("message_date", "")) or ticket.created_at
        # A message is public only when its row says so: an empty cell or a file without
        # the column must not show an internal note to the customer.
        flag = row.get("message_internal", "")
        internal = boolean(flag) if flag else True
    except (ValueError, CellError) as exc:
        unread = _("Line %(line)s: the message's date or internal flag cannot be read.")
        ticket.problems.append(("message_date", bad_date(exc, unread % {"line": line})))
        return
    email = row.get("message_author_email", "")
    ticket.comments.append(
        PastComment(
            created_at=when,
            body=body,
            author_email=email,
            author_name=row.get("message_author", ""),
            public=not internal,
            from_requester=bool(email) and email.lower() == ticket.contact_email.lower(),
        )
    )
