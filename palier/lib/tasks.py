"""Queue background work so that it exists if, and only if, the caller's transaction commits."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction

FIRST_RETRY = dt.timedelta(seconds=30)


def backoff(attempts: int, longest: dt.timedelta = dt.timedelta(hours=1)) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt of anything retried (a mail, an event's
    handler, a webhook): 30 s, 1 min, 2 min, 4 min..., at most `longest`."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), longest)


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
