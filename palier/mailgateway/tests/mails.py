"""Mail as tests write it: a few headers, a body, parts when wanted."""

from __future__ import annotations


def mail(
    subject: str = "Frage zum Export",
    body: str = "Wie exportiere ich Offerten?",
    *,
    sender: str = "Anna Keller <anna.a@example.com>",
    msgid: str = "m-1@example.com",
    headers: str = "",
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@palier.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\n{headers}MIME-Version: 1.0\r\nContent-Type: {content_type}"
        f"\r\n\r\n{body}\r\n"
    ).encode()


def multipart(parts: list[tuple[str, str]], *, subtype: str = "mixed", **kw) -> bytes:
    """parts: (part headers, part body)."""
    body = "".join(f"--b\r\n{head}\r\n\r\n{text}\r\n" for head, text in parts) + "--b--"
    return mail(body=body, content_type=f'multipart/{subtype}; boundary="b"', **kw)
