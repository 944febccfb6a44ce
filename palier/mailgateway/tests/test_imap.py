"""IMAP polling against a real Dovecot: stored first, marked or moved after, never twice."""

from __future__ import annotations

from palier.mailgateway.actions import store_raw
from palier.mailgateway.fetchers.imap import Mailbox, fetch
from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.servers import dovecot  # noqa: F401 - fixture
from palier.tickets.models import Ticket


def _mail(i: int, sender: str = "anna.a@example.com") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@palier.localhost\r\nSubject: Frage {i}\r\n"
        f"Message-ID: <imap-{i}@example.com>\r\n\r\nWie drucke ich Beleg {i}?\r\n"
    ).encode()


def test_fetched_mail_becomes_tickets_and_is_marked_seen_so_a_second_poll_adds_nothing(
    world,
    smtp,
    dovecot,  # noqa: F811
):
    client = dovecot.client()
    for i in range(3):
        client.append("INBOX", _mail(i))
    box = Mailbox.from_url(dovecot.url)
    assert fetch(box) == 3
    assert Ticket.objects.filter(channel="email").count() == 3
    client.select_folder("INBOX")
    assert client.search(["UNSEEN"]) == []
    assert fetch(box) == 0
    assert Ticket.objects.filter(channel="email").count() == 3


def test_with_a_done_folder_mail_is_moved_only_once_stored(world, smtp, dovecot):  # noqa: F811
    client = dovecot.client()
    client.append("INBOX", _mail(1))
    client.append("INBOX", _mail(2, sender="stranger@unknown.example"))
    box = Mailbox.from_url(dovecot.url, done_folder="Palier-Stored")
    assert fetch(box) == 2
    client.select_folder("INBOX")
    assert client.search(["ALL"]) == []
    client.select_folder("Palier-Stored")
    assert len(client.search(["ALL"])) == 2
    states = sorted(RawMessage.objects.values_list("state", flat=True))
    assert states == ["processed", "quarantined"]


def test_a_message_stored_before_a_crash_is_fetched_again_without_a_duplicate(
    world,
    smtp,
    dovecot,  # noqa: F811
):
    client = dovecot.client()
    client.append("INBOX", _mail(7))
    store_raw(_mail(7), "imap:earlier-run")  # stored, then the process died before \Seen
    fetch(Mailbox.from_url(dovecot.url))
    assert RawMessage.objects.count() == 1
    assert RawMessage.objects.get().state == "processed"
    assert Ticket.objects.filter(channel="email").count() == 1
