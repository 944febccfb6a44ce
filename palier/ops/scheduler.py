"""The scheduler loop of `palier worker`: run each registered periodic job when its slot is due.

A slot is claimed with one conditional UPDATE (`... SET next_run_at = <next slot> WHERE
name = %s AND next_run_at <= now`). On PostgreSQL a second worker's UPDATE waits for the
first one's row lock and then re-reads the row, finds `next_run_at` in the future and
updates nothing; SQLite serializes writers. Either way exactly one worker wins a slot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from palier.lib.schedule import PeriodicJob, registered_jobs
from palier.ops.models import PeriodicJob as JobRow
from palier.ops.threads import LoopThread

logger = logging.getLogger(__name__)


def discover_jobs() -> list[PeriodicJob]:
    """Import every app's `tasks` module, where periodic jobs are declared."""
    autodiscover_modules("tasks")
    return registered_jobs()


def next_slot(now: dt.datetime, seconds: int) -> dt.datetime:
    """The first slot boundary strictly after `now`, slots aligned on the Unix epoch."""
    stamp = int(now.timestamp())
    return dt.datetime.fromtimestamp((stamp // seconds + 1) * seconds, tz=dt.UTC)


def _ensure_row(job: PeriodicJob, now: dt.datetime) -> None:
    # A new job is due at once; a changed interval takes effect from the next slot.
    try:
        with transaction.atomic():
            row, created = JobRow.objects.get_or_create(
                name=job.name, defaults={"interval_seconds": job.seconds, "next_run_at": now}
            )
    except IntegrityError:  # another worker created it between our read and our insert
        return
    if not created and row.interval_seconds != job.seconds:
        sooner = min(row.next_run_at, next_slot(now, job.seconds))
        JobRow.objects.filter(pk=row.pk).update(interval_seconds=job.seconds, next_run_at=sooner)


def claim(job: PeriodicJob, now: dt.datetime, worker_id: str) -> bool:
    """Take the slot due at `now` for this worker; False if it is not due or already taken."""
    from django.db.models import F

    updated = JobRow.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=next_slot(now, job.seconds),
        last_run_at=now,
        last_worker=worker_id[:64],
        runs=F("runs") + 1,
    )
    return updated == 1


def run_due_jobs(
    worker_id: str,
    *,
    now: dt.datetime | None = None,
    jobs: Iterable[PeriodicJob] | None = None,
    ensure_rows: bool = True,
) -> list[str]:
    """Run every job (default: every registered one) whose slot is due; return the names
    this worker ran. The scheduler thread creates the jobs' rows once, then ticks with
    `ensure_rows=False`: a tick is then one UPDATE per job."""
    now = now or timezone.now()
    ran = []
    for job in registered_jobs() if jobs is None else jobs:
        if ensure_rows:
            _ensure_row(job, now)
        if not claim(job, now, worker_id):
            continue
        ran.append(job.name)
        try:
            job.run()
        except Exception:  # one failing job must not stop the others or the worker
            logger.exception("Periodic job %s failed", job.name)
    return ran


class SchedulerThread(LoopThread):
    """Runs `run_due_jobs` every `tick` seconds. It creates the jobs' rows at its first
    tick, then a tick is one UPDATE per job."""

    def __init__(self, worker_id: str, tick: float = 1.0):
        super().__init__("palier-scheduler", tick)
        self.worker_id = worker_id
        self.rows_ready = False

    def starting(self) -> None:
        jobs = discover_jobs()
        logger.info("Scheduler started: %s", ", ".join(j.name for j in jobs) or "no periodic jobs")

    def step(self) -> None:
        run_due_jobs(self.worker_id, ensure_rows=not self.rows_ready)
        self.rows_ready = True
