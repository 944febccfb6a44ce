"""The worker's side of webhooks: one attempt per task, and the retries every 30 seconds."""

from __future__ import annotations

from django_tasks import task

from palier.lib.schedule import every
from palier.webhooks import delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    return delivery.send(delivery_id)


@every(seconds=30, name="webhooks.retry")
@task()
def retry_webhooks() -> int:
    return delivery.retry_due()
