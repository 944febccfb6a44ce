"""Each message of the corpus (palier/testing/eml) ends as its expectation says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from palier.mailgateway.actions import ingest
from palier.mailgateway.models import OutboundMessage
from palier.tickets.models import Attachment, Message, Ticket, TicketEvent

CORPUS = Path(__file__).resolve().parents[2] / "testing" / "eml"
EXPECTATIONS = {
    name: value
    for name, value in json.loads((CORPUS / "expectations.json").read_text()).items()
    if not name.startswith("_")
}


def test_the_corpus_has_forty_messages_and_each_has_an_expectation():
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert len(files) >= 40
    assert files == set(EXPECTATIONS)


def _load(name: str, threads) -> bytes:
    data = (CORPUS / name).read_bytes()
    for placeholder, value in threads.refs().items():
        data = data.replace(placeholder, value)
    return data


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_corpus_message_ends_as_expected(name, world, threads, django_capture_on_commit_callbacks):
    expected = EXPECTATIONS[name]
    tickets_before = set(Ticket.objects.values_list("id", flat=True))
    mails_before = set(OutboundMessage.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        raw = ingest(_load(name, threads), "test")
    raw.refresh_from_db()
    assert (raw.state, raw.error_code if raw.state == "quarantined" else "") == (
        expected["state"],
        expected.get("error_code", "") if expected["state"] == "quarantined" else "",
    ), raw.error
    if "error_code" in expected and expected["state"] == "processed":
        assert raw.error_code == expected["error_code"]
    assert raw.outcome == expected.get("outcome", "")
    new = set(Ticket.objects.values_list("id", flat=True)) - tickets_before
    which = expected["ticket"]
    customers = {"a": world.customer_a, "b": world.customer_b, "expired": world.customer_expired}
    if which == "new":
        assert len(new) == 1 and raw.ticket_id in new
        ticket = raw.ticket
        assert ticket.customer == customers[expected["customer"]]
        assert ticket.channel == "email" and ticket.type is None
        body = ticket.description
    else:
        assert not new
        assert raw.ticket_id == (getattr(threads, which).pk if which else None)
        ticket = raw.ticket
        body = raw.ticket_message.body if raw.ticket_message_id else ""
    if "suggested_type" in expected:
        assert ticket.suggested_type == expected["suggested_type"]
    if "subject" in expected:
        assert ticket.subject == expected["subject"]
    for text in expected.get("body_contains", []):
        assert text in body
    for text in expected.get("body_excludes", []):
        assert text not in body
        if raw.ticket_message_id:
            assert text not in raw.ticket_message.body_html
    for text in expected.get("full_text_contains", []):
        assert text in raw.full_text
    if "attachments" in expected:
        got = [[a.filename, a.inline] for a in Attachment.objects.filter(ticket=ticket)]
        assert got == expected["attachments"]
        for attachment in Attachment.objects.filter(ticket=ticket):
            assert attachment.file.read()
    if "event" in expected:
        assert TicketEvent.objects.filter(
            ticket=ticket, kind=expected["event"], internal=True
        ).exists()
    if "mails" in expected:
        kinds = sorted(
            OutboundMessage.objects.exclude(id__in=mails_before).values_list("kind", flat=True)
        )
        assert kinds == sorted(expected["mails"])


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_corpus_message_delivered_twice_creates_nothing_new(name, world, threads):
    data = _load(name, threads)
    first = ingest(data, "test")
    counts = (Ticket.objects.count(), Message.objects.count(), OutboundMessage.objects.count())
    again = ingest(data, "test")
    assert again.pk == first.pk
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        OutboundMessage.objects.count(),
    ) == counts
