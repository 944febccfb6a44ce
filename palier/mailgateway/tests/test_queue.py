"""A worker takes the queued `process_mail` tasks by batches: every message ends once, a
failing row is quarantined while the batch goes on, and a worker that dies holding a claimed
batch leaves its rows to the sweep."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from palier.mailgateway import queue
from palier.mailgateway.actions import process_stored, store_and_queue
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import OutboundMessage, RawMessage
from palier.mailgateway.tests.servers import (
    DATABASE_TASKS,
    committing,
    ticket_refused_for_subject,
)
from palier.tickets.models import Ticket


def _mail(i: int, subject: str = "") -> bytes:
    return (
        f"From: anna.a@example.com\r\nSubject: {subject or f'Frage {i}'}\r\n"
        f"Message-ID: <queue-{i}@example.com>\r\n\r\nWie drucke ich Beleg {i}?\r\n"
    ).encode()


def _tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="process_mail"))


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@committing
def test_one_worker_run_takes_the_queued_tasks_by_batches_and_each_message_ends_once(
    world, smtp, database_tasks, monkeypatch
):
    monkeypatch.setattr(queue, "BATCH", 4)
    monkeypatch.setattr(queue, "DRAIN_SECONDS", 600)  # a slow machine: one task drains all
    for i in range(11):
        store_and_queue(_mail(i), "lmtp")
    call_command("worker", "--batch", verbosity=0)
    raws = list(RawMessage.objects.all())
    assert [r.state for r in raws] == ["processed"] * 11
    assert Ticket.objects.filter(channel="email").count() == 11
    assert len({r.ticket_id for r in raws}) == 11
    tasks = _tasks()
    assert {t.status for t in tasks} == {"SUCCESSFUL"}
    assert {t.return_value for t in tasks} == {"processed new_ticket"}
    # The first task is claimed by the task loop, the ten others by three batch claims.
    assert len({t.started_at for t in tasks}) == 4
    assert violations() == []


@committing
def test_a_row_that_fails_in_a_batch_is_quarantined_and_the_others_end(world, smtp, database_tasks):
    for i, subject in enumerate(["Eins", "Zwei", "boom", "Vier"]):
        store_and_queue(_mail(i, subject), "lmtp")
    with ticket_refused_for_subject("boom"):
        call_command("worker", "--batch", verbosity=0)
    rows = {r.subject: r for r in RawMessage.objects.all()}
    assert [rows[s].outcome for s in ("Eins", "Zwei", "Vier")] == ["new_ticket"] * 3
    assert (rows["boom"].state, rows["boom"].error_code) == ("quarantined", "processing_error")
    assert {t.status for t in _tasks()} == {"SUCCESSFUL"}
    assert violations() == []


@committing
def test_a_row_whose_quarantine_fails_in_a_batch_stays_stored_and_its_task_is_failed(
    world, smtp, database_tasks, monkeypatch
):
    from palier.mailgateway import actions

    def quarantine_fails(raw_id, *args, **kwargs):
        raise RuntimeError("the quarantine failed too")

    monkeypatch.setattr(actions, "_quarantine", quarantine_fails)
    for i, subject in enumerate(["Eins", "boom", "Drei"]):
        store_and_queue(_mail(i, subject), "lmtp")
    with ticket_refused_for_subject("boom"):
        call_command("worker", "--batch", verbosity=0)
    rows = {r.subject: r.state for r in RawMessage.objects.all()}
    assert RawMessage.objects.filter(state="stored").count() == 1
    assert RawMessage.objects.filter(state="processed").count() == 2
    statuses = sorted(t.status for t in _tasks())
    assert statuses == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"], rows
    [failed] = [t for t in _tasks() if t.status == "FAILED"]
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "the quarantine failed too" in failed.traceback


@committing
def test_a_batch_claimed_by_a_worker_that_died_is_brought_to_its_endings_by_the_sweep(
    world, smtp, database_tasks
):
    for i in range(5):
        store_and_queue(_mail(i), "lmtp")
    claimed = queue.claim("a-worker-killed-after-its-claim", limit=3)
    assert len(claimed) == 3
    # Another worker takes what was not claimed, and only that.
    assert queue.drain_queued("another-worker") == 2
    assert RawMessage.objects.filter(state="stored").count() == 3
    assert process_stored() == (3, 0)  # the minute's sweep, or `palier mail process`
    call_command("worker", "--batch", verbosity=0)  # nothing is left to take
    assert RawMessage.objects.filter(state="stored").count() == 0
    assert Ticket.objects.filter(channel="email").count() == 5
    assert violations() == []


def _queue_replies(count: int) -> None:
    from palier.mailgateway import outbound

    for i in range(count):
        outbound.queue(
            outbound.Mail(
                kind="reply",
                to_address=f"queue{i}@example.com",
                to_name="",
                language="de",
                subject=f"Antwort {i}",
                paragraphs=["x"],
            )
        )


@committing
def test_queued_mails_are_sent_by_batches_over_one_smtp_connection(
    world, smtp, database_tasks, monkeypatch
):
    from palier.mailgateway import outbound

    connections = []
    connect = outbound._connect
    monkeypatch.setattr(outbound, "_connect", lambda: connections.append(1) or connect())
    sent_before = len(smtp.messages)
    _queue_replies(5)
    call_command("worker", "--batch", verbosity=0)
    assert len(smtp.messages) - sent_before == 5
    assert connections == [1]
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}
    sending = DBTaskResult.objects.filter(task_path__endswith="send_outbound")
    assert set(sending.values_list("status", flat=True)) == {"SUCCESSFUL"}


@committing
def test_a_mail_whose_sending_raises_in_a_batch_is_failed_with_its_error_and_retried(
    world, smtp, database_tasks, monkeypatch
):
    from palier.mailgateway import outbound

    deliver = outbound._Session._deliver

    def breaks_on_one(session, raw, recipient):
        if recipient == "queue2@example.com":
            raise ValueError("the mail could not be encoded")
        return deliver(session, raw, recipient)

    monkeypatch.setattr(outbound._Session, "_deliver", breaks_on_one)
    _queue_replies(4)
    call_command("worker", "--batch", verbosity=0)
    states = dict(OutboundMessage.objects.values_list("recipient", "state"))
    assert states.pop("queue2@example.com") == "failed"
    assert set(states.values()) == {"sent"}
    failed = OutboundMessage.objects.get(recipient="queue2@example.com")
    [attempt] = failed.attempt_log.all()
    assert (attempt.ok, attempt.error) == (False, "the mail could not be encoded")
    sending = DBTaskResult.objects.filter(task_path__endswith="send_outbound")
    by_status = {}
    for result in sending:
        by_status.setdefault(result.status, []).append(result)
    [broken] = by_status.pop("FAILED")
    assert broken.exception_class_path == "builtins.ValueError"
    assert "the mail could not be encoded" in broken.traceback
    assert len(by_status.pop("SUCCESSFUL")) == 3
    # Its retry is queued (a delay: not yet ready), nothing else is left.
    assert set(by_status) == {"READY"}
    [retry] = by_status["READY"]
    assert retry.args_kwargs["args"] == [failed.pk]
