"""A batch of tasks whose end could not be written does not stay RUNNING for ever: it is
claimed again after its lease (safe: each mail's state is checked under its lock), and a task
claimed CLAIMS times without an end is recorded failed. The database really refuses the
finish (a trigger), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from palier.mailgateway import outbound, queue
from palier.mailgateway.models import OutboundMessage
from palier.mailgateway.tests.servers import DATABASE_TASKS, committing
from palier.testing.refused_writes import updates_refused

TABLE = DBTaskResult._meta.db_table


def finish_cannot_be_written():
    """The database refuses to write a task as ended."""
    return updates_refused(TABLE, "NEW.status IN ('SUCCESSFUL', 'FAILED')")


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(queue, "FINISH_PAUSE", 0.01)


def _queue_replies(count: int) -> None:
    for i in range(count):
        outbound.queue(
            outbound.Mail(
                kind="reply",
                to_address=f"unfinished{i}@example.com",
                to_name="",
                language="de",
                subject=f"Antwort {i}",
                paragraphs=["x"],
            )
        )


def _drain(worker: str) -> int:
    with outbound._Session() as session:
        return queue.drain_tasks(
            outbound.send_outbound, lambda pk: outbound._send_one(pk, session), worker
        )


def _statuses() -> set[str]:
    rows = DBTaskResult.objects.filter(task_path__endswith="send_outbound")
    return set(rows.values_list("status", flat=True))


@committing
def test_a_batch_whose_finish_fails_is_claimed_again_after_its_lease(world, smtp, database_tasks):
    sent_before = len(smtp.messages)
    _queue_replies(3)
    with finish_cannot_be_written(), pytest.raises(DatabaseError):
        _drain("worker-a")
    assert _statuses() == {"RUNNING"}
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert _drain("worker-b") == 0  # within the lease: another worker leaves them

    with time_machine.travel(timezone.now() + queue.CLAIM_LEASE + dt.timedelta(seconds=1)):
        assert _drain("worker-b") == 3
    assert _statuses() == {"SUCCESSFUL"}
    assert len(smtp.messages) - sent_before == 3  # each mail once, not again


@committing
def test_a_task_claimed_again_and_again_without_an_end_is_recorded_failed(
    world, smtp, database_tasks
):
    _queue_replies(1)
    later = timezone.now()
    with finish_cannot_be_written():
        for i in range(queue.CLAIMS):
            with time_machine.travel(later), pytest.raises(DatabaseError):
                _drain(f"worker-{i}")
            later += queue.CLAIM_LEASE + dt.timedelta(seconds=1)
    with time_machine.travel(later):
        assert _drain("worker-last") == 0
    [task] = DBTaskResult.objects.filter(task_path__endswith="send_outbound")
    assert task.status == "FAILED"
    assert task.exception_class_path == "palier.mailgateway.queue.Unfinished"
    assert OutboundMessage.objects.get().state == "sent"
