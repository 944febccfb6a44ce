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

import datetime as dt
import functools
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import BinaryIO

from palier.imports.files import LINE_END, UnreadableFile
from palier.imports.past.dates import bad_date, parse_instant
from palier.imports.past.model import PastComment, PastTicket, ReadProblem
from palier.lib.words import words as _  # said again in each reader's language

# How much a ZIP of export pages may unpack to, in all.
ZIP_LIMIT = 256 * 1024 * 1024

STATUSES = {
    "new": "new", "open": "in_progress", "pending": "waiting_customer", "hold": "in_progress",
    "solved": "resolved", "closed": "closed",
}  # fmt: skip
PRIORITIES = {"urgent": "critical", "high": "high", "normal": "medium", "low": "low"}
COLUMNS = {"key": "id", "customer": "organization_id", "contact": "requester_id"}
CHANNELS = {"email": "email", "web": "portal", "api": "api", "voice": "phone", "mobile": "portal"}


def _documents(name: str, data: bytes) -> Iterator[tuple[str, int, dict, Callable[[int], int]]]:
    """Each JSON object of a file: the whole file (a page), or each line (NDJSON), with the
    line it starts on and a function that gives the line its n-th ticket starts on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("%(file)s is not UTF-8 text, as Zendesk writes its exports: is it a Zendesk export?")
            % {"file": name}
        ) from exc
    stripped = text.lstrip()
    if not stripped:
        return
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        if not _one_per_line(stripped):  # one document (a page, pretty-printed): where it broke
            line, column = _place(text, exc.pos)
            raise _not_json(name, line, column) from exc
        whole = None
    except RecursionError:  # nested too deep: read line by line
        whole = None
    if isinstance(whole, dict):
        lines = functools.cache(lambda: _item_lines(text, "tickets"))
        yield name, 1, whole, lambda index: _nth(lines(), index, 1)
        return
    if isinstance(whole, list):
        lines = _item_lines(text, None)
        for index, item in enumerate(whole):
            if isinstance(item, dict):
                line = _nth(lines, index, index + 1)  # its rank, were its line unknown
                doc = {"tickets": [item]} if "subject" in item else item
                yield name, line, doc, lambda _index, line=line: line
        return
    for number, line in enumerate(LINE_END.split(text), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _not_json(name, number, exc.colno) from exc
        except RecursionError as exc:
            raise UnreadableFile(
                _("%(file)s, line %(line)s: its JSON is nested too deeply.")
                % {"file": name, "line": number}
            ) from exc
        if isinstance(item, dict):
            doc = {"tickets": [item]} if "subject" in item else item
            yield name, number, doc, lambda _index, number=number: number


def _nth(lines: list[int], index: int, default: int) -> int:
    return lines[index] if index < len(lines) else default


def _item_lines(text: str, key: str | None) -> list[int]:
    """The line each item of a list starts on: the document's own list (`key` None), or
    the list its top-level object holds under `key` (read again, json keeps no places).
    [] when the document has no such list."""
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        return _SPACE.match(text, i).end()  # type: ignore[union-attr]

    i = skip(0)
    if key is not None:
        if text[i : i + 1] != "{":
            return []
        i = skip(i + 1)
        while text[i : i + 1] == '"':
            name, i = decoder.raw_decode(text, i)
            i = skip(skip(i) + 1)  # the colon
            if name == key:
                break
            _value, i = decoder.raw_decode(text, i)
            i = skip(i)
            i = skip(i + 1) if text[i : i + 1] == "," else i
        else:
            return []
    if text[i : i + 1] != "[":
        return []
    starts = []
    i = skip(i + 1)
    while text[i : i + 1] not in ("]", ""):
        starts.append(i)
        _item, i = decoder.raw_decode(text, i)
        i = skip(i)
        i = skip(i + 1) if text[i : i + 1] == "," else i
    lines, line, before = [], 1, 0
    for start in starts:
        line += len(LINE_END.findall(text, before, start))
        lines.append(line)
        before = start
    return lines


_SPACE = re.compile(r"[ \t\n\r]*")


def _one_per_line(text: str) -> bool:
    """Whether a file that is not one JSON document is one a line (NDJSON): its first line
    is a document of its own, where a pretty-printed page's first line ("{") is not."""
    try:
        json.loads(LINE_END.split(text, maxsplit=1)[0])
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _place(text: str, position: int) -> tuple[int, int]:
    """The line and column of a character, counted as an editor does (CR, LF or CRLF end a
    line; json's own count knows LF alone)."""
    line, start = 1, 0
    for end in LINE_END.finditer(text, 0, position):
        line, start = line + 1, end.end()
    return line, position - start + 1


def _not_json(name: str, line: int, column: int) -> UnreadableFile:
    # json's own words are English: its place alone
    return UnreadableFile(
        _("%(file)s, line %(line)s, column %(column)s: this is not valid JSON.")
        % {"file": name, "line": line, "column": column}
    )


