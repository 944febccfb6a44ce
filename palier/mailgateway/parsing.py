"""Turn raw mail bytes into what the desk needs, as mail really arrives: wrong charsets,
raw UTF-8 headers (RFC 6532), encoded words, RFC 2231 file names, HTML-only bodies,
winmail.dat, forwarded mail (message/rfc822: its headers and text for staff, its bytes as an
.eml file), thousands of parts.

Pure: no database. The MIME tree is read with the `compat32` policy (its header access is
string work; `email.policy.default` parses every header through the header registry each time
it is read, which made a 5,000-part message take a minute); the few headers that need it are
decoded with the registry once. Every text of the result passes through `identity.storable`
(no NUL, no lone surrogate), so whatever a mail holds, its parsed fields can be stored.
Limits keep one message from costing more than a message should: at most `MAX_FILES` files,
a time budget for the walk, text cut for the desk — each with a note for staff; the raw bytes
keep everything.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import html
import os
import quopri
import re
import time
from dataclasses import dataclass, field, fields
from email.message import Message

import nh3

from palier.mailgateway.autoreply import (
    auto_reply_evidence,
    machine_sent,
    receipt_evidence,
    suspected_auto_reply,
)
from palier.mailgateway.identity import message_ids, storable
from palier.mailgateway.reports import MDN, Report, read_report

MAX_FILES = 200
FILENAME_CHARS = 200
PARSE_SECONDS = 10.0
FULL_TEXT_CHARS = 1_000_000  # the whole text kept for staff beside the raw
_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</?(p|div|br|tr|li|h\d|blockquote)[^>]*>", re.IGNORECASE)
_SPACES_RE = re.compile(r"\n\s*\n\s*\n+")
_SURROGATES_RE = re.compile(r"[\udc80-\udcff]+")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
# Text parts that are documents of their own, not words to read: kept as files.
_TEXT_AS_FILE = frozenset({"text/html", "text/calendar", "text/vcard", "text/x-vcard"})
_REPORT_FIELDS = frozenset({"message/delivery-status", "message/disposition-notification"})


class UnparseableMail(Exception):
    """The bytes are not a mail we can read; the raw stays in the quarantine."""


def _undo_surrogates(match: re.Match) -> str:
    data = match.group().encode("ascii", "surrogateescape")
    for charset in _FALLBACK_CHARSETS:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # pragma: no cover - latin-1 decodes every byte


def decode_8bit(value: str) -> str:
    """Raw 8-bit header bytes (kept as surrogates by the parser) read as UTF-8 (RFC 6532),
    else as the Windows and Latin-1 charsets old mailers used."""
    return _SURROGATES_RE.sub(_undo_surrogates, value)


class _Policy(email.policy.Compat32):
    """compat32's speed, with raw UTF-8 header values decoded when the header is read in."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        # Control characters in a header (a NUL in a display name) are no part of its words.
        return name, storable(decode_8bit(value)).replace("\r\n", "\n").replace("\r", "")


POLICY = _Policy()
_REGISTRY = email.policy.default


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""
    # A forwarded mail's file: the files found in it, and whether some of its parts were not
    # read (too deep, past the file cap or the time budget). Its bytes hold them all.
    holds: list[ParsedAttachment] = field(default_factory=list, repr=False)
    unread: bool = False
    # A forward whose name would show nothing: stored under a name in the contact's language
    # (attachments.name_for), FORWARD_FILENAME until then.
    unnamed_forward: bool = False

    def __post_init__(self) -> None:
        self.filename = shorten_filename(storable(self.filename).replace("/", "_"))
        self.content_type = storable(self.content_type, 120)
        self.content_id = storable(self.content_id, 250)


@dataclass
class Note:
    """Something staff should know about how the mail was read (a limit was reached)."""

    code: str  # files_capped, parse_budget, text_cut
    data: dict = field(default_factory=dict)


