"""Who a stored message is, read from its bytes without parsing the MIME tree: cheap enough to
run before the raw is stored, and light to import (`palier mail ingest` starts with it).

A message is identified by its **content**, not by its Message-ID: the sha256 of its bytes
without the trace an MTA adds when it delivers the same message again (below). An identical
redelivery therefore finds the stored row; a different message that reuses a stored
Message-ID (broken clients, scripted senders, two long IDs sharing a prefix) does not, and is
stored as a new message marked as reusing it.

Trace header fields left out of the comparison (RFC 5321 §4.4 and what MTAs, filters and
mailbox servers add on their way in; any other header and the whole body count):
`Received`, `Return-Path`, `Delivered-To`, `X-Original-To`, `Envelope-To`, `X-Envelope-From`,
`X-Envelope-To`, `X-Delivered-To`, `X-Received`, `DKIM-Signature`, `DomainKey-Signature`,
`ARC-*`, `Authentication-Results`, `Received-SPF`, `X-Spam-*`, `X-Virus-*`, `X-Amavis-*`,
`X-MS-Exchange-Organization-*`, `X-Rspamd-*`, and a leading mbox `From ` line (Postfix `pipe`
flag F, procmail). Line endings are compared as LF and trailing blank lines are ignored.
"""

from __future__ import annotations

import hashlib
import re

TRACE_HEADERS = frozenset(
    {
        b"received",
        b"return-path",
        b"delivered-to",
        b"x-original-to",
        b"envelope-to",
        b"x-envelope-from",
        b"x-envelope-to",
        b"x-delivered-to",
        b"x-received",
        b"dkim-signature",
        b"domainkey-signature",
        b"authentication-results",
        b"received-spf",
    }
)
TRACE_PREFIXES = (
    b"arc-",
    b"x-spam-",
    b"x-virus-",
    b"x-amavis-",
    b"x-ms-exchange-organization-",
    b"x-rspamd-",
)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
# Characters no database column should receive from a mail: NUL (PostgreSQL refuses it in
# text) and the other C0 controls but tab, line feed and carriage return; lone surrogates
# (undecodable bytes) cannot be encoded for the database either.
_UNSTORABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable(value: object, limit: int | None = None) -> str:
    """A text fit for any database column: unstorable characters removed, cut to `limit`."""
    text = _UNSTORABLE_RE.sub("", value if isinstance(value, str) else str(value or ""))
    return text[:limit] if limit is not None else text


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """(header block, rest) at the first empty line, whatever the line ending."""
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def _fields(head: bytes) -> list[list[bytes]]:
    """The header block as fields, each a list of its physical lines (folded ones included)."""
    fields: list[list[bytes]] = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    return fields


def _is_trace(first_line: bytes) -> bool:
    name = first_line.split(b":", 1)[0].strip().lower()
    return name in TRACE_HEADERS or name.startswith(TRACE_PREFIXES)


def without_trace(raw: bytes) -> bytes:
    """The bytes that make the message what it is (see the module's docstring)."""
    head, body = split_head(raw)
    fields = _fields(head)
    if fields and fields[0][0].startswith(b"From "):
        fields = fields[1:]  # the mbox separator a pipe adds
    kept = b"\n".join(b"\n".join(lines) for lines in fields if not _is_trace(lines[0]))
    return kept + b"\n\n" + body.replace(b"\r\n", b"\n").rstrip(b"\n")


def content_key(raw: bytes) -> str:
    return hashlib.sha256(without_trace(raw)).hexdigest()


def header_value(raw: bytes, name: str) -> str | None:
    """The first `name` header, unfolded and decoded (UTF-8, else Latin-1); None if absent."""
    wanted = name.lower().encode()
    for lines in _fields(split_head(raw)[0]):
        field_name, _, value = b"\n".join(lines).partition(b":")
        if field_name.strip().lower() == wanted:
            unfolded = re.sub(rb"\n[ \t]", b" ", value).strip()
            try:
                return unfolded.decode("utf-8")
            except UnicodeDecodeError:
                return unfolded.decode("latin-1")
    return None


def message_ids(value: object) -> list[str]:
    """The <id> tokens of a Message-ID, In-Reply-To or References value, as storable text."""
    return [storable(found) for found in _MSGID_RE.findall(storable(value))]


def id_hash(message_id: str) -> str:
    """What a Message-ID is looked up by: its full text hashed, so that IDs longer than any
    column and IDs sharing a long prefix stay distinct."""
    return hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest() if message_id else ""
