"""Mail at speed: messages ingested per second (store, parse, thread, decide) and the worker's
send rate to a local SMTP server (aiosmtpd on loopback).

    .venv/bin/python bench/mail_ingest.py --db sqlite --messages 2000
    .venv/bin/python bench/mail_ingest.py --db postgres --messages 2000

Its own data set (`mail`, dropped and migrated first): 20 customers (one with an expired
contract) with 5 contacts each. The inbound mix: new requests in four languages (a third in
HTML, one in ten with a PDF), then replies threaded by the reference in their subject, mail
from unknown senders (quarantined, answered once), out-of-office replies and bounces. Each
message goes through `ingest`, the path of IMAP, LMTP and `palier mail ingest` alike.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import reset_database, setup_django  # noqa: E402

TEXTS = [
    ("de", "Fehler beim Drucken", "Beim Drucken des Lieferscheins erscheint Fehler 4711."),
    ("fr", "Comment annuler une facture ?", "Comment annuler une facture déjà comptabilisée ?"),
    ("it", "Corso di formazione", "Vorremmo un corso di formazione per due nuovi colleghi."),
    ("en", "Please add a column", "Please add a column 'delivery zone' to the order list."),
]
# Lines of 76 characters, as mailers send it (LMTP refuses lines over 1,000 bytes).
PDF = base64.encodebytes(b"%PDF-1.4\n" + b"0" * 20000 + b"\n%%EOF\n").decode().replace("\n", "\r\n")


def _message(
    i: int, sender: str, subject: str, body: str, rng: random.Random, extra: str = ""
) -> bytes:
    head = (
        f"From: {sender}\r\nTo: support@palier.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <bench-{i}@mail.example.com>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0100"
        f"\r\n{extra}MIME-Version: 1.0\r\n"
    )
    roll = rng.random()
    if roll < 0.1:
        return (
            head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--b\r\n"
            'Content-Type: application/pdf; name="scan.pdf"\r\nContent-Transfer-Encoding: '
            'base64\r\nContent-Disposition: attachment; filename="scan.pdf"\r\n\r\n'
            + PDF
            + "\r\n--b--\r\n"
        ).encode()
    if roll < 0.4:
        return (
            head + 'Content-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--a\r\n"
            "Content-Type: text/html; charset=utf-8\r\n\r\n<div><p>"
            + body
            + "</p><script>x()</script></div>\r\n--a--\r\n"
        ).encode()
    return (
        head
        + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + body
        + "\r\n"
        + "\r\nAm 27.11.2026 schrieb Support:\r\n> Alte Nachricht\r\n> Zitat\r\n"
    ).encode()


def _world() -> list:
    from palier.testing.factories import make_customer, make_user

    contacts = []
    for c in range(20):
        lang = TEXTS[c % 4][0]
        customer = make_customer(
            f"mail-{c}", language=lang, **({"start_days": -500, "end_days": -30} if c == 19 else {})
        )
        for k in range(5):
            contacts.append(make_user(f"c{c}.p{k}", customer=customer, language=lang))
    return contacts


def _inbound(n: int, contacts: list, rng: random.Random) -> list[tuple[str, int, str, str]]:
    """(kind, i, sender, subject/body choice) plan; replies are built once tickets exist."""
    plan = []
    for i in range(n):
        roll = rng.random()
        kind = (
            "new"
            if roll < 0.6
            else "reply"
            if roll < 0.85
            else "unknown"
            if roll < 0.93
            else "auto"
            if roll < 0.97
            else "bounce"
        )
        plan.append((kind, i, rng.choice(contacts).email, ""))
    return plan


def _build(
    kind: str, i: int, sender: str, rng: random.Random, refs: list[tuple[str, str]]
) -> bytes:
    _lang, subject, body = rng.choice(TEXTS)
    if kind == "reply" and refs:
        ref, author = rng.choice(refs)  # the contact who opened it answers in its thread
        return _message(i, author, f"Re: [{ref}] {subject}", "Danke, noch eine Frage.", rng)
    if kind == "unknown":
        return _message(i, f"someone{i}@unknown{i % 50}.example", subject, body, rng)
    if kind == "auto":
        return _message(
            i,
            sender,
            "Automatic reply: " + subject,
            "Out of office.",
            rng,
            extra="Auto-Submitted: auto-replied\r\n",
        )
    if kind == "bounce":
        return (
            f"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\nMessage-ID: "
            f"<bounce-{i}@mx.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report;"
            f' report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: '
            f"text/plain\r\n\r\nFailed.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; x@example.com\r\n"
            f"Action: failed\r\nStatus: 5.1.1\r\n\r\n--r--\r\n"
        ).encode()
    return _message(i, sender, subject, body, rng)


def bench_ingest(n: int, rng: random.Random) -> dict:
    from palier.mailgateway.actions import ingest
    from palier.mailgateway.models import RawMessage

    contacts = _world()
    plan = _inbound(n, contacts, rng)
    refs: list[tuple[str, str]] = []
    timings = []
    started = time.perf_counter()
    for kind, i, sender, _ in plan:
        data = _build(kind, i, sender, rng, refs)
        t0 = time.perf_counter()
        raw = ingest(data, "bench")
        timings.append(time.perf_counter() - t0)
        if raw.outcome == "new_ticket" and raw.ticket_id:
            refs.append((raw.ticket.reference, sender))
    elapsed = time.perf_counter() - started
    t0 = time.perf_counter()
    again = sum(
        1
        for kind, i, sender, _ in plan[:200]
        if ingest(_build(kind, i, sender, random.Random(i), refs), "bench")
    )
    dup = (time.perf_counter() - t0) / max(again, 1)
    outcomes: dict[str, int] = {}
    for state, outcome in RawMessage.objects.values_list("state", "outcome"):
        key = outcome or state
        outcomes[key] = outcomes.get(key, 0) + 1
    timings.sort()
    return {
        "messages": n,
        "seconds": round(elapsed, 2),
        "per_second": round(n / elapsed, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 1),
        "duplicate_delivery_ms": round(dup * 1000, 2),
        "outcomes": outcomes,
    }


def bench_send(m: int, port: int) -> dict:
    from aiosmtpd.controller import Controller

    from palier.mailgateway.outbound import Mail, queue, send_outbound

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ids = []
        for i in range(m):
            out = queue(
                Mail(
                    kind="reply",
                    to_address=f"r{i}@example.com",
                    to_name=f"Kunde {i}",
                    language=("de", "fr", "it", "en")[i % 4],
                    subject=f"[PAL-2026-{i:06d}] T",
                    paragraphs=["Ihre Anfrage wurde beantwortet."],
                    quote="Text " * 80,
                )
            )
            ids.append(out.pk)
        started = time.perf_counter()
        for pk in ids:
            send_outbound.call(pk)
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "mails": m,
        "seconds": round(elapsed, 2),
        "per_second": round(m / elapsed, 1),
        "received": Sink.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--mails", type=int, default=500)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.update(
        PALIER_SMTP_HOST="127.0.0.1",
        PALIER_SMTP_PORT=str(port),
        PALIER_FROM_EMAIL="support@palier.localhost",
    )
    reset_database(args.db, "mail")
    setup_django(args.db, "mail")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    result = {
        "db": args.db,
        "ingest": bench_ingest(args.messages, rng),
        "send": bench_send(args.mails, port),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
