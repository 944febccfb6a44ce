"""`palier mail ingest` as an MTA pipe: one message on stdin, exit 0 once stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from palier.mailgateway.actions import store_raw
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.servers import (
    command_env,
    committing,
    ticket_refused_for_subject,
)

ROOT = Path(__file__).resolve().parents[3]
MAIL = (
    b"From: Anna Keller <anna.a@example.com>\r\nSubject: Frage zum Export\r\n"
    b"Message-ID: <pipe-1@example.com>\r\n\r\nWie exportiere ich Offerten?\r\n"
)


def _pipe(data: bytes, smtp_port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest"],
        input=data,
        cwd=ROOT,
        env=command_env(smtp_port),
        capture_output=True,
        timeout=120,
    )


@committing
def test_a_message_piped_to_palier_mail_ingest_becomes_a_ticket_once(world, smtp_server):
    _sink, port = smtp_server
    for _ in range(2):
        done = _pipe(MAIL, port)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    raw = RawMessage.objects.get()
    assert (raw.source, raw.state, raw.outcome) == ("stdin", "processed", "new_ticket")


@committing
def test_when_the_database_is_unreachable_the_mta_is_told_to_retry(world, smtp_server):
    _sink, port = smtp_server
    env = command_env(port)
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    done = subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest"],
        input=MAIL,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 75  # EX_TEMPFAIL: the MTA keeps the message and retries


@committing
def test_an_empty_message_exits_65_and_stores_nothing(world, smtp_server):
    _sink, port = smtp_server
    for data in (b"", b" \r\n\r\n"):
        done = _pipe(data, port)
        assert done.returncode == 65, done.stderr.decode()[-2000:]
    assert RawMessage.objects.count() == 0


@committing
def test_nul_in_the_subject_and_the_message_id_is_stored_and_processed_once(world, smtp_server):
    _sink, port = smtp_server
    data = (
        b"From: anna.a@example.com\r\nSubject: Export\x00 kaputt\r\n"
        b"Message-ID: <nul\x00-pipe@example.com>\r\n\r\nDer Export bricht ab.\r\n"
    )
    for _ in range(2):  # the MTA's retry of an acknowledged message adds nothing
        done = _pipe(data, port)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    raw = RawMessage.objects.get()
    assert (raw.state, raw.outcome, raw.subject) == ("processed", "new_ticket", "Export kaputt")
    assert bytes(raw.raw) == data


@committing
def test_mail_process_brings_every_stored_row_to_an_ending_past_a_failing_one(world, smtp_server):
    """A real database failure (a trigger refuses one ticket) quarantines that row with the
    exception's class and message; the rows after it are processed."""
    _sink, port = smtp_server
    for i, subject in enumerate(["Eins", "boom", "Drei"]):
        store_raw(
            f"From: anna.a@example.com\r\nSubject: {subject}\r\nMessage-ID: <proc-{i}@example.com>"
            f"\r\n\r\nText {i}\r\n".encode(),
            "test",
        )
    with ticket_refused_for_subject("boom"):
        done = subprocess.run(
            [sys.executable, "-m", "palier.cli", "mail", "process"],
            cwd=ROOT,
            env=command_env(port),
            capture_output=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    rows = {r.subject: r for r in RawMessage.objects.all()}
    assert (rows["Eins"].outcome, rows["Drei"].outcome) == ("new_ticket", "new_ticket")
    boom = rows["boom"]
    assert (boom.state, boom.error_code) == ("quarantined", "processing_error")
    assert "boom refused" in boom.error and "Error" in boom.error
    assert violations() == []


@committing
def test_ingest_stores_and_queues_and_the_worker_processes_it(world, smtp_server):
    """As in production (the database task backend): the pipe only stores the mail and queues
    its processing, in one transaction; `palier worker` brings it to its ending."""
    _sink, port = smtp_server
    env = {
        **command_env(port),
        "PALIER_ENV": "production",
        "PALIER_SECRET_KEY": "queue-test-" + "x" * 50,
        "PALIER_ALLOWED_HOSTS": "localhost",
    }
    done = subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest"],
        input=MAIL,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert RawMessage.objects.get().state == "stored"
    worker = subprocess.run(
        [sys.executable, "-m", "palier.cli", "worker", "--batch"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    raw = RawMessage.objects.get()
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert violations() == []
