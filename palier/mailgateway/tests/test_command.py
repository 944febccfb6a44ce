"""`palier mail ingest` as an MTA pipe: one message on stdin, exit 0 once stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.servers import command_env, committing

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
