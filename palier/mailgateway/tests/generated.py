"""Hypothesis strategies for mail as the world sends it: subjects and bodies made of words
that read like automatic replies in fr/de/it/en, reused and overlong Message-IDs, random MIME
trees, reports, NUL characters, raw 8-bit headers. Each generated mail knows what its headers
prove, so that a test can tell what the desk may do with it without reading it back."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from hypothesis import strategies as st

OURS = "<out-a.1@palier.localhost>"  # the `threads` fixture's mail to contact A
LONG = "L" * 300
MESSAGE_IDS = [
    "<pool-1@example.com>",
    "<pool-2@example.com>",
    f"<{LONG}.1@example.com>",
    f"<{LONG}.2@example.com>",
    "<nul\x00-id@example.com>",
    OURS,
    None,
]
SENDERS = [
    "Anna Keller <anna.a@example.com>",
    "Anna Dübois <anna.a@example.com>",  # raw UTF-8 display name (RFC 6532)
    "Anna\x00 Keller <anna.a@example.com>",
    "bruno.b@example.com",
    "stranger@unknown.example",
    "Lena <lena.agent@example.com>",
    "Palier Support <support@palier.localhost>",
    "MAILER-DAEMON@mx.example.com",
    "a@example.com, b@example.com",
    None,
]
AUTO_WORDS = [
    "Out of office",
    "Out of Office:",
    "Automatic reply:",
    "Auto-reply",
    "autoreply",
    "Abwesenheitsnotiz",
    "Abwesenheitsnotiz:",
    "Automatische Antwort:",
    "abwesend",
    "Réponse automatique :",
    "Absence",
    "Absence de données",
    "Risposta automatica:",
    "Fuori sede",
    "assenza",
]
WORDS = [
    "Export",
    "hours outage",
    "payroll",
    "settings in the CRM module",
    "Rechnung",
    "Mahnlauf bricht ab",
    "rapport mensuel",
    "dans le",
    "non funziona",
    "fattura",
    "Grüße",
    "ça",
    "\x00",
    "é\x00ü",
]
AUTO_HEADERS = {
    "Auto-Submitted: auto-replied": True,
    "Auto-Submitted: auto-generated": False,
    "Auto-Submitted: no": False,
    "X-Autoreply: yes": True,
    "X-Autorespond: vacation": True,
    "Precedence: bulk": True,
    "Precedence: junk": True,
    "Precedence: auto_reply": True,
    "Precedence: list": False,
    "X-Auto-Response-Suppress: All": False,
}


@dataclass
class Generated:
    data: bytes
    auto_header: bool  # a header proves an automatic reply
    own_loop: bool  # from our address with our Message-ID
    dsn_ours: bool  # a delivery report naming our mail
    read_receipt_text: bool  # an MDN with text: a person's message

    @property
    def may_be_a_record(self) -> bool:
        """Whether the desk may keep it as a record of machine mail (not a ticket or message
        and not the quarantine)."""
        return (self.auto_header and not self.read_receipt_text) or self.own_loop or self.dsn_ours


words = st.lists(st.sampled_from(AUTO_WORDS + WORDS), min_size=0, max_size=5)
subjects = st.tuples(st.sampled_from(["", "Re: ", "AW: ", "Fwd: "]), words).map(
    lambda t: t[0] + " ".join(t[1])
)
body_lines = st.lists(st.sampled_from(AUTO_WORDS + WORDS + ["> quoted", "-- ", "."]), max_size=8)


def _human(text: str) -> bool:
    """Whether a person wrote words here: NUL is no word (the gateway drops it, as no database
    stores it), so a read receipt whose text is NULs and spaces carries no one's message."""
    return bool(text.replace("\x00", "").strip())


def _body(lines: list[str]) -> str:
    return "\r\n".join(lines) or "x"


