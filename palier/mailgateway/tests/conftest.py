"""A real SMTP server (aiosmtpd) on loopback receives what the desk sends, and the threads
that the corpus replies to."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from palier.mailgateway.models import OutboundMessage
from palier.tickets.actions import do_open_ticket
from palier.tickets.models import Ticket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Collects every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.refuse = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse if isinstance(self.refuse, str) else "451 4.3.0 Try again later"
        parsed = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _f, rcpts, m in self.messages if address in rcpts]


@pytest.fixture(scope="session")
def smtp_server():
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    sink, port = smtp_server
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "support@palier.localhost"
    sink.messages.clear()
    sink.refuse = False
    return sink


@dataclass
class Threads:
    a: Ticket
    b: Ticket
    old: Ticket

    def refs(self) -> dict[bytes, bytes]:
        return {
            b"{REF_A}": self.a.reference.encode(),
            b"{REF_B}": self.b.reference.encode(),
            b"{REF_OLD}": self.old.reference.encode(),
        }


def _thread(contact, subject: str, out_id: str, request_type: str | None) -> Ticket:
    ticket = do_open_ticket(
        acting_user=contact,
        customer=contact.customer,
        contact=contact,
        request_type=request_type,
        subject=subject,
        description="(set up by the test)",
    )
    OutboundMessage.objects.create(
        ticket=ticket,
        kind="reply",
        message_id=out_id,
        recipient=contact.email,
        subject=subject,
        raw=b"",
        state="sent",
    )
    return ticket


@pytest.fixture
def threads(world, smtp) -> Threads:
    made = Threads(
        a=_thread(world.contact_a, "Fehler beim Export", "<out-a.1@palier.localhost>", "usage"),
        b=_thread(world.contact_b, "Question TVA", "<out-b.1@palier.localhost>", "usage"),
        old=_thread(world.contact_expired, "Printing fails", "<out-old.1@palier.localhost>", None),
    )
    world.agent.email = "lena.agent@example.com"
    made.a.assignee = world.agent
    made.a.save(update_fields=["assignee"])
    return made
