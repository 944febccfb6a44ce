"""The worker's side of the `process_mail` tasks: claimed by batches, processed one row at a
time, finished together.

The task queue's own loop costs each task a claim (a write transaction: the row locked,
marked running) and a finish (another), and on SQLite each is a turn of its one writer lock,
as long as the message's own ending. A worker that runs one `process_mail` task therefore
claims the other queued ones `BATCH` at a time (`SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL, so that two workers never take the same task and neither waits for the other;
under the one writer's lock on SQLite), reads the small messages' bytes in one query, brings
each row to its ending in its own short transaction (`actions.do_process_raw`, the same path
as one task: parsed outside it, the row locked and its state checked inside it), and marks
the batch's tasks finished in one transaction.

The guarantees stay those of one task a message: every row ends once (its row lock and state
check); a row's failure quarantines that row and the batch goes on; a database failure
leaves the row stored for the sweep; a worker killed mid-batch leaves its claimed rows
stored, and the minute's sweep (`tasks.process_stored_mail`, `palier mail process`) brings
them to their endings, as for a task killed while it ran.

A batch whose tasks stay RUNNING (its worker died, or its finish could not be written even
after FINISH_TRIES) is claimed again once CLAIM_LEASE has passed: running a task again is
safe, since each row's ending (and each mail's sending, outbound._send_one) is checked under
its lock. A task claimed CLAIMS times without ever finishing is recorded FAILED
(`Unfinished`), not run forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback

from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
BATCH = 20  # tasks claimed at once: a claim per 20 messages, and little work stranded
DRAIN_SECONDS = 2.0  # then the task ends, and the worker's loop (signals, other queues) runs
DRAIN_MESSAGES = 200
BATCH_READ_BYTES = 1024 * 1024  # messages smaller than this are read with their batch
CLAIM_LEASE = dt.timedelta(minutes=10)  # a batch's work takes seconds (DRAIN_SECONDS)
CLAIMS = 3  # claims of one task, never finished, before it is recorded failed
FINISH_TRIES = 3
FINISH_PAUSE = 0.5  # seconds, doubled after each failed finish
# Unfinished claims are looked for this often per process, not at every claim: the task
# table has no index for RUNNING rows (django_tasks_db's own), and they are rare.
STALE_LOOK = dt.timedelta(minutes=1)
_stale_looked_at: dt.datetime | None = None


class Unfinished(Exception):
    """A task claimed CLAIMS times whose run never recorded an end."""


def process_one(raw_id: int, data: bytes | None = None) -> str:
    """What one task returns for its row."""
    from palier.mailgateway.actions import StillStored, do_process_raw

    try:
        raw = do_process_raw(raw_id, data=data, checked=data is not None)
    except StillStored:
        return "left stored for the sweep"
    return f"{raw.state} {raw.outcome or raw.error_code}" if raw is not None else "gone"


def claim(worker_id: str, limit: int | None = None, task=None) -> list[tuple[object, int]]:
    """Mark up to `limit` ready tasks of `task` (default `process_mail`) running for this
    worker, in one write transaction: [(task id, its first argument)], oldest first."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    if task is None:
        from palier.mailgateway.tasks import process_mail as task
    limit = limit or BATCH
    fields = ("id", "args_kwargs", "worker_ids")
    with transaction.atomic():
        now = timezone.now()
        own = DBTaskResult.objects.filter(task_path=task.module_path, backend_name=task.backend)
        rows = list(own.ready().select_for_update(skip_locked=True).values_list(*fields)[:limit])
        if len(rows) < limit and _time_to_look(now):
            # Claimed by a worker that never finished them (it died, or its finish failed).
            stale = own.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - CLAIM_LEASE)
            rows += _give_up_unfinished(
                list(stale.select_for_update(skip_locked=True).values_list(*fields)[:limit]),
                now,
            )[: limit - len(rows)]
        if not rows:
            return []
        # One UPDATE for the tasks of the same former workers (none, as a rule).
        by_workers: dict[tuple, list] = {}
        for task_id, _args, worker_ids in rows:
            by_workers.setdefault(tuple(worker_ids), []).append(task_id)
        for worker_ids, ids in by_workers.items():
            DBTaskResult.objects.filter(pk__in=ids).update(
                status=TaskResultStatus.RUNNING, started_at=now, worker_ids=[*worker_ids, worker_id]
            )
    return [(task_id, _first_arg(args_kwargs)) for task_id, args_kwargs, _ids in rows]


def _time_to_look(now: dt.datetime) -> bool:
    """Whether to look for unfinished claims now (every STALE_LOOK; at once after the clock
    was set back)."""
    global _stale_looked_at
    if _stale_looked_at is not None and abs(now - _stale_looked_at) < STALE_LOOK:
        return False
    _stale_looked_at = now
    return True


