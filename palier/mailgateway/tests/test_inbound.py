"""Inbound rules beyond the corpus: closed threads, reprocessing, limits, one bad message."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from palier.lib.errors import NotAllowed
from palier.mailgateway.actions import do_process_raw, do_reprocess, ingest, store_raw
from palier.mailgateway.models import RawBytes, RawMessage
from palier.mailgateway.threading import ticket_by_reference
from palier.testing.factories import make_ticket, make_user
from palier.tickets.actions import do_transition
from palier.tickets.models import Attachment, Ticket


def _mail(sender: str, subject: str, body: str, msgid: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@palier.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_request(world, smtp):
    ticket = make_ticket(
        world.contact_a,
        "usage",
        "Alt",
        module_name=None,
    )
    for status in ("in_progress", "resolved", "closed"):
        do_transition(ticket, status, acting_user=world.agent)
    raw = ingest(
        _mail(
            "anna.a@example.com",
            f"Re: [{ticket.reference}] Alt",
            "Noch etwas.",
            "closed-1@example.com",
        ),
        "test",
    )
    assert raw.outcome == "new_ticket" and raw.ticket_id != ticket.pk
    # In the German contact's language, whatever the language of the process reading mail.
    assert raw.ticket.description.startswith(f"Fortsetzung von {ticket.reference}.")


def test_a_reply_naming_a_closed_thread_still_gets_a_suggested_type(world, smtp):
    # A reply is not triaged while it is read (it seldom opens a ticket); when it does open
    # one, its type is guessed then, as a new request's.
    ticket = make_ticket(world.contact_a, "usage", "Drucker", module_name=None)
    for status in ("in_progress", "resolved", "closed"):
        do_transition(ticket, status, acting_user=world.agent)
    raw = ingest(
        _mail(
            "anna.a@example.com",
            "Re: Drucker",
            "Der Lieferschein wird nicht gedruckt, Fehlermeldung 4711.",
            "closed-2@example.com",
            extra=f"In-Reply-To: <{ticket.reference}@palier.localhost>\r\n",
        ),
        "test",
    )
    assert raw.outcome == "new_ticket" and raw.ticket_id != ticket.pk
    assert raw.ticket.suggested_type == "malfunction"


def test_a_colleague_cannot_write_into_a_private_request_by_naming_its_reference(world, smtp):
    private = make_ticket(
        world.contact_a,
        "usage",
        "Privat",
        module_name=None,
        visibility="private",
    )
    raw = ingest(
        _mail(
            "armin.a@example.com",
            f"Re: [{private.reference}] Privat",
            "Ich schreibe mit.",
            "colleague-1@example.com",
        ),
        "test",
    )
    assert raw.ticket_id != private.pk and raw.error_code == "not_visible_thread"
    assert not private.messages.exists()


def test_an_unknown_sender_is_kept_and_staff_can_reprocess_once_the_contact_exists(world, smtp):
    raw = ingest(
        _mail(
            "new.colleague@example.com", "Wie buche ich?", "Wie buche ich?", "later-1@example.com"
        ),
        "test",
    )
    assert (raw.state, raw.error_code) == ("quarantined", "unknown_sender")
    make_user("new.colleague", customer=world.customer_a)
    done = do_reprocess(raw, acting_user=world.agent)
    assert (done.state, done.outcome) == ("processed", "new_ticket")
    assert done.ticket.contact.username == "new.colleague"


def test_contacts_cannot_reprocess_mail(world, smtp):
    raw = ingest(_mail("x@unknown.example", "Hi", "Hi", "noreprocess@example.com"), "test")
    with pytest.raises(NotAllowed):
        do_reprocess(raw, acting_user=world.contact_a)


def test_attachments_over_the_size_limit_are_left_out_but_the_raw_keeps_them(world, smtp, settings):
    settings.PALIER_MAX_ATTACHMENT_BYTES = 100
    big = "A" * 400
    data = (
        "From: anna.a@example.com\r\nSubject: Dateien\r\nMessage-ID: <big-1@example.com>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nZwei Dateien.\r\n"
        '--b\r\nContent-Type: text/plain; name="small.txt"\r\n'
        'Content-Disposition: attachment; filename="small.txt"\r\n\r\nklein\r\n'
        '--b\r\nContent-Type: text/plain; name="big.txt"\r\n'
        f'Content-Disposition: attachment; filename="big.txt"\r\n\r\n{big}\r\n--b--\r\n'
    ).encode()
    raw = ingest(data, "test")
    assert list(
        Attachment.objects.filter(ticket=raw.ticket).values_list("filename", flat=True)
    ) == ["small.txt"]
    assert big.encode() in bytes(RawMessage.objects.get(pk=raw.pk).raw)
    told = raw.ticket.events.get(kind="mail_attachment_refused")
    assert told.internal and "big.txt" in told.reason


def test_a_message_that_breaks_processing_is_quarantined_and_the_next_one_flows(world, smtp):
    # The stored bytes are unreadable (as if corrupted): quarantined, and the pipeline goes on.
    stored, _ = store_raw(_mail("anna.a@example.com", "Eins", "Eins", "flow-1@example.com"), "t")
    RawBytes.objects.filter(raw_message=stored).update(data=b"\x00" * 10)
    bad = do_process_raw(stored.pk)
    assert bad.state == "quarantined"
    good = ingest(_mail("anna.a@example.com", "Zwei", "Zwei", "flow-2@example.com"), "test")
    assert good.state == "processed" and Ticket.objects.filter(subject="Zwei").exists()


def test_header_lines_in_a_body_change_nothing(world, smtp):
    raw = ingest(
        _mail(
            "anna.a@example.com",
            "Normal",
            "From: boss@alpenkaese.example\nSubject: x",
            "hdr-1@example.com",
        ),
        "test",
    )
    assert raw.ticket.contact == world.contact_a and raw.ticket.subject == "Normal"


def test_an_html_reply_with_quoted_history_shows_only_the_new_text(world, smtp):
    ticket = make_ticket(
        world.contact_a,
        "usage",
        "Export",
        module_name=None,
    )
    data = (
        f"From: anna.a@example.com\r\nSubject: Re: [{ticket.reference}] Export\r\n"
        "Message-ID: <html-reply-1@example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\n'
        "Content-Type: text/plain; charset=utf-8\r\n\r\nEs geht wieder.\r\n\r\n"
        "Am 27.11.2026 um 10:00 schrieb Support <support@palier.localhost>:\r\n> Geheimer Text\r\n"
        "--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>Es geht wieder.</div>"
        '<div class="gmail_quote"><blockquote>Geheimer Text</blockquote></div>\r\n--a--\r\n'
    ).encode()
    raw = ingest(data, "test")
    message = raw.ticket_message
    assert message.body == "Es geht wieder."
    assert "Geheimer Text" not in message.body_html
    assert "Geheimer Text" in RawMessage.objects.get(pk=raw.pk).full_text


def test_a_reference_threads_by_the_year_it_shows(world):
    """The reference's year is the desk's: a ticket opened at 00:30 on 1 January in Zurich
    (still 31 December in UTC) is PAL-2027-…, and a reply naming that reference finds it."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        ticket = make_ticket(world.contact_a)
    assert ticket.reference.startswith("PAL-2027-")
    assert ticket_by_reference(f"Re: [{ticket.reference}] Printing") == ticket
    assert ticket_by_reference(f"Re: [PAL-2026-{ticket.pk:06d}] Printing") is None
    assert ticket_by_reference(f"Re: PAL-2027-{'9' * 30} and [PAL-2027-{ticket.pk:06d}]") == ticket


