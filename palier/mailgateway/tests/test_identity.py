"""A message is what its bytes say, not what its Message-ID claims: a redelivery (with the
trace an MTA adds) is a no-op; a different message reusing a Message-ID is a new one."""

from __future__ import annotations

from palier.mailgateway.actions import ingest
from palier.mailgateway.identity import content_key, without_trace
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.mails import mail
from palier.tickets.models import Ticket

TRACE = (
    b"Return-Path: <anna.a@example.com>\r\nDelivered-To: support@palier.localhost\r\n"
    b"X-Original-To: support@palier.localhost\r\n"
    b"Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n"
    b"\tby mail.palier.localhost (Postfix) with ESMTPS id 4F1; Mon, 30 Nov 2026 09:00:01 +0100\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; b=abc\r\n"
    b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example; b=xyz\r\n"
    b"Authentication-Results: mail.palier.localhost; spf=pass\r\nX-Spam-Status: No\r\n"
)


def test_a_redelivery_with_new_trace_headers_and_other_line_ends_is_a_no_op(world, smtp):
    data = mail("Druckfehler", "Beleg 7 druckt leer.", msgid="redeliver@example.com")
    first = ingest(data, "lmtp")
    again = b"From anna.a@example.com Mon Nov 30 09:00:02 2026\n" + (TRACE + data).replace(
        b"\r\n", b"\n"
    )
    assert content_key(again) == content_key(data)
    second = ingest(again, "stdin")
    assert second.pk == first.pk
    assert RawMessage.objects.count() == 1 and Ticket.objects.filter(channel="email").count() == 1


def test_a_different_message_reusing_a_stored_message_id_is_stored_and_processed(world, smtp):
    first = ingest(mail("Erste Frage", "Eins.", msgid="reused@example.com"), "test")
    second = ingest(mail("Zweite Frage", "Zwei.", msgid="reused@example.com"), "test")
    assert second.pk != first.pk
    assert (first.reused_message_id, second.reused_message_id) == (False, True)
    assert (second.state, second.outcome) == ("processed", "new_ticket")
    assert {t.subject for t in Ticket.objects.filter(channel="email")} == {
        "Erste Frage",
        "Zweite Frage",
    }
    assert violations() == []


def test_two_long_message_ids_sharing_their_first_255_characters_are_two_messages(world, smtp):
    prefix = "x" * 300
    one = ingest(mail("Eins", msgid=f"{prefix}.1@example.com"), "test")
    two = ingest(mail("Zwei", msgid=f"{prefix}.2@example.com"), "test")
    assert one.pk != two.pk and not two.reused_message_id
    assert one.message_id == f"<{prefix}.1@example.com>"
    assert one.message_id_hash != two.message_id_hash
    # A reply naming the second's full ID joins the second's ticket, not the first's.
    reply = ingest(
        mail(
            "Re: Zwei",
            "Noch etwas.",
            msgid="reply-long@example.com",
            headers=f"In-Reply-To: <{prefix}.2@example.com>\r\n",
        ),
        "test",
    )
    assert (reply.outcome, reply.ticket_id) == ("reply", two.ticket_id)


def test_the_trace_list_leaves_every_other_header_and_the_body_in_the_comparison():
    data = mail("Betreff", "Text.", msgid="same@example.com")
    assert content_key(data.replace(b"Betreff", b"Andere")) != content_key(data)
    assert content_key(data.replace(b"Text.", b"Text!")) != content_key(data)
    assert content_key(b"X-Mailer: a\r\n" + data) != content_key(data)
    assert b"Received" not in without_trace(TRACE + data)
