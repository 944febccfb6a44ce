"""multipart/report is not a synonym of bounce: a read receipt with text is the customer's
message, a delivery report on our own mail is noted on its ticket, anything else is mail."""

from __future__ import annotations

from palier.mailgateway.actions import ingest
from palier.mailgateway.invariant import violations
from palier.mailgateway.tests.mails import multipart
from palier.tickets.models import Ticket


def _report(report_type: str, parts, **kw) -> bytes:
    return multipart(parts, subtype=f"report; report-type={report_type}", **kw)


def _dsn(action: str, status: str, original: str) -> list[tuple[str, str]]:
    return [
        ("Content-Type: text/plain", "Your message could not be delivered."),
        (
            "Content-Type: message/delivery-status",
            "Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; anna.a@example.com"
            f"\r\nAction: {action}\r\nStatus: {status}",
        ),
        ("Content-Type: text/rfc822-headers", f"Message-ID: {original}\r\nSubject: x"),
    ]


def test_a_read_receipt_with_a_persons_text_joins_its_ticket_as_a_message(world, threads):
    raw = ingest(
        _report(
            "disposition-notification",
            [
                ("Content-Type: text/plain; charset=utf-8", "The fix did not work, please reopen."),
                (
                    "Content-Type: message/disposition-notification",
                    "Reporting-UA: mail.example.com\r\n"
                    "Original-Message-ID: <out-a.1@palier.localhost>\r\n"
                    "Disposition: manual-action/MDN-sent-manually; displayed",
                ),
            ],
            subject="Read: Fehler beim Export",
            msgid="mdn-1@example.com",
            headers="Auto-Submitted: auto-replied\r\n",
        ),
        "test",
    )
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "reply", threads.a.pk)
    assert raw.ticket_message.body == "The fix did not work, please reopen."
    assert violations() == []


def test_a_delivery_failure_of_our_mail_is_noted_on_its_ticket(world, threads):
    raw = ingest(
        _report(
            "delivery-status",
            _dsn("failed", "5.1.1", "<out-a.1@palier.localhost>"),
            sender="MAILER-DAEMON@mx.example.com",
            subject="Undelivered Mail Returned to Sender",
            msgid="dsn-1@mx.example.com",
        ),
        "test",
    )
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "bounce", threads.a.pk)
    noted = threads.a.events.get(kind="mail_bounced")
    assert noted.internal and "could not be delivered" in noted.reason and "5.1.1" in noted.reason
    assert violations() == []


def test_a_delay_report_on_our_mail_says_it_is_delayed(world, threads):
    raw = ingest(
        _report(
            "delivery-status",
            _dsn("delayed", "4.4.7", "<out-a.1@palier.localhost>"),
            sender="MAILER-DAEMON@mx.example.com",
            msgid="dsn-2@mx.example.com",
        ),
        "test",
    )
    assert raw.outcome == "bounce"
    assert "delayed" in threads.a.events.get(kind="mail_bounced").reason


def test_a_delivery_report_on_a_mail_we_did_not_send_is_ordinary_mail(world, threads):
    raw = ingest(
        _report(
            "delivery-status",
            _dsn("failed", "5.1.1", "<not-ours@elsewhere.example>"),
            sender="MAILER-DAEMON@mx.example.com",
            msgid="dsn-3@mx.example.com",
        ),
        "test",
    )
    assert (raw.state, raw.error_code) == ("quarantined", "unknown_sender")
    assert not threads.a.events.filter(kind="mail_bounced").exists()


def test_a_contacts_request_in_report_format_becomes_a_ticket(world, smtp):
    raw = ingest(
        _report(
            "delivery-status",
            [("Content-Type: text/plain; charset=utf-8", "Der Export bricht mit Fehler 12 ab.")],
            subject="Export bricht ab",
            msgid="report-request@example.com",
        ),
        "test",
    )
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert Ticket.objects.get(pk=raw.ticket_id).description == "Der Export bricht mit Fehler 12 ab."


def test_a_report_of_another_type_from_a_contact_becomes_a_ticket(world, smtp):
    raw = ingest(
        _report(
            "feedback-report",
            [
                ("Content-Type: text/plain", "Bitte diese Meldung prüfen."),
                ("Content-Type: message/feedback-report", "Feedback-Type: abuse"),
            ],
            subject="Meldung",
            msgid="arf@example.com",
        ),
        "test",
    )
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")


def _automatic_receipt(msgid: str, *, auto_submitted: bool) -> bytes:
    return _report(
        "disposition-notification",
        [
            (
                "Content-Type: text/plain; charset=utf-8",
                "Your message\r\n\r\n  Subject: Fehler beim Export\r\n\r\nwas read on Sunday.",
            ),
            (
                "Content-Type: message/disposition-notification",
                "Reporting-UA: Microsoft Outlook\r\n"
                "Original-Message-ID: <out-a.1@palier.localhost>\r\n"
                "Disposition: automatic-action/MDN-sent-automatically; displayed",
            ),
        ],
        subject="Read: Fehler beim Export",
        msgid=msgid,
        headers="Auto-Submitted: auto-replied\r\n" if auto_submitted else "",
    )


def test_a_read_receipt_sent_automatically_does_not_reopen_a_resolved_request(world, threads):
    from palier.tickets.actions import do_transition

    do_transition(threads.a, "resolved", acting_user=world.agent)
    raw = ingest(_automatic_receipt("mdn-auto-1@example.com", auto_submitted=True), "test")
    threads.a.refresh_from_db()
    assert threads.a.status == "resolved"
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "auto_reply", threads.a.pk)
    assert threads.a.events.filter(kind="mail_auto_reply").exists()
    assert not threads.a.messages.filter(from_customer=True).exists()
    assert violations() == []


def test_a_read_receipt_sent_automatically_is_a_record_even_without_auto_submitted(world, threads):
    raw = ingest(_automatic_receipt("mdn-auto-2@example.com", auto_submitted=False), "test")
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "auto_reply", threads.a.pk)
    assert not threads.a.messages.filter(from_customer=True).exists()
    assert violations() == []


def test_an_automatic_read_receipt_can_be_released_as_the_customers_message(world, threads):
    from palier.mailgateway.actions import do_release

    raw = ingest(_automatic_receipt("mdn-auto-3@example.com", auto_submitted=False), "test")
    released = do_release(raw, acting_user=world.agent)
    assert (released.outcome, released.ticket_id) == ("reply", threads.a.pk)
    assert violations() == []
