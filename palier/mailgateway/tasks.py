"""Inbound mail in the worker: the processing `palier mail ingest` queues, and the sweep that
brings to its ending a stored message no way in finished processing (a crash, a database that
failed) within a minute or two."""

from __future__ import annotations

from django_tasks import task

from palier.lib.schedule import every


@every(seconds=60, name="mail.process_stored")
@task(queue_name="mail")
def process_stored_mail() -> str:
    from palier.mailgateway.actions import finish_attachments, process_stored

    # Older than a minute: a listener is still processing what it stored a moment ago.
    done, left = process_stored(older_than_seconds=60, limit=500)
    files = finish_attachments(older_than_seconds=60)
    return f"{done} processed, {left} left stored, {files} with files attached later"


@task(queue_name="mail")
def process_mail(raw_id: int) -> str:
    """Process one stored message (queued by `palier mail ingest` with its bytes)."""
    from palier.mailgateway.actions import StillStored, do_process_raw

    try:
        raw = do_process_raw(raw_id)
    except StillStored:
        return "left stored for the sweep"
    return f"{raw.state} {raw.outcome or raw.error_code}" if raw is not None else "gone"