def _give_up_unfinished(rows: list, now) -> list:
    """Record FAILED the tasks claimed CLAIMS times already; the others, to claim again."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    spent = [row[0] for row in rows if len(row[2]) >= CLAIMS]
    if spent:
        logger.error("Tasks %s claimed %d times, never finished: failed", spent, CLAIMS)
        DBTaskResult.objects.filter(pk__in=spent).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{__name__}.{Unfinished.__qualname__}",
            traceback=f"Claimed {CLAIMS} times; no run recorded its end.",
        )
    return [row for row in rows if len(row[2]) < CLAIMS]


def _first_arg(args_kwargs: dict) -> int:
    args, kwargs = args_kwargs.get("args") or [], args_kwargs.get("kwargs") or {}
    return int(args[0] if args else next(iter(kwargs.values())))


def finish(results: dict[object, str], failures: dict[object, BaseException] | None = None) -> None:
    """Mark the batch's tasks finished in one transaction: successful with what each
    returned, failed with the exception each raised (its class and traceback, as the task
    queue records a task that raised). The write is tried FINISH_TRIES times; then the
    tasks stay RUNNING and are claimed again after CLAIM_LEASE (`claim`)."""
    pause = FINISH_PAUSE
    for attempt in range(1, FINISH_TRIES + 1):
        try:
            _finish(results, failures)
            return
        except DatabaseError:
            if attempt == FINISH_TRIES:
                logger.exception("A batch's end could not be written: claimed again later")
                raise
            time.sleep(pause)
            pause *= 2


def _finish(results: dict[object, str], failures: dict[object, BaseException] | None) -> None:
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    now = timezone.now()
    by_outcome: dict[str, list] = {}  # a few outcomes: one UPDATE each
    for task_id, outcome in results.items():
        by_outcome.setdefault(outcome, []).append(task_id)
    with transaction.atomic():
        for outcome, ids in by_outcome.items():
            DBTaskResult.objects.filter(pk__in=ids).update(
                status=TaskResultStatus.SUCCESSFUL,
                finished_at=now,
                return_value=outcome,
                exception_class_path="",
                traceback="",
            )
        for task_id, exc in (failures or {}).items():
            DBTaskResult.objects.filter(pk=task_id).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                traceback="".join(traceback.format_exception(exc)),
            )


def this_worker() -> str:
    """Who claims, for a task that is not told its worker's id: host and process, as the
    worker's own id starts."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}"


def drain_tasks(task, run, worker_id: str = "", before_batch=None) -> int:
    """Run the ready tasks of `task` by batches, `run(first argument) -> result` each, for up
    to `DRAIN_SECONDS` or `DRAIN_MESSAGES`; how many ran. Nothing with a task backend that
    is not the database's (the tests' runs each task at once). A task whose run raised is
    recorded failed with its exception, as the task queue records one it ran itself, and
    the batch goes on; `run` itself keeps its row (left for a sweep, or failed and retried),
    as the same task run alone would. `before_batch(arguments)`: called with each claimed
    batch's arguments before they run."""
    from palier.lib.tasks import uses_database_backend

    if not uses_database_backend(task):
        return 0
    done, started = 0, time.monotonic()
    while done < DRAIN_MESSAGES and time.monotonic() - started < DRAIN_SECONDS:
        claimed = claim(worker_id or this_worker(), task=task)
        if not claimed:
            break
        if before_batch is not None:
            before_batch([argument for _task_id, argument in claimed])
        results, failures = {}, {}
        for task_id, argument in claimed:
            try:
                results[task_id] = run(argument)
            except Exception as exc:  # noqa: BLE001 - one task must not stop the batch
                logger.exception("Task %s (%s) failed", task_id, task.name)
                failures[task_id] = exc
        finish(results, failures)
        done += len(claimed)
    return done


def _small_bytes(raw_ids: list[int]) -> dict[int, bytes]:
    """The bytes of the batch's rows still stored and small, in one query; the others are
    read one by one (a burst of large mails is not held in memory at once)."""
    from palier.mailgateway.models import RawBytes, RawState

    found = RawBytes.objects.filter(
        raw_message_id__in=raw_ids,
        raw_message__state=RawState.STORED,
        raw_message__size__lt=BATCH_READ_BYTES,
    ).values_list("raw_message_id", "data")
    return {raw_id: bytes(data) for raw_id, data in found}


def drain_queued(worker_id: str) -> int:
    """Process the queued `process_mail` tasks by batches (`drain_tasks`), the small
    messages' bytes read with their batch; how many were."""
    from palier.mailgateway.tasks import process_mail

    batch_bytes: dict[int, bytes] = {}

    def read(raw_ids: list[int]) -> None:
        batch_bytes.clear()
        batch_bytes.update(_small_bytes(raw_ids))

    def run(raw_id: int) -> str:
        # Raises when even the quarantine failed: the row stays stored for the sweep, and
        # the task is recorded failed, as the same task run alone would be.
        return process_one(raw_id, batch_bytes.pop(raw_id, None))

    return drain_tasks(process_mail, run, worker_id, before_batch=read)
