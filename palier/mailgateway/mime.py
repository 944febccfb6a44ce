"""A notification's bytes written out directly: the same bytes as `outbound.build(...)
.as_bytes()` (an `EmailMessage` under `email.policy.SMTP`, a text/plain part and a text/html
alternative), without building the message's header objects.

The `email` package parsed every header it was given into a header object and folded it
again on output (about 20 per notification, a third of a millisecond each), then walked the
parts through its generator: two thirds of an acknowledgement's cost. Here a header whose
value is short printable ASCII of the kinds below is written as `Name: value`, which is what
the package writes for it; any other value (a non-ASCII name or subject, a long References,
an address of an unusual shape) goes through the package's own parsing and folding
(`policy.header_store_parse` then `policy.fold_binary`, what its generator does), so that it
is refused, encoded and folded exactly as before. The bodies are encoded by the package's
own function (`email.contentmanager._encode_text`, what `set_content` calls: 7bit, 8bit,
quoted-printable or base64 by its heuristics) and the boundary drawn by its generator's own
`_make_boundary`. `tests/test_mime.py` compares both builders byte for byte on many inputs
(every printable ASCII character, four languages, long lines, injections)."""

from __future__ import annotations

import email.contentmanager
import email.policy
import re
from email.generator import BytesGenerator
from email.headerregistry import Address

import idna

POLICY = email.policy.SMTP
# A message to an address with a non-ASCII local part (RFC 6531/6532): headers in UTF-8,
# sent only to a server that offers SMTPUTF8 (outbound._Session).
UTF8_POLICY = email.policy.SMTPUTF8
MAX = POLICY.max_line_length  # 78

# Unstructured values (Subject, In-Reply-To, References, Date) written as they are: the
# package encodes words with some specials and parses "=?" as encoded words, so only
# letters, digits, single spaces and punctuation shown (by the tests) to pass unchanged.
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9\-\[\]<>@.,:;/_+!?#$%&'*=|~^{}`]+(?: [^\s]+)*")
_PLAIN_CHARS = re.compile(r"[A-Za-z0-9 \-\[\]<>@.,:;/_+!?#$%&'*=|~^{}`]*")
# An address written as is: a plain dot-atom local part at a plain domain.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
)
# A display name written as is: words of letters and digits, single spaces.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def ascii_domain(address: str) -> str:
    """The address with a non-ASCII domain in its IDNA form (xn--…), which every server and
    mail client takes; raises idna.IDNAError for a domain IDNA refuses."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"


def header_address(address: str) -> str:
    """The address as a header carries it: its domain in its IDNA form (the `email` package
    would write a non-ASCII domain as an encoded word, which no client reads); kept as it is
    when IDNA refuses it (its sending is refused then, with the reason)."""
    try:
        return ascii_domain(address)
    except idna.IDNAError:
        return address


def policy_for(address: str) -> email.policy.EmailPolicy:
    """SMTP's policy, or SMTPUTF8's for an address whose local part is not ASCII (no
    `Address` takes it under SMTP's: RFC 6532 headers, which only SMTPUTF8 carries)."""
    return POLICY if header_address(address).isascii() else UTF8_POLICY


def to_value(display_name: str, address: str) -> Address | str:
    """What a To header is set to (`msg["To"] = ...`) under `policy_for(address)`."""
    address = header_address(address)
    if address.isascii():
        return Address(display_name=display_name, addr_spec=address)
    named = str(Address(display_name=display_name, addr_spec="x@x")) if display_name else ""
    return f"{named[: -len('<x@x>')]}<{address}>" if named else address


def _folded(name: str, value) -> bytes:
    """The header as the package writes it (parsed, refused or encoded, folded)."""
    return POLICY.fold_binary(*POLICY.header_store_parse(name, value))


def _fits(name: str, value: str) -> bool:
    return len(name) + 2 + len(value) <= MAX


def text_header(name: str, value: str) -> bytes:
    """An unstructured header (Subject, In-Reply-To, References, Date, Message-ID)."""
    if (
        value
        and _fits(name, value)
        and "=?" not in value
        and _PLAIN_CHARS.fullmatch(value)
        and _PLAIN_TEXT.fullmatch(value)
    ):
        return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, value)


def address_header(name: str, display_name: str, addr_spec: str) -> bytes:
    """`Name: display name <addr>` (From, To) as `Address(...)` set on a message gives."""
    if _PLAIN_ADDRESS.fullmatch(addr_spec) and (
        not display_name or _PLAIN_NAME.fullmatch(display_name)
    ):
        value = f"{display_name} <{addr_spec}>" if display_name else addr_spec
        if _fits(name, value):
            return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, Address(display_name=display_name, addr_spec=addr_spec))


def address_text_header(name: str, value: str) -> bytes:
    """An address header given as text (Reply-To)."""
    if _PLAIN_ADDRESS.fullmatch(value) and _fits(name, value):
        return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, value)


def _text_part(subtype: str, text: str, *, mime_version: bool) -> bytes:
    cte, payload = email.contentmanager._encode_text(text, "utf-8", None, POLICY)
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n"
        + ("MIME-Version: 1.0\r\n" if mime_version else "")
        + "\r\n"
    )
    # The generator's _write_lines: every line break as CRLF; 8bit text kept as its bytes.
    body = _NEWLINES.sub("\r\n", payload).encode("ascii", "surrogateescape")
    return head.encode("ascii") + body


# The multipart header with a boundary of the generator's usual length, as it folds it.
_BOUNDARY_LENGTH = len(BytesGenerator._make_boundary())


def alternative(headers: list[bytes], text: str, html: str) -> bytes:
    """The message: the headers given, then a multipart/alternative of the text and the
    HTML, as `set_content(text)` then `add_alternative(html, subtype="html")` write it."""
    parts = [
        _text_part("plain", text, mime_version=False),
        _text_part("html", html, mime_version=True),
    ]
    boundary = BytesGenerator._make_boundary(b"\r\n".join(parts))
    if len(boundary) == _BOUNDARY_LENGTH:
        content_type = f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
        content_type_bytes = content_type.encode("ascii")
    else:
        content_type_bytes = _folded(
            "Content-Type", f'multipart/alternative; boundary="{boundary}"'
        )
    delimiter = f"--{boundary}".encode("ascii")
    return b"".join(
        [
            *headers,
            b"MIME-Version: 1.0\r\n",
            content_type_bytes,
            b"\r\n",
            delimiter,
            b"\r\n",
            parts[0],
            b"\r\n",
            delimiter,
            b"\r\n",
            parts[1],
            b"\r\n",
            delimiter,
            b"--\r\n",
        ]
    )
