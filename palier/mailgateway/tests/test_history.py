"""What the mail gateway writes into a ticket's history reads in the reader's language, not
in the language of the process that happened to read the mail (the listener, the worker)."""

from __future__ import annotations

from django.utils import translation

from palier.mailgateway.actions import ingest
from palier.mailgateway.tests.mails import multipart
from palier.tickets.labels import describe_event


def _bounce() -> bytes:
    return multipart(
        [
            ("Content-Type: text/plain", "Your message could not be delivered."),
            (
                "Content-Type: message/delivery-status",
                "Reporting-MTA: dns; mx.example.com\r\n\r\n"
                "Final-Recipient: rfc822; anna.a@example.com\r\nAction: failed\r\nStatus: 5.1.1",
            ),
            ("Content-Type: text/rfc822-headers", "Message-ID: <out-a.1@palier.localhost>"),
        ],
        subtype="report; report-type=delivery-status",
        sender="MAILER-DAEMON@mx.example.com",
        msgid="dsn-history@mx.example.com",
    )


def test_a_bounce_noted_by_an_english_process_reads_in_french_for_a_french_agent(world, threads):
    with translation.override("en"):  # the listener's language
        ingest(_bounce(), "test")
    event = threads.a.events.get(kind="mail_bounced")
    with translation.override("fr"):
        line = describe_event(event)
    assert line.reason.startswith("Notre e-mail à ")
    assert "5.1.1" in line.reason
    with translation.override("de"):
        assert describe_event(event).reason.startswith("Unsere E-Mail an ")


def test_a_files_note_reads_in_the_readers_language(world, smtp):
    from django.test import override_settings

    pdf = 'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="s%d.pdf"'
    parts = [("Content-Type: text/plain", "Scans."), *[(pdf % i, "%PDF") for i in range(4)]]
    with override_settings(PALIER_MAIL_MAX_FILES=2), translation.override("en"):
        raw = ingest(multipart(parts, msgid="files-h@example.com"), "test")
    event = raw.ticket.events.get(kind="mail_files_capped")
    with translation.override("fr"):
        assert describe_event(event).reason.startswith("Cet e-mail contient 4 fichiers")


def test_an_event_from_before_its_data_held_the_parameters_keeps_its_stored_text(world, threads):
    from palier.tickets.actions import record_event

    event = record_event(
        threads.a, "mail_bounced", None, internal=True, reason="Old text.", data={"status": "5"}
    )
    with translation.override("fr"):
        assert describe_event(event).reason == "Old text."
