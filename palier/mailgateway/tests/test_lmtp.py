"""The LMTP/SMTP listener, fed by smtplib over loopback: 250 once stored, 451 when not; the
processing is then the worker's (the database task backend, as in production)."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from palier.mailgateway import lmtp
from palier.mailgateway.actions import process_stored
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.servers import DATABASE_TASKS, command_env, committing, free_port
from palier.tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[3]
MAIL = (
    b"From: Anna Keller <anna.a@example.com>\r\nTo: support@palier.localhost\r\n"
    b"Subject: Fehler im Mahnlauf\r\nMessage-ID: <lmtp-1@example.com>\r\n\r\n"
    b"Der Mahnlauf bricht mit Fehler 3 ab.\r\n"
)


@pytest.fixture
def listener(settings):
    """A listener as in production: it stores and queues, and `drain` then runs the worker
    (`palier worker --batch`, in this process) on what was queued."""
    settings.TASKS = DATABASE_TASKS
    started = []

    def start(lmtp_mode: bool = True, now: bool = False):
        port = free_port()
        started.append(lmtp.start("127.0.0.1", port, lmtp=lmtp_mode, now=now))
        return port

    def drain():
        for controller in started:
            controller.handler.drain()
        call_command("worker", "--batch", verbosity=0)

    start.drain = drain
    start.controllers = started
    yield start
    for controller in started:
        controller.stop()


def _process_mail_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="process_mail"))


@committing
def test_a_message_delivered_over_lmtp_becomes_a_ticket(world, smtp, listener):
    port = listener()
    with smtplib.LMTP("127.0.0.1", port) as client:
        refused = client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL)
    assert refused == {}
    listener.drain()
    raw = RawMessage.objects.get(message_id="<lmtp-1@example.com>")
    assert (raw.state, raw.outcome, raw.source) == ("processed", "new_ticket", "lmtp")
    assert Ticket.objects.get(pk=raw.ticket_id).subject == "Fehler im Mahnlauf"


@committing
def test_the_same_message_delivered_twice_over_smtp_is_stored_once(world, smtp, listener):
    port = listener(lmtp_mode=False)
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL)
    listener.drain()
    assert RawMessage.objects.count() == 1
    assert Ticket.objects.filter(channel="email").count() == 1


@committing
def test_when_the_message_cannot_be_stored_the_sender_is_told_to_retry(world, smtp, listener):
    port = listener()
    table = RawMessage._meta.db_table
    with connection.cursor() as cursor:  # the store is gone: a real failure to write
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with (
            smtplib.LMTP("127.0.0.1", port) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL)
        assert refused.value.smtp_code == 451
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    with smtplib.LMTP("127.0.0.1", port) as client:  # the sender's retry
        assert client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL) == {}
    listener.drain()
    assert RawMessage.objects.get().state == "processed"


def _lmtp_session(port: int, recipients: list[str], data: bytes, mail_from: str) -> list[bytes]:
    """Speak LMTP by hand (smtplib reads one reply after DATA): the reply lines to DATA."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        stream = sock.makefile("rwb")

        def command(line: bytes) -> bytes:
            stream.write(line + b"\r\n")
            stream.flush()
            return _reply(stream)

        _reply(stream)  # greeting
        assert command(b"LHLO test.example").startswith(b"250")
        assert command(mail_from).startswith(b"250")
        for rcpt in recipients:
            assert command(f"RCPT TO:<{rcpt}>".encode()).startswith(b"250")
        assert command(b"DATA").startswith(b"354")
        stream.write(data.rstrip(b"\r\n") + b"\r\n.\r\n")
        stream.flush()
        replies = [_reply(stream) for _ in recipients]
        command(b"QUIT")
        return replies


def _reply(stream) -> bytes:
    lines = [stream.readline()]
    while lines[-1][3:4] == b"-":
        lines.append(stream.readline())
    return b"".join(lines)


@committing
def test_lmtp_answers_data_once_per_accepted_recipient(world, smtp, listener):
    port = listener()
    rcpts = ["support@palier.localhost", "help@palier.localhost", "sales@palier.localhost"]
    replies = _lmtp_session(port, rcpts, MAIL, b"MAIL FROM:<anna.a@example.com>")
    assert [r[:3] for r in replies] == [b"250"] * 3
    listener.drain()
    assert RawMessage.objects.count() == 1 and Ticket.objects.filter(channel="email").count() == 1