def _files(sources: list[tuple[str, BinaryIO]]) -> Iterator[tuple[str, bytes]]:
    for name, binary in sources:
        data = binary.read()
        binary.seek(0)
        if data.startswith(b"PK\x03\x04"):
            yield from _members(data)
        else:
            yield name, data


def _members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The JSON files of a ZIP, read up to ZIP_LIMIT bytes in all (a small ZIP can unpack
    to gigabytes)."""
    too_large = UnreadableFile(
        _(
            "The ZIP file unpacks to more than %(size)s MB: unpack it and give its pages to "
            "the palier import command."
        )
        % {"size": ZIP_LIMIT // (1024 * 1024)}
    )
    left = ZIP_LIMIT
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for member in sorted(archive.namelist()):
            if not member.lower().endswith((".json", ".jsonl", ".ndjson")):
                continue
            with archive.open(member) as stream:
                content = stream.read(left + 1)
            if len(content) > left:
                raise too_large
            left -= len(content)
            yield member, content
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise UnreadableFile(_("The ZIP file cannot be read.")) from exc


def _id(value: object) -> int | str | None:
    """An id as Zendesk writes them (a number); anything else matches nothing."""
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _objects(doc: dict, key: str, where: dict, problems: list[ReadProblem]) -> list[dict]:
    """The objects of a document's list `key`; what is not one is noted, not followed."""
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(ReadProblem(where["line"], "", _(
            "%(file)s: “%(key)s” is not a list as in Zendesk's exports; it is left out."
        ) % {**where, "key": key}))  # fmt: skip
        return []
    found = [item for item in value if isinstance(item, dict)]
    if len(found) < len(value):
        problems.append(ReadProblem(where["line"], "", _(
            "%(file)s: %(count)s items of “%(key)s” are not JSON objects; they are left out."
        ) % {**where, "key": key, "count": len(value) - len(found)}))  # fmt: skip
    return found


def read_zendesk(sources: list[tuple[str, BinaryIO]]) -> Iterator[PastTicket | ReadProblem]:
    users: dict[int, dict] = {}
    organizations: dict[int, dict] = {}
    comments: dict[int, list[dict]] = defaultdict(list)
    privacy: list[tuple[str, dict]] = []  # (when, CommentPrivacyChange event)
    found_tickets = False
    problems: list[ReadProblem] = []
    newest: dict[int | str, tuple[dt.datetime | None, tuple]] = {}
    for name, data in _files(sources):
        for file_name, line, doc, _ticket_line in _documents(name, data):
            where = {"file": file_name, "line": line}
            for user in _objects(doc, "users", where, problems):
                if (user_id := _id(user.get("id"))) is not None:
                    users[user_id] = user
            for org in _objects(doc, "organizations", where, problems):
                if (org_id := _id(org.get("id"))) is not None:
                    organizations[org_id] = org
            for event in _objects(doc, "ticket_events", where, problems):
                for child in _objects(event, "child_events", where, problems):
                    kind = str(child.get("event_type", child.get("type")))
                    if kind.endswith("Comment"):
                        comments[_id(event.get("ticket_id"))].append(
                            {"created_at": event.get("created_at"), **child}
                        )
                    elif kind == "CommentPrivacyChange":
                        privacy.append((str(event.get("created_at")), child))
            for index, ticket in enumerate(_objects(doc, "tickets", where, [])):
                _keep_newest(newest, ticket, (file_name, line, index))
            found_tickets = found_tickets or bool(doc.get("tickets"))
    if not found_tickets:
        raise UnreadableFile(_("No Zendesk tickets in this file: is it a Zendesk JSON export?"))
    _apply_privacy_changes(comments, privacy)
    yield from problems
    problems.clear()
    for name, data in _files(sources):
        for file_name, line, doc, ticket_line in _documents(name, data):
            where = {"file": file_name, "line": line}
            for index, ticket in enumerate(_objects(doc, "tickets", where, problems)):
                ticket_id = _id(ticket.get("id"))
                if ticket_id is not None and newest[ticket_id][1] != (file_name, line, index):
                    continue  # an older copy: the cursor export repeats an updated ticket
                yield _ticket(ticket, ticket_line(index), file_name, users, organizations, comments)
            yield from problems
            problems.clear()


def _apply_privacy_changes(comments: dict[int, list[dict]], changes: list) -> None:
    """A comment of the events export carries the flag it was written with; an agent who
    later made it private (a CommentPrivacyChange event naming its id) made it internal, and
    it must not reach the customer as public. The last change of a comment wins; a comment
    whose id cannot be read keeps its own flag."""
    latest: dict[int, object] = {}
    for _when, change in sorted(changes, key=lambda item: item[0]):
        comment_id = _id(change.get("comment_id"))
        if comment_id is not None:
            latest[comment_id] = change.get("public")
    if not latest:
        return
    for found in comments.values():
        for comment in found:
            comment_id = _id(comment.get("id"))
            if comment_id in latest:
                comment["public"] = latest[comment_id]


