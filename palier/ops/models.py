"""State the worker keeps in the database: when each periodic job runs next."""

from __future__ import annotations

from django.db import models


class PeriodicJob(models.Model):
    """One row per periodic job name. Workers claim a slot by moving `next_run_at` forward
    with a single conditional UPDATE, so that two workers never run the same slot."""

    name = models.CharField(max_length=100, unique=True)
    interval_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running `palier worker` says it is alive every few seconds; `/readyz` reads the
    freshest. One row per worker process (host, pid and a random suffix)."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