@committing
def test_lmtp_takes_raw_utf8_headers_with_smtputf8(world, smtp, listener):
    port = listener()
    data = (
        "From: Anna Dübois <anna.a@example.com>\r\nTo: support@palier.localhost\r\n"
        "Subject: Grüße – Mahnlauf\r\nMessage-ID: <utf8-lmtp@example.com>\r\n\r\nHallo\r\n"
    ).encode()
    [reply] = _lmtp_session(
        port, ["support@palier.localhost"], data, b"MAIL FROM:<anna.a@example.com> SMTPUTF8"
    )
    assert reply.startswith(b"250")
    listener.drain()
    raw = RawMessage.objects.get()
    assert (raw.outcome, raw.subject) == ("new_ticket", "Grüße – Mahnlauf")


@committing
def test_a_message_with_lines_longer_than_1000_characters_is_stored(world, smtp, listener):
    # What `mail ingest` takes, LMTP takes: a mailer's unwrapped 8-bit HTML, a header of
    # thousands of recipients. A 500 here would return a customer's request to its sender.
    port = listener()
    long_to = ", ".join(f"user{i}@example.com" for i in range(300))
    mail = (
        b"From: Anna Keller <anna.a@example.com>\r\nTo: support@palier.localhost, "
        + long_to.encode()
        + b"\r\nSubject: Lange Zeile\r\nMessage-ID: <lmtp-long@example.com>\r\n\r\n"
        + b"Der Export bricht ab. " * 2000
        + b"\r\n"
    )
    with smtplib.LMTP("127.0.0.1", port) as client:
        refused = client.sendmail("anna.a@example.com", ["support@palier.localhost"], mail)
    assert refused == {}
    listener.drain()
    raw = RawMessage.objects.get(message_id="<lmtp-long@example.com>")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert raw.size == len(mail)


@committing
def test_the_listener_answers_once_stored_and_a_worker_process_brings_it_to_its_ending(
    world, smtp_server, listener
):
    _sink, smtp_port = smtp_server
    port = listener()
    with smtplib.LMTP("127.0.0.1", port) as client:
        assert client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL) == {}
    # Answered: the bytes and their task are committed, and nothing is processed yet.
    raw = RawMessage.objects.get()
    assert (raw.state, raw.source) == ("stored", "lmtp")
    [task] = _process_mail_tasks()
    assert (task.status, task.args_kwargs["args"]) == ("READY", [raw.pk])
    assert not Ticket.objects.filter(channel="email").exists()
    env = {
        **command_env(smtp_port),
        "PALIER_ENV": "production",
        "PALIER_SECRET_KEY": "lmtp-queue-test-" + "x" * 50,
        "PALIER_ALLOWED_HOSTS": "localhost",
    }
    worker = subprocess.run(
        [sys.executable, "-m", "palier.cli", "worker", "--batch"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    raw.refresh_from_db()
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert Ticket.objects.get(pk=raw.ticket_id).subject == "Fehler im Mahnlauf"
    [task] = _process_mail_tasks()
    assert task.status == "SUCCESSFUL"
    assert violations() == []


@committing
def test_a_row_the_sweep_processed_first_is_not_processed_again_by_its_task(world, smtp, listener):
    # The listener stopped after the commit, and `palier mail process` (or the worker's
    # sweep) reached the row before the task did: one ending, one ticket.
    port = listener()
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL)
    assert process_stored() == (1, 0)
    listener.drain()
    raw = RawMessage.objects.get()
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert Ticket.objects.filter(channel="email").count() == 1
    [task] = _process_mail_tasks()
    assert task.status == "SUCCESSFUL"
    assert violations() == []


@committing
def test_with_now_the_listener_processes_itself_and_queues_nothing(world, smtp, listener):
    port = listener(now=True)  # a desk without a worker
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("anna.a@example.com", ["support@palier.localhost"], MAIL)
    listener.controllers[0].handler.drain()  # the listener's own threads; no worker runs
    raw = RawMessage.objects.get()
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert _process_mail_tasks() == []
