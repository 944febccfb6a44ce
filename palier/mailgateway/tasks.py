"""Inbound mail in the worker: the processing `palier mail ingest` and the LMTP listener
queue (one `process_mail` task per stored message, committed with its bytes), and the sweep
that brings to its ending a stored message no way in finished processing (a crash, a
database that failed) within a minute or two.

A worker that runs one `process_mail` task takes the other queued ones with it, a batch at a
time (`queue.py`): one claim and one finish per batch instead of the task queue's two write
transactions per message, which on SQLite are two more turns of its one writer lock."""

from __future__ import annotations

from django_tasks import TaskContext, task

from palier.lib.schedule import every


@every(seconds=60, name="mail.process_stored")
@task(queue_name="mail")
def process_stored_mail() -> str:
    from palier.mailgateway.actions import finish_attachments, process_stored

    # Older than a minute: a listener is still processing what it stored a moment ago.
    done, left = process_stored(older_than_seconds=60, limit=500)
    files = finish_attachments(older_than_seconds=60)
    return f"{done} processed, {left} left stored, {files} with files attached later"


@task(queue_name="mail", takes_context=True)
def process_mail(context: TaskContext, raw_id: int) -> str:
    """Process one stored message, then the messages of the other queued `process_mail`
    tasks, claimed by batches (`queue.drain_queued`)."""
    from palier.mailgateway.queue import drain_queued, process_one

    outcome = process_one(raw_id)
    worker_ids = context.task_result.worker_ids
    drain_queued(worker_ids[-1] if worker_ids else "")
    return outcome


@every(seconds=300, name="mail.settle_unfinished_sends")
@task(queue_name="mail")
def settle_unfinished_sends() -> str:
    """Mails whose sending wrote no outcome within its lease become "perhaps sent", for a
    person (config.send_lease()): never sent twice on their own."""
    from palier.mailgateway.outbound import settle_unfinished_sends as settle

    return f"{settle()} perhaps sent, left for a person"
