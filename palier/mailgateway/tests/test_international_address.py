"""Mail to an address with a non-ASCII domain (IDNA) or local part (SMTPUTF8) reaches a real
SMTP server (aiosmtpd on loopback) instead of failing in smtplib with UnicodeEncodeError."""

from __future__ import annotations

import idna
import pytest
from aiosmtpd.controller import Controller

from palier.mailgateway.actions import ingest
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage
from palier.mailgateway.outbound import Mail, queue, send_outbound
from palier.mailgateway.tests.conftest import Sink, free_port


def _mail_to(address: str) -> OutboundMessage:
    return queue(
        Mail(
            kind="reply",
            to_address=address,
            to_name="Jörg Bücher",
            language="de",
            subject="Test",
            paragraphs=["Grüezi"],
        )
    )


def test_a_recipient_with_a_non_ascii_domain_is_sent_to_its_idna_form(world, smtp):
    out = _mail_to("anna@bücher.example")
    send_outbound.call(out.pk)
    out.refresh_from_db()
    errors = list(DeliveryAttempt.objects.filter(outbound=out).values_list("error", flat=True))
    assert out.state == "sent", errors
    [(_from, rcpts, message)] = smtp.messages
    assert rcpts == ["anna@xn--bcher-kva.example"]
    # Not an encoded word ("=?utf-8?q?b=C3=BCcher?=.example"), which no mail client reads.
    assert message["To"].addresses[0].addr_spec == "anna@xn--bcher-kva.example"
    assert message["To"].addresses[0].display_name == "Jörg Bücher"
    assert "Grüezi" in message.get_body(("plain",)).get_content()


def test_an_unknown_sender_at_a_non_ascii_domain_gets_the_access_notice(world, smtp):
    ingest(
        "From: Kunde <kunde@müller-käse.example>\r\nSubject: Hallo\r\n"
        "Message-ID: <idn-1@x.example>\r\n\r\nWie drucke ich?\r\n".encode(),
        "test",
    )
    out = OutboundMessage.objects.get(kind="unknown_sender")
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "sent"
    domain = idna.encode("müller-käse.example", uts46=True).decode()
    assert smtp.messages[0][1] == [f"kunde@{domain}"]


def test_a_non_ascii_local_part_is_sent_with_smtputf8_where_the_server_offers_it(world, smtp):
    out = _mail_to("jörg@example.com")
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "sent"
    [(_from, rcpts, message)] = smtp.messages
    assert rcpts == ["jörg@example.com"]
    # An RFC 6532 header in UTF-8, as the server took it.
    assert "To: Jörg Bücher <jörg@example.com>\n".encode() in message.as_bytes()


@pytest.fixture
def ascii_only_smtp(settings):
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield sink
    controller.stop()


def test_a_non_ascii_local_part_is_given_up_with_a_reason_when_the_server_cannot_take_it(
    world, ascii_only_smtp
):
    out = _mail_to("jörg@example.com")
    send_outbound.call(out.pk)
    out.refresh_from_db()
    [attempt] = DeliveryAttempt.objects.filter(outbound=out)
    assert out.state == "gave_up"
    assert "SMTPUTF8" in attempt.error and "UnicodeEncodeError" not in attempt.error
    assert ascii_only_smtp.messages == []


def test_a_composed_mail_to_a_non_ascii_domain_is_sent_too(world, smtp):
    from palier.mailgateway.composed import ComposedMail, queue_composed

    out = queue_composed(
        ComposedMail(
            kind="invoice",
            to_address="buchhaltung@bücher.example",
            to_name="Buchhaltung",
            subject="Rechnung",
            text="Im Anhang.",
        )
    )
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "sent"
    [(_from, rcpts, message)] = smtp.messages
    assert rcpts == ["buchhaltung@xn--bcher-kva.example"]
    assert message["To"].addresses[0].addr_spec == "buchhaltung@xn--bcher-kva.example"
