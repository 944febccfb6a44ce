"""Turn raw mail bytes into what the desk needs, as mail really arrives: wrong charsets,
encoded-word headers, RFC 2231 file names, HTML-only bodies, winmail.dat, forwarded mail."""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.message import Message

import nh3

_MSGID_RE = re.compile(r"<[^<>\s]+>")
_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</?(p|div|br|tr|li|h\d|blockquote)[^>]*>", re.IGNORECASE)
_SPACES_RE = re.compile(r"\n\s*\n\s*\n+")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")


class UnparseableMail(Exception):
    """The bytes are not a mail we can read; the raw stays in the quarantine."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the bare address, lower-cased; "" when it is missing or ambiguous
    sender_name: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str  # sanitized
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_submitted: bool = False
    auto_reply: bool = False  # an out-of-office or other answer by a machine
    bounce: bool = False
    bounce_status: str = ""
    bounced_message_id: str = ""
    return_path_empty: bool = False
    language_hint: str = ""
    recipients: str = ""  # To, Cc, Delivered-To: a support+PAL-... tag names the ticket


def message_ids(value: str | None) -> list[str]:
    return _MSGID_RE.findall(str(value or ""))


def dedup_key(raw: bytes) -> tuple[str, str, str]:
    """(key, message_id, sha256): the Message-ID when present, else the hash of the bytes."""
    digest = hashlib.sha256(raw).hexdigest()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        headers = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
        ids = message_ids(headers.get("Message-ID"))
    except Exception:  # noqa: BLE001 - a broken header block still has bytes to hash
        ids = []
    msgid = ids[0][:250] if ids else ""
    return (f"mid:{msgid}" if msgid else f"sha:{digest}"), msgid, digest


def strict_sender(msg: Message) -> tuple[str, str]:
    """The one sender address, or ("", name) when From is missing, has several addresses or
    parses with any defect (email.headerregistry): an address we cannot be sure of is not
    trusted. (getaddresses(strict=True) is not in every Python 3.11 patch release.)"""
    values = msg.get_all("From") or []
    if len(values) != 1:
        return "", ""
    header = values[0]
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
    declared = part.get_content_charset() or ""
    for charset in (declared, *_FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


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
    name = str(name).replace("/", "_").replace("\\", "_").strip()
    return name[:200]


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


def _walk(msg: Message, texts: list[str], htmls: list[str], files: list[ParsedAttachment]) -> None:
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if ctype == "message/rfc822" or part.get_content_maintype() == "message":
            continue  # its parts are walked too: a forwarded mail's text is kept as text
        if disposition != "attachment" and not name and ctype == "text/plain":
            texts.append(_decode_part(part))
        elif disposition != "attachment" and not name and ctype == "text/html":
            htmls.append(_decode_part(part))
        else:
            data = part.get_payload(decode=True) or b""
            if name.lower() == "winmail.dat" or ctype == "application/ms-tnef":
                decoded = _tnef_attachments(data)
                if decoded:
                    files.extend(decoded)
                    continue
            cid = str(part.get("Content-ID") or "").strip().strip("<>")[:250]
            files.append(
                ParsedAttachment(
                    filename=name or f"part-{len(files) + 1}",
                    content_type=ctype,
                    data=data,
                    inline=disposition == "inline" or bool(cid and not name),
                    content_id=cid,
                )
            )


def _is_auto(msg: Message) -> bool:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    suppress = str(msg.get("X-Auto-Response-Suppress", "")).strip().lower()
    return (
        (auto != "" and auto != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or suppress in ("all", "autoreply", "oof")
        or "List-Id" in msg
        or "List-Unsubscribe" in msg
        or "X-Autoreply" in msg
        or "X-Autorespond" in msg
    )


_AUTO_SUBJECT_RE = re.compile(
    r"^(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|abwesenheitsnotiz|"
    r"automatische antwort|r[ée]ponse automatique|absence|risposta automatica|fuori sede)\b",
    re.IGNORECASE,
)


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    return (
        auto.startswith("auto-replied")
        or "X-Autoreply" in msg
        or "X-Autorespond" in msg
        or bool(_AUTO_SUBJECT_RE.match(subject))
    )


def _bounce(msg: Message) -> tuple[bool, str, str]:
    if msg.get_content_type() != "multipart/report":
        return False, "", ""
    status, original = "", ""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for sub in part.get_payload() if part.is_multipart() else []:
                status = status or str(sub.get("Status", "")).strip()
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                ids = message_ids(inner[0].get("Message-ID"))
            else:
                ids = message_ids(
                    re.search(r"(?im)^message-id:\s*(.*)$", str(inner)).group(1)
                    if re.search(r"(?im)^message-id:", str(inner))
                    else ""
                )
            original = original or (ids[0] if ids else "")
    return True, status, original


def parse(raw: bytes) -> ParsedMail:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        sender, name = strict_sender(msg)
        subject = " ".join(str(msg.get("Subject", "")).split())[:300]
        texts: list[str] = []
        htmls: list[str] = []
        files: list[ParsedAttachment] = []
        _walk(msg, texts, htmls, files)
    except UnparseableMail:
        raise
    except Exception as exc:  # noqa: BLE001 - anything the parser trips on goes to quarantine
        raise UnparseableMail(f"{type(exc).__name__}: {exc}") from exc
    clean_html = sanitize_html("\n".join(htmls)) if htmls else ""
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    if not text and clean_html:
        text = html_to_text(clean_html)
    bounce, status, original = _bounce(msg)
    return_path = msg.get("Return-Path")
    return ParsedMail(
        message_id=(message_ids(msg.get("Message-ID")) or [""])[0],
        sender=sender,
        sender_name=name[:200],
        subject=subject,
        in_reply_to=message_ids(msg.get("In-Reply-To")),
        references=message_ids(msg.get("References")),
        text=text.replace("\r\n", "\n").replace("\x00", ""),
        html=clean_html,
        # Every file goes on: storing refuses the ones over the limit and tells staff.
        attachments=files,
        auto_submitted=_is_auto(msg),
        auto_reply=_is_auto_reply(msg, subject),
        bounce=bounce,
        bounce_status=status,
        bounced_message_id=original,
        return_path_empty=return_path is not None and str(return_path).strip() in ("<>", ""),
        language_hint=str(msg.get("Content-Language", "")).split(",")[0].strip()[:2].lower(),
        recipients=" ".join(
            str(v)
            for h in ("To", "Cc", "Delivered-To", "X-Original-To")
            for v in (msg.get_all(h) or [])
        )[:2000],
    )


def header_list(raw: bytes, limit: int = 60) -> list[list[str]]:
    """The decoded headers, for staff reading a quarantined message."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        return [[str(k), str(v)[:1000]] for k, v in list(msg.items())[:limit]]
    except Exception:  # noqa: BLE001 - a message too broken to list its headers
        return []
