"""Queue background work so that it exists if, and only if, the caller's transaction commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def enqueue_with_transaction(task: Any, *args: Any, **kwargs: Any) -> None:
    """With the database backend the task row is written inside the current transaction (an
    outbox: no lost or phantom side effect); other backends run it after commit."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
