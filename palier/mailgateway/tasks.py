"""The worker's sweep: a stored message that no way in finished processing (a crash, a
database that failed) is brought to its ending within a minute or two."""

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
