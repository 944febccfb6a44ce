"""The invariant, shown on generated mail: every message the desk acknowledges ends in
exactly one ending with its raw bytes kept (invariant.py), and words never make a record of
a person's mail — through the pipeline every way in shares, and through each way in itself:
`palier mail ingest` (one process per mail), the LMTP listener and an IMAP mailbox (Dovecot)."""

from __future__ import annotations

import smtplib
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from palier.mailgateway import lmtp
from palier.mailgateway.actions import ingest
from palier.mailgateway.fetchers.imap import Mailbox, fetch
from palier.mailgateway.identity import content_key
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import RECORD_OUTCOMES, RawMessage
from palier.mailgateway.tests.generated import Generated, mails
from palier.mailgateway.tests.servers import (
    DATABASE_TASKS,
    command_env,
    committing,
    dovecot,  # noqa: F401 - fixture
    free_port,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def _check(acknowledged: list[Generated]) -> None:
    """Every acknowledged mail has its row; a row is a record only when its bytes prove it."""
    assert violations() == []
    rows = {
        r.dedup_key: r
        for r in RawMessage.objects.filter(
            dedup_key__in=[content_key(m.data) for m in acknowledged]
        )
    }
    for mail in acknowledged:
        row = rows.get(content_key(mail.data))
        assert row is not None, f"acknowledged, not stored: {mail.data[:300]!r}"
        if not mail.may_be_a_record:
            assert row.outcome not in RECORD_OUTCOMES, (row.outcome, mail.data[:500])


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
@given(batch=st.lists(mails(), min_size=1, max_size=4))
def test_every_generated_mail_ends_in_exactly_one_ending(world, threads, batch):
    for mail in batch:
        ingest(mail.data, "test")
    _check(batch)


def _pipe(data: bytes, port: int) -> int:
    return subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest"],
        input=data,
        cwd=ROOT,
        env=command_env(port),
        capture_output=True,
        timeout=120,
    ).returncode


def _lmtp(data: bytes, port: int) -> bool:
    options = [] if data.isascii() else ["SMTPUTF8"]
    with smtplib.LMTP("127.0.0.1", port) as client:
        try:
            client.sendmail("sender@example.com", ["support@palier.localhost"], data, options)
        except smtplib.SMTPDataError:
            return False
    return True


def _imap(mails_in: list[bytes], box) -> list[bytes]:
    """Append to the mailbox, poll it once; the bytes of every message the desk marked."""
    client = box.client()
    client.select_folder("INBOX")
    for data in mails_in:
        try:
            client.append("INBOX", data)
        except Exception:  # noqa: BLE001 - Dovecot refuses some (NUL): never delivered
            continue
    fetch(Mailbox.from_url(box.url))
    client.select_folder("INBOX")
    seen = client.search(["SEEN"])
    fetched = client.fetch(seen, ["BODY.PEEK[]"]) if seen else {}
    client.delete_messages(seen)
    client.expunge()
    client.logout()
    return [item[b"BODY[]"] for item in fetched.values()]


@committing
@settings(max_examples=10, deadline=None, suppress_health_check=FIXTURES)
@given(batch=st.lists(st.tuples(mails(), st.sampled_from(["pipe", "lmtp", "imap"])), max_size=4))
def test_every_way_in_acknowledges_only_what_it_stored(
    world,
    threads,
    smtp_server,
    dovecot,  # noqa: F811
    batch,
):
    _sink, smtp_port = smtp_server
    port = free_port()
    # As in production: the listener stores and queues, and the worker processes.
    overridden = override_settings(TASKS=DATABASE_TASKS)
    overridden.enable()
    listener = lmtp.start("127.0.0.1", port)
    acknowledged: list[Generated] = []
    try:
        for mail, way in batch:
            event(way)
            if way == "pipe":
                code = _pipe(mail.data, smtp_port)
                assert code in (0, 65), code  # 75 only when the database is unreachable
                if code == 0:
                    acknowledged.append(mail)
            elif way == "lmtp" and _lmtp(mail.data, port):
                acknowledged.append(mail)
        listener.handler.drain()
        call_command("worker", "--batch", verbosity=0)
        imap_in = [mail for mail, way in batch if way == "imap"]
        marked = _imap([m.data for m in imap_in], dovecot)
        by_key = {content_key(m.data): m for m in imap_in}
        event(f"imap: {len(marked)} of {len(imap_in)} marked")
        for data in marked:  # what Dovecot returns may differ in line ends only
            acknowledged.append(
                by_key.get(content_key(data)) or Generated(data, True, True, True, False)
            )
    finally:
        listener.stop()
        overridden.disable()
    _check(acknowledged)