def _kind(comment: dict) -> object:
    """A comment's kind as Zendesk names it ("Comment", "VoiceComment", ...)."""
    return comment.get("event_type", comment.get("type")) or "Comment"


def _channel_note(kind: object, body: str) -> str:
    """Another channel's comment (FacebookComment, TwitterComment, ...): its text, after the
    kind it had in Zendesk."""
    named = _("Zendesk channel: %(kind)s") % {"kind": str(kind)[:40]}
    return f"{named}\n\n{body}" if body.strip() else str(named)


def _call_note(comment: dict, body: str) -> str:
    """A Zendesk call (VoiceComment) as a phone note: its text, who called whom, how long,
    the transcription and the recording's address, as far as the export has them."""
    data = comment.get("data") if isinstance(comment.get("data"), dict) else {}
    lines = [body.strip()] if body.strip() else [str(_("Phone call"))]
    # Each fact a whole sentence to translate: the separator is the language's (French
    # puts a space before the colon).
    facts = (
        (_("Caller: %(value)s"), comment.get("formatted_from") or data.get("from")),
        (_("Called number: %(value)s"), comment.get("formatted_to") or data.get("to")),
        (_("Duration (seconds): %(value)s"), data.get("call_duration")),
        (_("Recording: %(value)s"), data.get("recording_url")),
    )
    # Every fact is written, even when the body seems to say it already: "5" for a
    # duration is found in most bodies, and a fact left out is a fact lost.
    for fact, value in facts:
        if value not in (None, ""):
            lines.append(str(fact % {"value": value}))
    transcription = str(data.get("transcription_text") or "").strip()
    if transcription and transcription != body.strip():
        lines += ["", str(_("Transcription:")), transcription]
    return "\n".join(lines)


def _keep_newest(newest: dict, ticket: dict, place: tuple) -> None:
    """Remember where the newest copy of a ticket is (by updated_at; the later page when
    equal or unreadable)."""
    ticket_id = _id(ticket.get("id"))
    if ticket_id is None:
        return
    try:
        updated = parse_instant(str(ticket.get("updated_at") or ""))
    except ValueError:
        updated = None
    before = newest.get(ticket_id)
    if before is None or before[0] is None or updated is None or updated >= before[0]:
        newest[ticket_id] = (updated, place)


def _ticket(raw: dict, line: int, file_name: str, users, organizations, comments) -> PastTicket:
    requester = users.get(_id(raw.get("requester_id"))) or {}
    assignee = users.get(_id(raw.get("assignee_id"))) or {}
    organization = organizations.get(_id(raw.get("organization_id"))) or {}
    via = raw.get("via")
    channel = via.get("channel") if isinstance(via, dict) else via  # a page may flatten it
    status = str(raw.get("status") or "")
    ticket = PastTicket(
        key=str(_id(raw.get("id")) or ""),
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
        channel=CHANNELS.get(str(channel or ""), "email"),
        columns=COLUMNS,
        file=file_name,
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
    found = embedded if isinstance(embedded, list) else comments.get(_id(raw.get("id")), [])
    if not all(isinstance(c, dict) for c in found):
        ticket.problems.append(("comments", _("Some of its comments are not JSON objects.")))
        found = [c for c in found if isinstance(c, dict)]
    found = sorted(found, key=lambda c: str(c.get("created_at")))
    if found and not (found[0].get("public") is True and _kind(found[0]) == "Comment"):
        # Zendesk's description is the text of the first comment, whatever it was: a ticket
        # opened with an internal note or a call has that as its description. The customer
        # reads the description, so it stays empty; the note or call comes in internal.
        ticket.description = ""
    for number, comment in enumerate(found, 1):
        try:
            when = parse_instant(str(comment.get("created_at") or "")) or ticket.created_at
        except ValueError as exc:
            unread = _("Comment %(number)s has no readable date.") % {"number": number}
            ticket.problems.append(("comments", bad_date(exc, unread)))
            continue
        body = str(comment.get("plain_body") or comment.get("body") or "")
        kind = _kind(comment)
        voice = kind == "VoiceComment"
        said = None
        if voice:
            said = functools.partial(_call_note, comment, body)
        elif kind != "Comment":
            said = functools.partial(_channel_note, kind, body)
        elif number == 1 and body.strip() == ticket.description.strip():
            continue  # Zendesk's first comment is the ticket's description
        author = users.get(_id(comment.get("author_id"))) or {}
        ticket.comments.append(
            PastComment(
                created_at=when,
                body=said() if said else body,
                said=said,
                author_email=str(author.get("email") or ""),
                author_name=str(author.get("name") or ""),
                author_ref=str(comment.get("author_id") or ""),
                # Only JSON true is public: "false", 1 or a missing flag must never show a note.
                # A call's note and transcription stay internal, whatever its flag.
                public=comment.get("public") is True and not voice,
                from_requester=comment.get("author_id") == raw.get("requester_id"),
                channel="phone" if voice else "",
                activity="phone_call" if voice else "message",
            )
        )
    return ticket
