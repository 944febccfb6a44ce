"""Jira Service Management's CSV export of issues ("Export > CSV (all fields)").

One row per issue. Columns are named by their field ("Issue key", "Summary", "Created",
"Custom field (Request Type)", "Custom field (Organizations)"...); a field with several
values repeats its column, and each comment is a "Comment" column holding
"date;author;body", e.g. "14/Jul/25 3:42 PM;557058:f1a2...;The log is attached." The
date follows the exporting user's format, Jira's default being dd/MMM/yy h:mm a.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from palier.imports.files import CELL_LIMIT, UnreadableFile, csv_records, not_text
from palier.imports.past.dates import InstantOutOfRange, bad_date, parse_instant
from palier.imports.past.model import PastComment, PastTicket, ReadProblem
from palier.imports.past.streams import open_text
from palier.lib.words import words as _  # said again in each reader's language

REQUEST_TYPE_COLUMNS = (
    "Custom field (Request Type)",
    "Custom field (Customer Request Type)",
    "Request Type",
)
ORGANIZATION_COLUMNS = ("Custom field (Organizations)", "Organizations", "Organization")
DONE = {"done", "closed", "resolved", "cancelled", "canceled", "declined", "won't do"}
WAITING = {"waiting for customer", "pending", "waiting for reporter"}
STARTED = {"in progress", "waiting for support", "escalated", "work in progress", "in review"}
PRIORITIES = {
    "highest": "critical", "blocker": "critical", "critical": "high", "high": "high",
    "medium": "medium", "low": "low", "lowest": "low", "minor": "low", "trivial": "low",
}  # fmt: skip


def status_of(status: str, category: str) -> str:
    """The desk's status of a past issue: by Jira's status category when exported, else by
    the status's usual names; anything unknown counts as open (in progress)."""
    category, name = category.strip().lower(), status.strip().lower()
    if category == "done" or name in DONE:
        return "closed"
    if name in WAITING:
        return "waiting_customer"
    if category == "to do" or name in ("open", "to do", "new", "waiting for triage"):
        return "new"
    return "in_progress"


def read_jira(
    binary: BinaryIO, *, public_comments: bool = False
) -> Iterator[PastTicket | ReadProblem]:
    text, _encoding = open_text(binary)
    csv.field_size_limit(CELL_LIMIT)
    reader = csv.reader(text, strict=True)
    records = csv_records(reader)
    try:
        headers = [h.strip() for h in next(records)[1]]
    except UnicodeDecodeError as exc:  # bytes Windows-1252 leaves undefined: no text
        raise not_text() from exc
    except (StopIteration, UnreadableFile) as exc:
        raise UnreadableFile(_("This is not a Jira CSV export.")) from exc
    first = {}
    for index, name in enumerate(headers):
        first.setdefault(name, index)
    if "Issue key" not in first or "Summary" not in first or "Created" not in first:
        raise UnreadableFile(
            _("This is not a Jira CSV export: it needs the columns Issue key, Summary and Created.")
        )
    comment_columns = [i for i, name in enumerate(headers) if name == "Comment"]
    columns = {
        "key": "Issue key",
        "customer": next((c for c in ORGANIZATION_COLUMNS if c in first), ""),
        "contact": next(
            (c for c in ("Reporter Email", "Reporter email", "Reporter") if c in first), ""
        ),
    }

    def cell(cells: list[str], *names: str) -> str:
        for name in names:
            index = first.get(name)
            if index is not None and index < len(cells) and cells[index].strip():
                return cells[index].strip()
        return ""

    # Jira Cloud names a comment's author by account id; the same file names many people
    # beside their id (assignee, reporter, creator), which gives the comments their names.
    names: dict[str, str] = {}
    try:
        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            for person in ("Assignee", "Reporter", "Creator", "Project lead"):
                ref = cell(cells, f"{person} Id", f"{person} id")
                if ref and cell(cells, person):
                    names[ref] = cell(cells, person)
            ticket = _ticket(line, cells, cell, comment_columns, public_comments, names)
            ticket.columns = columns
            yield ticket
    except UnicodeDecodeError:
        yield ReadProblem(
            reader.line_num, "", _("The file changes encoding here: save it as CSV UTF-8.")
        )


def _ticket(line, cells, cell, comment_columns, public_comments, names) -> PastTicket:
    ticket = PastTicket(
        key=cell(cells, "Issue key"),
        line=line,
        subject=cell(cells, "Summary"),
        created_at=None,  # type: ignore[arg-type]
        description=cell(cells, "Description"),
        type_value=cell(cells, *REQUEST_TYPE_COLUMNS) or cell(cells, "Issue Type"),
        status_value=cell(cells, "Status"),
        priority=PRIORITIES.get(cell(cells, "Priority").lower(), "medium"),
        customer_ref=cell(cells, *ORGANIZATION_COLUMNS),
        contact_email=cell(cells, "Reporter Email", "Reporter email"),
        contact_name=cell(cells, "Reporter"),
        assignee=cell(cells, "Assignee"),
        channel="portal",
    )
    if "@" in ticket.contact_name and not ticket.contact_email:
        ticket.contact_email = ticket.contact_name
    ticket.status = status_of(ticket.status_value, cell(cells, "Status Category"))
    if not ticket.key:
        ticket.problems.append(("Issue key", _("This cell is empty.")))
    if not ticket.subject:
        ticket.problems.append(("Summary", _("This cell is empty.")))
    for column, attribute in (("Created", "created_at"), ("Updated", "updated_at"),
                              ("Resolved", "resolved_at")):  # fmt: skip
        try:
            setattr(ticket, attribute, parse_instant(cell(cells, column)))
        except ValueError as exc:
            ticket.problems.append((column, bad_date(exc, _bad_date(cell(cells, column)))))
    if ticket.created_at is None and not any(c == "Created" for c, _m in ticket.problems):
        ticket.problems.append(("Created", _("This cell is empty.")))
    reporter = {ticket.contact_name, cell(cells, "Reporter Id")} - {""}
    for number, index in enumerate(comment_columns, start=1):
        raw = cells[index] if index < len(cells) else ""
        if not raw.strip():
            continue
        parts = raw.split(";", 2)
        try:
            when = parse_instant(parts[0]) if len(parts) == 3 else None
        except InstantOutOfRange as exc:
            ticket.problems.append(("Comment", exc.message))
            continue
        except ValueError:
            when = None
        if when is None:
            ticket.problems.append(
                ("Comment", _("Comment %(number)s does not start with its date and author "
                              "(date;author;text).") % {"number": number})
            )  # fmt: skip
            continue
        author = parts[1].strip()
        ticket.comments.append(
            PastComment(
                created_at=when,
                body=parts[2],
                author_email=author if "@" in author else "",
                author_name="" if "@" in author else names.get(author, author),
                author_ref=author,
                public=public_comments,
                from_requester=author in reporter,
            )
        )
    return ticket


def _bad_date(raw: str) -> str:
    return _(
        "“%(value)s” is not a date Palier can read (e.g. 14/Jul/25 3:42 PM or 2025-07-14 15:42)."
    ) % {"value": raw[:40]}