def test_the_words_the_desk_adds_to_a_mailed_request_are_in_the_contacts_language(world, smtp):
    from django.utils import translation

    with translation.override("en"):  # the listener's or the worker's language
        raw = ingest(_mail("bruno.b@example.com", "", "", "empty-fr@example.com"), "test")
    assert raw.outcome == "new_ticket"
    assert (raw.ticket.subject, raw.ticket.description) == ("(sans objet)", "(Message vide.)")


def test_a_mail_whose_subject_shows_nothing_takes_its_bodys_first_line(world, smtp):
    raw = ingest(
        _mail(
            "anna.a@example.com",
            "=?utf-8?b?"
            + __import__("base64").b64encode("\u200b\u200e\u202e".encode()).decode()
            + "?=",
            "\u200b\r\n  Der Druck bricht ab\u202e.\r\nMehr Text.",
            "invisible-1@example.com",
        ),
        "test",
    )
    assert raw.outcome == "new_ticket"
    assert raw.ticket.subject == "Der Druck bricht ab."


def test_a_subject_taken_from_the_body_has_no_empty_bidi_pair_and_is_no_quoted_line(world, smtp):
    raw = ingest(
        _mail("anna.a@example.com", "\u200b", "\u2066\u2069Der Druck bricht ab", "bidi-1@x.ch"),
        "test",
    )
    assert raw.ticket.subject == "Der Druck bricht ab"
    body = (
        "> Am Montag schrieb der Support:\r\n>\r\n\u2067\u2069> Bitte neu starten.\r\n\r\n"
        "Der Neustart hilft nicht."
    )
    raw = ingest(_mail("anna.a@example.com", "", body, "quoted-1@example.com"), "test")
    assert raw.ticket.subject == "Der Neustart hilft nicht."
    # Quoted lines only: no words of the person's own, no subject from the body.
    raw = ingest(_mail("anna.a@example.com", "", "> Zitat\r\n", "quoted-2@example.com"), "test")
    assert raw.ticket.subject == "(kein Betreff)"


def test_a_mail_with_nothing_visible_anywhere_is_kept_under_no_subject(world, smtp):
    raw = ingest(
        _mail("bruno.b@example.com", "\u3164", "\u200b", "invisible-2@example.com"), "test"
    )
    assert raw.outcome == "new_ticket"
    assert raw.ticket.subject == "(sans objet)"