def _leaf(kind: str, lines: list[str], index: int, encoding: str) -> str:
    text = _body(lines)
    if kind in ("text/plain", "text/x-log", "text/x-diff", "text/html"):
        if encoding == "base64":
            payload = base64.encodebytes(text.encode("utf-8")).decode().replace("\n", "\r\n")
            return (
                f"Content-Type: {kind}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
                f"\r\n{payload}"
            )
        return f"Content-Type: {kind}; charset=utf-8\r\n\r\n{text}\r\n"
    name = {
        "pdf": f"Bericht {'sehr lang ' * (index % 3) * 12}{index}.pdf",
        "png": "",
        "exe": f"tool{index}.exe",
        "ics": "invite.ics",
        "py": f"script{index}.py",
    }[kind]
    ctype = {
        "pdf": "application/pdf",
        "png": "image/png",
        "exe": "application/octet-stream",
        "ics": "text/calendar",
        "py": "text/x-python",
    }[kind]
    disposition = f'attachment; filename="{name}"' if name else "inline"
    payload = base64.encodebytes(text.encode("utf-8") or b"x").decode().replace("\n", "\r\n")
    return (
        f"Content-Type: {ctype}\r\nContent-Disposition: {disposition}\r\n"
        f"Content-Transfer-Encoding: base64\r\nContent-ID: <c{index}@example.com>\r\n\r\n{payload}"
    )


leaves = st.tuples(
    st.sampled_from(
        ["text/plain", "text/x-log", "text/x-diff", "text/html", "pdf", "png", "exe", "ics", "py"]
    ),
    body_lines,
    st.integers(0, 300),
    st.sampled_from(["8bit", "base64"]),
).map(lambda t: ("leaf", _leaf(*t)))
trees = st.recursive(
    leaves,
    lambda children: st.tuples(
        st.sampled_from(["mixed", "alternative", "related"]),
        st.lists(children, min_size=1, max_size=3),
    ).map(lambda t: ("multi", t)),
    max_leaves=6,
)


def _render(tree, depth: int = 0, counter: list[int] | None = None) -> str:
    counter = counter if counter is not None else [0]
    kind, value = tree
    if kind == "leaf":
        return value
    subtype, children = value
    counter[0] += 1
    boundary = f"b{depth}-{counter[0]}"
    parts = "".join(f"--{boundary}\r\n{_render(c, depth + 1, counter)}\r\n" for c in children)
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n{parts}--{boundary}--\r\n'
    )


def _report(kind: str, original: str, text: str) -> str:
    if kind == "delivery-status":
        machine = (
            "Content-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.com\r\n\r\n"
            "Final-Recipient: rfc822; anna.a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        )
        original_part = f"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original}\r\n"
    elif kind == "disposition-notification":
        machine = (
            "Content-Type: message/disposition-notification\r\n\r\nReporting-UA: x\r\n"
            f"Original-Message-ID: {original}\r\nDisposition: manual-action/MDN-sent-manually; "
            "displayed\r\n"
        )
        original_part = ""
    else:
        machine = "Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n"
        original_part = ""
    parts = [f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n", machine]
    if original_part:
        parts.append(original_part)
    body = "".join(f"--r\r\n{p}\r\n" for p in parts)
    return (
        f'Content-Type: multipart/report; report-type={kind}; boundary="r"\r\n\r\n{body}--r--\r\n'
    )


@st.composite
def mails(draw) -> Generated:
    sender = draw(st.sampled_from(SENDERS))
    message_id = draw(st.sampled_from(MESSAGE_IDS))
    auto = draw(
        st.one_of(
            st.just([]), st.lists(st.sampled_from(sorted(AUTO_HEADERS)), max_size=2, unique=True)
        )
    )
    subject = draw(subjects)
    head = "".join(
        [
            f"From: {sender}\r\n" if sender is not None else "",
            "To: support@palier.localhost\r\n",
            f"Subject: {subject}\r\n",
            f"Message-ID: {message_id}\r\n" if message_id else "",
            draw(st.sampled_from(["", f"In-Reply-To: {OURS}\r\n", "In-Reply-To: <x@y>\r\n"])),
            "".join(f"{h}\r\n" for h in auto),
            "MIME-Version: 1.0\r\n",
        ]
    )
    report = draw(st.sampled_from([None, "delivery-status", "disposition-notification", "other"]))
    text, original = _body(draw(body_lines)), ""
    if report is None:
        body = _render(draw(trees))
    else:
        original = draw(st.sampled_from([OURS, "<not-ours@elsewhere.example>"]))
        body = _report(report, original, text)
    data = (head + body).encode("utf-8")
    own = sender is not None and "support@palier.localhost" in sender
    return Generated(
        data=data,
        auto_header=any(AUTO_HEADERS[h] for h in auto),
        own_loop=own and message_id == OURS,
        dsn_ours=report == "delivery-status" and original == OURS,
        read_receipt_text=report == "disposition-notification" and _human(text),
    )
