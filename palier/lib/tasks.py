"""Queue background work so that it exists if, and only if, the caller's transaction commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def uses_database_backend(task: Any = None) -> bool:
    """Whether `task` (default: the default backend) queues rows in the database."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    backend = task.get_backend() if task is not None else task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return isinstance(backend, DatabaseBackend)


def enqueue_with_transaction(task: Any, *args: Any, **kwargs: Any) -> None:
    """With the database backend the task row is written inside the current transaction (an
    outbox: no lost or phantom side effect); other backends run it after commit."""
    if uses_database_backend(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