@dataclass
class Forwarded:
    """A mail attached as a message/rfc822 part: what staff read of it (its file is among
    the attachments)."""

    sender: str  # the From header as written, encoded words decoded
    date: str
    subject: str
    text: str  # its text parts, or its HTML's text

    def __post_init__(self) -> None:
        for spec in fields(self):
            setattr(self, spec.name, storable(getattr(self, spec.name)))


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the bare address, lower-cased; "" when it is missing or ambiguous
    sender_name: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str  # the text/plain parts (or the HTML's text): what a person wrote and quoted
    html: str  # sanitized
    attachments: list[ParsedAttachment] = field(default_factory=list)
    other_texts: list[str] = field(default_factory=list)  # text/x-log, text/csv …: shown whole
    forwarded: list[Forwarded] = field(default_factory=list)  # mails attached as message/rfc822
    machine_sent: bool = False  # a program sent it: no automatic answer from us
    auto_reply: str = ""  # the header that identifies an automatic reply, or ""
    suspected_auto_reply: bool = False  # the subject reads like one (never decides alone)
    report: Report | None = None
    return_path_empty: bool = False
    language_hint: str = ""
    recipients: str = ""  # To, Cc, Delivered-To: a support+PAL-... tag names the ticket
    notes: list[Note] = field(default_factory=list)

    def __post_init__(self) -> None:
        # One gate for every text a mail puts into the database (PostgreSQL refuses NUL).
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, str):
                setattr(self, spec.name, storable(value))
            elif isinstance(value, list) and value and isinstance(value[0], str):
                setattr(self, spec.name, [storable(item) for item in value])

    @property
    def is_read_receipt(self) -> bool:
        return self.report is not None and self.report.kind == MDN

    @property
    def thread_ids(self) -> list[str]:
        """The Message-IDs that may name the thread, the read receipt's original included."""
        ids = self.in_reply_to + self.references
        if self.report is not None and self.report.original_message_id:
            ids.append(self.report.original_message_id)
        return ids


def shorten_filename(name: str, limit: int = FILENAME_CHARS) -> str:
    """At most `limit` characters, keeping the extension (the allow-list reads it)."""
    if len(name) <= limit:
        return name
    stem, extension = os.path.splitext(name)
    if not extension or len(extension) > 16:
        return name[:limit]
    return stem[: limit - len(extension)].rstrip(" .") + extension


def _header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else str(value)


def _words(name: str, value: str) -> str:
    """A header value with its encoded words decoded, on one line."""
    if "=?" in value:
        try:
            value = str(_REGISTRY.header_factory(name, value))
        except Exception:  # noqa: BLE001, S110 - a broken encoded word: the text as it came
            value = value
    return " ".join(value.split())


def _decoded(msg: Message, name: str) -> str:
    return _words(name, _header(msg, name) or "")


