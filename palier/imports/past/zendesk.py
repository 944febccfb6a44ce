"""Zendesk's exports of tickets with their comments, in the shapes Zendesk writes them:

- the incremental export API's pages (GET /api/v2/incremental/tickets/cursor.json
  ?include=users,organizations): {"tickets": [...], "users": [...], "organizations": [...],
  "after_cursor": ..., "end_of_stream": ...}, with the comments from the ticket events
  export (GET /api/v2/incremental/ticket_events.json?include=comment_events):
  {"ticket_events": [{"ticket_id": ..., "child_events": [{"event_type": "Comment",
  "author_id": ..., "body": ..., "public": ..., "created_at": ...}]}]};
- the full JSON export (Admin Center > Reports > Export > JSON): one ticket per line, each
  with its "comments".

Several files (one per page) or a ZIP of them are read together: users, organizations and
comment events first, then the tickets.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from typing import BinaryIO

from palier.imports.files import UnreadableFile
from palier.imports.past.dates import bad_date, parse_instant
from palier.imports.past.model import PastComment, PastTicket, ReadProblem
from palier.lib.words import words as _  # said again in each reader's language

STATUSES = {
    "new": "new", "open": "in_progress", "pending": "waiting_customer", "hold": "in_progress",
    "solved": "resolved", "closed": "closed",
}  # fmt: skip
PRIORITIES = {"urgent": "critical", "high": "high", "normal": "medium", "low": "low"}
CHANNELS = {"email": "email", "web": "portal", "api": "api", "voice": "phone", "mobile": "portal"}


def _documents(name: str, data: bytes) -> Iterator[tuple[str, int, dict]]:
    """Each JSON object of a file: the whole file (a page), or each line (NDJSON)."""
    text = data.decode("utf-8-sig")
    stripped = text.lstrip()
    if not stripped:
        return
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        yield name, 1, whole
        return
    if isinstance(whole, list):
        for number, item in enumerate(whole, start=1):
            if isinstance(item, dict):
                yield name, number, {"tickets": [item]} if "subject" in item else item
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(
                _("%(file)s, line %(line)s: not JSON (%(error)s).")
                % {"file": name, "line": number, "error": exc.msg}
            ) from exc
        if isinstance(item, dict):
            yield name, number, {"tickets": [item]} if "subject" in item else item


def _files(sources: list[tuple[str, BinaryIO]]) -> Iterator[tuple[str, bytes]]:
    for name, binary in sources:
        data = binary.read()
        binary.seek(0)
        if data.startswith(b"PK\x03\x04"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                raise UnreadableFile(_("The ZIP file cannot be read.")) from exc
            for member in sorted(archive.namelist()):
                if member.lower().endswith((".json", ".jsonl", ".ndjson")):
                    yield member, archive.read(member)
        else:
            yield name, data


def read_zendesk(sources: list[tuple[str, BinaryIO]]) -> Iterator[PastTicket | ReadProblem]:
    users: dict[int, dict] = {}
    organizations: dict[int, dict] = {}
    comments: dict[int, list[dict]] = defaultdict(list)
    found_tickets = False
    for name, data in _files(sources):
        for _n, _line, doc in _documents(name, data):
            for user in doc.get("users") or []:
                users[user.get("id")] = user
            for org in doc.get("organizations") or []:
                organizations[org.get("id")] = org
            for event in doc.get("ticket_events") or []:
                for child in event.get("child_events") or []:
                    if child.get("event_type", child.get("type")) == "Comment":
                        comments[event.get("ticket_id")].append(
                            {"created_at": event.get("created_at"), **child}
                        )
            found_tickets = found_tickets or bool(doc.get("tickets"))
    if not found_tickets:
        raise UnreadableFile(_("No Zendesk tickets in this file: is it a Zendesk JSON export?"))
    for name, data in _files(sources):
        for file_name, line, doc in _documents(name, data):
            for ticket in doc.get("tickets") or []:
                yield _ticket(ticket, line, file_name, users, organizations, comments)


def _ticket(raw: dict, line: int, file_name: str, users, organizations, comments) -> PastTicket:
    requester = users.get(raw.get("requester_id")) or {}
    assignee = users.get(raw.get("assignee_id")) or {}
    organization = organizations.get(raw.get("organization_id")) or {}
    status = str(raw.get("status") or "")
    ticket = PastTicket(
        key=str(raw.get("id") or ""),
        line=line,
        subject=str(raw.get("subject") or raw.get("raw_subject") or "").strip(),
        created_at=None,  # type: ignore[arg-type]
        description=str(raw.get("description") or ""),
        type_value=str(raw.get("type") or ""),
        status_value=status,
        status=STATUSES.get(status, "in_progress"),
        priority=PRIORITIES.get(str(raw.get("priority") or ""), "medium"),
        customer_ref=str(organization.get("external_id") or organization.get("name") or ""),
        contact_email=str(requester.get("email") or ""),
        contact_name=str(requester.get("name") or ""),
        assignee=str(assignee.get("email") or assignee.get("name") or ""),
        channel=CHANNELS.get(str((raw.get("via") or {}).get("channel") or ""), "email"),
    )
    if not ticket.key:
        ticket.problems.append(("id", _("This ticket has no id.")))
    if not ticket.subject:
        ticket.problems.append(("subject", _("This cell is empty.")))
    for field, attribute in (("created_at", "created_at"), ("updated_at", "updated_at")):
        try:
            setattr(ticket, attribute, parse_instant(str(raw.get(field) or "")))
        except ValueError as exc:
            message = _("Not a date: %(value)s") % {"value": str(raw.get(field))[:40]}
            ticket.problems.append((field, bad_date(exc, message)))
    if ticket.created_at is None and not ticket.problems:
        ticket.problems.append(("created_at", _("This cell is empty.")))
    if ticket.status in ("resolved", "closed"):
        ticket.resolved_at = ticket.updated_at
    embedded = raw.get("comments")
    found = embedded if isinstance(embedded, list) else comments.get(raw.get("id"), [])
    for number, comment in enumerate(sorted(found, key=lambda c: str(c.get("created_at"))), 1):
        try:
            when = parse_instant(str(comment.get("created_at") or "")) or ticket.created_at
        except ValueError as exc:
            unread = _("Comment %(number)s has no readable date.") % {"number": number}
            ticket.problems.append(("comments", bad_date(exc, unread)))
            continue
        body = str(comment.get("plain_body") or comment.get("body") or "")
        if number == 1 and body.strip() == ticket.description.strip():
            continue  # Zendesk's first comment is the ticket's description
        author = users.get(comment.get("author_id")) or {}
        ticket.comments.append(
            PastComment(
                created_at=when,
                body=body,
                author_email=str(author.get("email") or ""),
                author_name=str(author.get("name") or ""),
                author_ref=str(comment.get("author_id") or ""),
                # Only JSON true is public: "false", 1 or a missing flag must never show a note.
                public=comment.get("public") is True,
                from_requester=comment.get("author_id") == raw.get("requester_id"),
            )
        )
    return ticket
