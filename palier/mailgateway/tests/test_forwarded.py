"""A forwarded mail (a message/rfc822 part) stays in sight: its From, Date and Subject and its
text on the ticket, in the contact's language, and its bytes as an .eml file."""

from __future__ import annotations

import pytest

from palier.mailgateway.actions import ingest
from palier.tickets.models import Attachment

INNER_HTML = (
    b"From: Hans <hans.mueller@praezision-bern.example>\r\n"
    b"To: support+PAL-2026-000080@palier.localhost\r\n"
    b"Subject: Lieferschein 4711\r\n"
    b"Date: Thu, 26 Nov 2026 17:00:00 +0100\r\n"
    b"Content-Type: text/html\r\n"
    b"\r\n"
    b"<script>alert(1)</script><img src=x onerror=alert(2)><p>INNER words</p>"
)
INNER_PLAIN = (
    b"From: Lager <lager@alpenkaese.example>\r\n"
    b"Subject: Lagerbestand stimmt nicht\r\n"
    b"Date: Thu, 26 Nov 2026 17:00:00 +0100\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"INNER words: Artikel 1042 ist negativ."
)


def _forward(sender: str, inner: bytes, msgid: str) -> bytes:
    return (
        (
            f"From: {sender}\r\nTo: support@palier.localhost\r\nSubject: forwarded\r\n"
            f"Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=BB\r\n\r\n"
            "--BB\r\nContent-Type: text/plain\r\n\r\nSee the forwarded mail.\r\n"
            "--BB\r\nContent-Type: message/rfc822\r\n\r\n"
        ).encode()
        + inner
        + b"\r\n--BB--\r\n"
    )