def strict_sender(msg: Message) -> tuple[str, str]:
    """The one sender address, or ("", name) when From is missing, has several addresses or
    parses with any defect (email.headerregistry): an address we cannot be sure of is not
    trusted. A display name in raw UTF-8 (RFC 6532) is a name like any other."""
    values = msg.get_all("From") or []
    if len(values) != 1:
        return "", ""
    try:
        header = _REGISTRY.header_factory("From", str(values[0]))
    except Exception:  # noqa: BLE001 - unreadable: not trusted
        return "", ""
    addresses = getattr(header, "addresses", None)
    if addresses is None or getattr(header, "defects", ()) or len(addresses) != 1:
        return "", ""
    name, addr = addresses[0].display_name or "", addresses[0].addr_spec or ""
    if not addr or addr.count("@") != 1 or any(ch in addr for ch in ' <>,;"\r\n'):
        return "", name
    local, domain = addr.rsplit("@", 1)
    if not local or "." not in domain:
        return "", name
    return addr.lower(), name


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        payload = str(payload).encode("utf-8", "surrogateescape")
    declared = part.get_content_charset() or ""
    for charset in (declared, *_FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")  # pragma: no cover - latin-1 decodes all


def sanitize_html(value: str) -> str:
    """Only harmless markup; remote images and links' scripts are gone."""
    return nh3.clean(
        value,
        tags={
            "p",
            "br",
            "div",
            "span",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "ul",
            "ol",
            "li",
            "blockquote",
            "pre",
            "code",
            "table",
            "thead",
            "tbody",
            "tr",
            "td",
            "th",
            "a",
            "h1",
            "h2",
            "h3",
            "h4",
            "hr",
        },
        attributes={"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    text = _BLOCK_RE.sub("\n", value)
    text = html.unescape(_TAG_RE.sub("", text))
    return _SPACES_RE.sub("\n\n", text).strip()


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a malformed RFC 2231 parameter: no name, keep the bytes
        name = ""
    name = str(name)
    if "=?" in name:  # an encoded word where RFC 2231 belongs (Outlook, Apple Mail)
        name = _words("X-Filename", name)
    return decode_8bit(name).replace("/", "_").replace("\\", "_").strip()


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _tnef_attachments(data: bytes) -> list[ParsedAttachment]:
    """The files inside an Outlook winmail.dat, or nothing when it cannot be decoded."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data, do_checksum=False)
        return [
            ParsedAttachment(
                filename=_text(a.long_filename() or a.name or "attachment").replace("/", "_"),
                content_type="application/octet-stream",
                data=a.data,
            )
            for a in tnef.attachments
        ]
    except Exception:  # noqa: BLE001 - undecodable TNEF is kept as the winmail.dat file itself
        return []


@dataclass
class _Walk:
    texts: list[str] = field(default_factory=list)
    other_texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    files: list[ParsedAttachment] = field(default_factory=list)
    forwarded: list[Forwarded] = field(default_factory=list)
    files_seen: int = 0
    parts_left: int = 0
    max_files: int = MAX_FILES
    unread: bool = False  # a forwarded mail too deep to read


def _is_text(ctype: str, disposition: str, name: str) -> bool:
    """Words to show in the ticket: any text/* part that is neither a named file nor a
    document of its own (text/x-log, text/x-diff and the like are text too)."""
    return (
        ctype.startswith("text/")
        and ctype not in _TEXT_AS_FILE
        and disposition != "attachment"
        and not name
    )


def _add_file(walk: _Walk, part: Message, ctype: str, disposition: str, name: str) -> None:
    data = part.get_payload(decode=True) or b""
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", "surrogateescape")
    if name.lower() == "winmail.dat" or ctype == "application/ms-tnef":
        decoded = _tnef_attachments(data)
        if decoded:
            walk.files_seen += len(decoded)
            walk.files.extend(decoded[: max(0, walk.max_files - len(walk.files))])
            return
    walk.files_seen += 1
    if len(walk.files) >= walk.max_files:
        return  # counted for the staff note; the raw keeps it
    cid = str(part.get("Content-ID") or "").strip().strip("<>")
    walk.files.append(
        ParsedAttachment(
            filename=name or f"part-{walk.files_seen}",
            content_type=ctype,
            data=data,
            inline=disposition == "inline" or bool(cid and not name),
            content_id=cid,
        )
    )


def _leaves(msg: Message) -> list[Message]:
    """The parts with a body, in order; a report's machine fields are not among them. An
    attached mail (message/rfc822) is one leaf: `_forward` reads it."""
    leaves, stack = [], [msg]
    while stack:
        part = stack.pop()
        if part.get_content_type() in _REPORT_FIELDS:
            continue
        if part is not msg and _attached_mail(part) is not None:
            leaves.append(part)
        elif part.is_multipart():
            stack.extend(reversed([p for p in part.get_payload() if isinstance(p, Message)]))
        else:
            leaves.append(part)
    return leaves


def _attached_mail(part: Message) -> Message | None:
    """The mail a message/rfc822 part holds, or None."""
    if part.get_content_type() != "message/rfc822" or not part.is_multipart():
        return None
    payload = part.get_payload()
    return payload[0] if payload and isinstance(payload[0], Message) else None


def _head_end(data: bytes) -> int:
    """Where an entity's body starts (after its headers and the empty line)."""
    if data.startswith((b"\r\n", b"\n")):
        return 2 if data.startswith(b"\r\n") else 1
    found = re.search(rb"\r?\n\r?\n", data)
    return found.end() if found else len(data)


def _body_bytes(data: bytes, msg: Message, target: Message) -> bytes | None:
    """The bytes of `target`'s body as they stand in `data`, the entity `msg` was read from;
    None when they cannot be found (a part the parser repaired)."""
    body = data[_head_end(data) :]
    if msg is target:
        return body
    inner = _attached_mail(msg)
    if inner is not None:
        return _body_bytes(body, inner, target)
    boundary = msg.get_boundary() if msg.is_multipart() else None
    if not boundary:
        return None
    delimiter = re.escape(boundary.encode("utf-8", "surrogateescape"))
    pieces = re.split(rb"(?:^|\r?\n)--" + delimiter + rb"(?:--)?[ \t]*(?=\r?\n|$)", body)
    subparts = [p for p in msg.get_payload() if isinstance(p, Message)]
    for sub, piece in zip(subparts, pieces[1:], strict=False):
        if any(part is target for part in sub.walk()):
            return _body_bytes(piece.removeprefix(b"\r\n").removeprefix(b"\n"), sub, target)
    return None


def _mail_bytes(raw: bytes, root: Message, part: Message, inner: Message) -> bytes:
    """The attached mail's bytes: as they came (RFC 2046 allows only 7bit, 8bit and binary
    for message/rfc822; an encoded one is decoded), else as the parser read them."""
    found = _body_bytes(raw, root, part)
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    try:
        if found is not None and encoding == "base64":
            return base64.b64decode(found)
        if found is not None and encoding == "quoted-printable":
            return quopri.decodestring(found)
    except (binascii.Error, ValueError):
        found = None
    if found is not None:
        return found
    try:
        return inner.as_bytes(policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - the raw keeps it; the file is what could be written
        return str(inner).encode("utf-8", "surrogateescape")


# A forward whose name would show nothing (a subject of ".", "...", a zero-width space): the
# parser's name for it, which the desk stores translated (attachments.name_for).
FORWARD_FILENAME = "forwarded-mail.eml"


def _eml_name(name: str, subject: str) -> str:
    """Its own name (Outlook's "Original.eml"), else its subject's, as an .eml file; empty
    when what is left after the desk cleans the name (tickets.attachments.clean_filename
    drops dots, spaces, invisible and reserved characters) shows nothing."""
    stem = name or " ".join(subject.replace("\\", "_").split())
    if stem.lower().endswith(".eml"):
        stem = stem[:-4]
    if not any(ch.isprintable() and ch not in ' ."<>|/\\_' for ch in stem):
        return ""
    return shorten_filename(stem, FILENAME_CHARS - 4) + ".eml"


# Mails forwarded inside forwarded mails: read this deep; a forward holding deeper ones is
# `unread` (its file is not given to the contact, inbound._files).
MAX_FORWARD_DEPTH = 8


def _forward(walk: _Walk, part: Message, inner: Message, context: tuple) -> None:
    """An attached mail: its file, its headers and its text for staff, and its own files."""
    raw, root, deadline, depth = context
    subject = _decoded(inner, "Subject")[:300]
    eml = None
    # Only the outermost forward's file: its bytes hold the mails it forwards (kept once
    # each level, a 2 MB mail 8 levels deep was stored 8 times).
    if depth == 0:
        walk.files_seen += 1
    if depth == 0 and len(walk.files) < walk.max_files:
        name = _eml_name(_filename(part), subject)
        eml = ParsedAttachment(
            filename=name or FORWARD_FILENAME,
            content_type="message/rfc822",
            data=_mail_bytes(raw, root, part, inner),
            unnamed_forward=not name,
        )
        walk.files.append(eml)
    start = len(walk.files)
    if depth >= MAX_FORWARD_DEPTH:
        walk.unread = True
        if eml is not None:
            eml.unread = True
        return
    sub = _Walk(max_files=walk.max_files, files=walk.files)
    _walk_into(sub, inner, (raw, root, deadline, depth + 1))
    if eml is not None:
        eml.holds = walk.files[start:]
        eml.unread = sub.unread or sub.parts_left > 0 or sub.files_seen > len(eml.holds)
    walk.unread = walk.unread or sub.unread
    text = "\n\n".join(t.strip() for t in [*sub.texts, *sub.other_texts] if t.strip())
    if not text and sub.htmls:
        text = html_to_text(sanitize_html("\n".join(sub.htmls)))
    walk.forwarded.append(
        Forwarded(
            sender=_decoded(inner, "From")[:500],
            date=_decoded(inner, "Date")[:200],
            subject=subject,
            text=text.replace("\r\n", "\n"),
        )
    )
    walk.forwarded.extend(sub.forwarded)
    walk.files_seen += sub.files_seen
    walk.parts_left += sub.parts_left


def _walk(msg: Message, deadline: float, max_files: int, raw: bytes = b"") -> _Walk:
    walk = _Walk(max_files=max_files)
    _walk_into(walk, msg, (raw, msg, deadline, 0))
    return walk


def _walk_into(walk: _Walk, msg: Message, context: tuple) -> None:
    deadline = context[2]
    leaves = _leaves(msg)
    for index, part in enumerate(leaves):
        if time.monotonic() > deadline:
            walk.parts_left += len(leaves) - index
            break
        inner = _attached_mail(part)
        if inner is not None:
            _forward(walk, part, inner, context)
            continue
        ctype = part.get_content_type()
        if ctype.startswith("multipart/"):
            ctype = "text/plain"  # a multipart without its boundary: its body is its text
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if ctype == "text/html" and disposition != "attachment" and not name:
            walk.htmls.append(_decode_part(part))
        elif _is_text(ctype, disposition, name):
            texts = walk.texts if ctype == "text/plain" else walk.other_texts
            texts.append(_decode_part(part))
        else:
            _add_file(walk, part, ctype, disposition, name)


def _notes(walk: _Walk, budget: float) -> list[Note]:
    notes = []
    if walk.files_seen > len(walk.files):
        notes.append(Note("files_capped", {"kept": len(walk.files), "total": walk.files_seen}))
    if walk.parts_left:
        notes.append(Note("parse_budget", {"seconds": budget, "parts_left": walk.parts_left}))
    return notes


def parse(raw: bytes, *, budget: float = PARSE_SECONDS, max_files: int = MAX_FILES) -> ParsedMail:
    deadline = time.monotonic() + budget
    try:
        msg = email.message_from_bytes(raw, policy=POLICY)
        sender, name = strict_sender(msg)
        subject = _decoded(msg, "Subject")[:300]
        walk = _walk(msg, deadline, max_files, raw)
        report = read_report(msg)
    except Exception as exc:  # noqa: BLE001 - anything the parser trips on goes to quarantine
        raise UnparseableMail(f"{type(exc).__name__}: {exc}") from exc
    clean_html = sanitize_html("\n".join(walk.htmls)) if walk.htmls else ""
    text = "\n\n".join(t.strip() for t in walk.texts if t.strip())
    if not text and clean_html:
        text = html_to_text(clean_html)
    return_path = _header(msg, "Return-Path")
    header = lambda name: _header(msg, name)  # noqa: E731
    return ParsedMail(
        message_id=(message_ids(_header(msg, "Message-ID")) or [""])[0],
        sender=sender,
        sender_name=name[:200],
        subject=subject,
        in_reply_to=message_ids(_header(msg, "In-Reply-To"))[-50:],
        references=message_ids(_header(msg, "References"))[-50:],
        text=text.replace("\r\n", "\n")[:FULL_TEXT_CHARS],
        html=clean_html[:FULL_TEXT_CHARS],
        attachments=walk.files,
        other_texts=[t.strip().replace("\r\n", "\n") for t in walk.other_texts if t.strip()],
        forwarded=walk.forwarded,
        machine_sent=machine_sent(header) or bool(receipt_evidence(report)),
        auto_reply=auto_reply_evidence(header) or receipt_evidence(report),
        suspected_auto_reply=suspected_auto_reply(subject),
        report=report,
        return_path_empty=return_path is not None and return_path.strip() in ("<>", ""),
        language_hint=str(_header(msg, "Content-Language") or "").split(",")[0].strip()[:2].lower(),
        recipients=" ".join(
            decode_8bit(str(v))
            for h in ("To", "Cc", "Delivered-To", "X-Original-To")
            for v in (msg.get_all(h) or [])
        )[:2000],
        notes=_notes(walk, budget),
    )


def header_list(raw: bytes, limit: int = 60) -> list[list[str]]:
    """The decoded headers, for staff reading a quarantined message."""
    try:
        msg = email.message_from_bytes(raw, policy=POLICY)
        return [[storable(k, 200), storable(_words(k, str(v)), 1000)] for k, v in msg.items()][
            :limit
        ]
    except Exception:  # noqa: BLE001 - a message too broken to list its headers
        return []
