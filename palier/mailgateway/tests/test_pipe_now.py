"""`palier mail ingest --now`: the lean one-process-per-mail start-up (pipe.lean_setup) brings
a mail to every ending the corpus has, in that process, and sends what each ending mails.

The lean process leaves apps out; whatever an ending imports (a template's tags, a notice's
helpers) must load without them. The in-process tests (test_corpus.py) run with every app
and cannot see that."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from palier.mailgateway.invariant import violations
from palier.mailgateway.models import OutboundMessage, RawMessage
from palier.mailgateway.tests.servers import (
    command_env,
    committing,
    ticket_refused_for_subject,
)
from palier.tickets.models import Message

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "palier" / "testing" / "eml"


def _endings() -> dict[tuple[str, str, str], str]:
    """One corpus mail for each ending the corpus expects: (state, outcome, error_code)."""
    expectations = json.loads((CORPUS / "expectations.json").read_text())
    found: dict[tuple[str, str, str], str] = {}
    for name in sorted(n for n in expectations if not n.startswith("_")):
        e = expectations[name]
        found.setdefault((e["state"], e.get("outcome", ""), e.get("error_code", "")), name)
    return found


def _now(data: bytes, port: int) -> RawMessage:
    done = subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest", "--now"],
        input=data,
        cwd=ROOT,
        env=command_env(port),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return RawMessage.objects.order_by("-id").first()


def _sent(kind: str, recipient: str) -> bool:
    return OutboundMessage.objects.filter(
        kind=kind, recipient=recipient.lower(), state="sent"
    ).exists()


@committing
def test_ingest_now_brings_a_mail_to_each_ending_and_sends_its_mail(world, threads, smtp_server):
    _sink, port = smtp_server
    endings = _endings()
    assert len(endings) >= 10  # new request, reply, refused, records, quarantines
    for (state, outcome, error_code), name in endings.items():
        data = (CORPUS / name).read_bytes()
        for placeholder, value in threads.refs().items():
            data = data.replace(placeholder, value)
        raw = _now(data, port)
        got = (raw.state, raw.outcome, raw.error_code if error_code else "")
        assert got == (state, outcome, error_code), (name, raw.error)
        if outcome == "new_ticket" and not raw.auto_submitted:
            assert _sent("created", raw.sender), name  # the acknowledgement
        if outcome == "reply" and raw.ticket.assignee_id:
            assert _sent("customer_reply", raw.ticket.assignee.email), name
        if error_code == "unknown_sender":
            assert _sent("unknown_sender", raw.sender), name
    assert not OutboundMessage.objects.exclude(state="sent").exists()
    assert violations() == []


@committing
def test_ingest_now_tells_an_unknown_sender_who_replies_to_a_ticket_reference(
    world, threads, smtp_server
):
    sink, port = smtp_server
    data = (
        f"From: Mallory <mallory@evil.example>\r\nTo: support+{threads.a.reference}"
        f"@palier.localhost\r\nSubject: Re: [{threads.a.reference}]\r\n"
        "Message-ID: <m08@example.com>\r\n\r\nA stranger replying to a customer's ticket\r\n"
    ).encode()
    raw = _now(data, port)
    assert (raw.state, raw.error_code) == ("quarantined", "unknown_sender"), raw.error
    assert _sent("unknown_sender", "mallory@evil.example")
    assert not Message.objects.filter(ticket=threads.a).exists()  # nothing added to it


@committing
def test_ingest_now_quarantines_a_failing_mail_with_its_error(world, smtp_server):
    _sink, port = smtp_server
    data = (
        b"From: anna.a@example.com\r\nSubject: boom\r\nMessage-ID: <boom-now@example.com>"
        b"\r\n\r\nText\r\n"
    )
    with ticket_refused_for_subject("boom"):
        raw = _now(data, port)
    assert (raw.state, raw.error_code) == ("quarantined", "processing_error")
    assert "boom refused" in raw.error
    assert violations() == []