@pytest.mark.parametrize("inner", [INNER_HTML, INNER_PLAIN], ids=["html", "plain"])
def test_a_forwarded_mail_shows_its_headers_and_text_and_is_kept_as_an_eml_file(world, smtp, inner):
    raw = ingest(_forward("anna.a@example.com", inner, f"fwd-{len(inner)}@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    body = raw.ticket.description
    assert "See the forwarded mail." in body
    assert "INNER words" in body
    for line in inner.decode().split("\r\n\r\n")[0].split("\r\n"):
        name, value = line.split(": ", 1)
        if name in ("From", "Date", "Subject"):
            assert value in body, (name, body)
    assert "Weitergeleitete Nachricht" in body  # the German contact's language
    assert "<script" not in body and "alert(" not in body and "onerror" not in body
    files = list(Attachment.objects.filter(ticket=raw.ticket))
    assert [f.filename.endswith(".eml") for f in files] == [True]
    assert files[0].file.read() == inner  # the forwarded mail's own bytes


def test_a_forwarded_mail_is_labelled_in_the_french_contacts_language(world, smtp):
    raw = ingest(_forward("bruno.b@example.com", INNER_HTML, "fwd-fr@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    assert "Message transféré" in raw.ticket.description
    assert "hans.mueller@praezision-bern.example" in raw.ticket.description


def test_a_forwarded_mail_in_a_reply_is_on_the_message_with_its_file(world, threads):
    data = _forward("anna.a@example.com", INNER_HTML, "fwd-reply@x").replace(
        b"Subject: forwarded", f"Subject: Re: [{threads.a.reference}]".encode()
    )
    raw = ingest(data, "test")
    assert raw.outcome == "reply", raw.error
    assert "INNER words" in raw.ticket_message.body
    assert "Lieferschein 4711" in raw.ticket_message.body
    eml = Attachment.objects.get(ticket=threads.a, filename__endswith=".eml")
    assert eml.file.read() == INNER_HTML


def test_a_mail_forwarded_inside_a_forwarded_mail_is_shown_and_kept_too(world, smtp):
    middle = (
        b"From: Lena <lena@alpenkaese.example>\r\nSubject: middle\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=CC\r\n\r\n"
        b"--CC\r\nContent-Type: text/plain\r\n\r\nMIDDLE words\r\n"
        b"--CC\r\nContent-Type: message/rfc822\r\n\r\n" + INNER_HTML + b"\r\n--CC--"
    )
    raw = ingest(_forward("anna.a@example.com", middle, "fwd-nested@x"), "test")
    body = raw.ticket.description
    assert body.index("MIDDLE words") < body.index("INNER words")
    assert "Betreff: middle" in body and "Betreff: Lieferschein 4711" in body
    # The outer file's bytes hold the inner mail: kept once.
    files = {a.filename: a.file.read() for a in Attachment.objects.filter(ticket=raw.ticket)}
    assert files == {"middle.eml": middle}


def _nested(mail: bytes, levels: int, *, words: bool = False) -> bytes:
    """`mail` forwarded `levels` times, each level a mail of its own ("level N"), with a
    line of its own words when `words`."""
    for level in range(levels):
        own = f"--L{level}\r\nContent-Type: text/plain\r\n\r\nLEVEL {level} words\r\n"
        mail = (
            (
                f"From: L{level} <l{level}@alpenkaese.example>\r\nSubject: level {level}\r\n"
                f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=L{level}\r\n\r\n"
                f"{own if words else ''}--L{level}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + mail
            + f"\r\n--L{level}--".encode()
        )
    return mail


def test_a_deeply_nested_forward_is_stored_once(world, smtp):
    mail = _nested(INNER_PLAIN, 7, words=True)
    raw = ingest(_forward("anna.a@example.com", mail, "fwd-deep-ok@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    files = {a.filename: a.file.read() for a in Attachment.objects.filter(ticket=raw.ticket)}
    assert files == {"level 6.eml": mail}
    body = raw.ticket.description
    for level in range(7):
        assert f"Betreff: level {level}" in body and f"LEVEL {level} words" in body
    assert "Betreff: Lagerbestand stimmt nicht" in body and "INNER words" in body


EVIL_INNER = (
    b"From: Hans <hans.mueller@praezision-bern.example>\r\nSubject: Rechnung\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n"
    b"--IN\r\nContent-Type: text/plain\r\n\r\nINNER words\r\n"
    b'--IN\r\nContent-Type: text/html; name="evil.html"\r\n'
    b'Content-Disposition: attachment; filename="evil.html"\r\n\r\n'
    b"<script>alert('QAATT')</script>\r\n--IN--"
)


def test_a_forwarded_mail_holding_a_refused_file_is_not_given_to_the_contact(world, smtp):
    raw = ingest(_forward("anna.a@example.com", EVIL_INNER, "fwd-evil@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    assert "INNER words" in raw.ticket.description
    for attachment in Attachment.objects.filter(ticket=raw.ticket):
        assert b"QAATT" not in attachment.file.read(), attachment.filename
    told = raw.ticket.events.get(kind="mail_attachment_refused").reason
    assert "evil.html" in told and "Rechnung.eml" in told and "stored mail" in told


def test_a_forward_too_deep_to_read_is_not_given_to_the_contact(world, smtp):
    mail = _nested(EVIL_INNER, 9)
    raw = ingest(_forward("anna.a@example.com", mail, "fwd-deep@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    assert not Attachment.objects.filter(ticket=raw.ticket).exists()
    assert "level 8.eml" in raw.ticket.events.get(kind="mail_attachment_refused").reason


@pytest.mark.parametrize("subject", [b".", b"..", b"...", b"=?utf-8?q?=E2=80=8B?=", b"<>"])
def test_a_forward_whose_subject_shows_nothing_is_kept_under_a_fallback_name(world, smtp, subject):
    inner = INNER_PLAIN.replace(b"Subject: Lagerbestand stimmt nicht", b"Subject: " + subject)
    raw = ingest(_forward("anna.a@example.com", inner, f"fwd-blank-{subject!r}@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    eml = Attachment.objects.get(ticket=raw.ticket)
    assert eml.filename == "weitergeleitete-Mail.eml"  # in Anna's language
    assert eml.file.read() == inner


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("fr", "message-transféré.eml"),
        ("it", "messaggio-inoltrato.eml"),
        ("en", "forwarded-mail.eml"),
    ],
)
def test_the_fallback_name_of_a_forward_is_in_the_contacts_language_not_the_workers(
    world, smtp, language, name
):
    from django.utils import translation

    world.contact_a.language = language
    world.contact_a.save(update_fields=["language"])
    inner = INNER_PLAIN.replace(b"Subject: Lagerbestand stimmt nicht", b"Subject: ...")
    with translation.override("de"):  # the process reading the mail speaks German
        raw = ingest(_forward("anna.a@example.com", inner, f"fwd-{language}@x"), "test")
    assert raw.outcome == "new_ticket", raw.error
    assert Attachment.objects.get(ticket=raw.ticket).filename == name


def test_a_long_mail_with_a_forward_is_cut_once_with_the_forward_in_view(world, smtp):
    from palier.mailgateway.inbound import BODY_CHARS, _shown, prepare

    inner = INNER_PLAIN.replace(b"INNER words", b"INNER words " + b"x" * 200)
    outer = b"long words " * (BODY_CHARS // 8)  # longer than a ticket shows on its own
    data = _forward("anna.a@example.com", inner, "fwd-long@x").replace(
        b"See the forwarded mail.", outer
    )
    prepared = prepare(data)
    shown = _shown(prepared)
    assert shown.count("[…]") == 1 and len(shown) <= BODY_CHARS + 10
    assert _shown(prepared) == shown
    cut = [data for code, data in prepared.notes if code == "text_cut"]
    # The whole text's length: the person's words uncut, then the forwarded mail.
    assert len(cut) == 1 and cut[0]["total"] > len(outer.strip()) + 200
