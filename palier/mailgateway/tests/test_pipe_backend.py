"""`palier mail ingest` and the LMTP listener agree on who processes a stored mail: this
process, or `palier worker` (the database task backend, however its setting names it)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from palier.mailgateway.lmtp import queues_for_workers
from palier.mailgateway.pipe import processes_here


@pytest.mark.parametrize(
    ("backend", "worker"),
    [
        ("django_tasks_db.DatabaseBackend", True),
        ("django_tasks_db.backend.DatabaseBackend", True),  # the same class, by its module
        ("django_tasks.backends.immediate.ImmediateBackend", False),
    ],
)
def test_the_pipe_and_the_lmtp_listener_leave_the_processing_to_the_same_party(backend, worker):
    tasks = {"default": {"BACKEND": backend, "QUEUES": ["default", "mail"]}}
    with override_settings(TASKS=tasks):
        assert queues_for_workers() is worker
        assert processes_here(now=False) is not worker
        assert processes_here(now=True) is True
