"""The periodic scheduler: each slot of a job runs once, even with several workers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task

from palier.lib.schedule import every, registered_jobs, unregister
from palier.ops.models import PeriodicJob
from palier.ops.scheduler import next_slot, run_due_jobs

ticks: list[str] = []


@task()
def record_tick() -> None:
    ticks.append("task")


@pytest.fixture
def job_named():
    names = []

    def register(name: str, target, seconds: int = 60):
        every(seconds=seconds, name=name)(target)
        names.append(name)
        return next(j for j in registered_jobs() if j.name == name)

    yield register
    for name in names:
        unregister(name)


def test_slots_are_aligned_on_the_interval():
    now = dt.datetime(2026, 3, 2, 10, 15, 42, tzinfo=dt.UTC)
    assert next_slot(now, 60) == dt.datetime(2026, 3, 2, 10, 16, tzinfo=dt.UTC)
    assert next_slot(now, 3600) == dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)
    assert next_slot(dt.datetime(2026, 3, 2, 10, 16, tzinfo=dt.UTC), 60) == dt.datetime(
        2026, 3, 2, 10, 17, tzinfo=dt.UTC
    )


@pytest.mark.django_db
def test_a_new_job_runs_at_once_then_waits_for_its_next_slot(job_named):
    calls = []
    job = job_named("test.counter", lambda: calls.append(1))
    now = timezone.now()
    assert run_due_jobs("w1", now=now, jobs=[job]) == ["test.counter"]
    assert run_due_jobs("w1", now=now + dt.timedelta(seconds=1), jobs=[job]) in (
        [],
        ["test.counter"],
    )
    row = PeriodicJob.objects.get(name="test.counter")
    assert row.next_run_at > now
    before = len(calls)
    assert run_due_jobs("w1", now=row.next_run_at - dt.timedelta(microseconds=1), jobs=[job]) == []
    assert run_due_jobs("w2", now=row.next_run_at, jobs=[job]) == ["test.counter"]
    assert len(calls) == before + 1
    row.refresh_from_db()
    assert row.last_worker == "w2"


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_on_the_task_backend(job_named):
    ticks.clear()
    job = job_named("test.task", record_tick)
    assert job.is_task
    run_due_jobs("w1", jobs=[job])
    assert ticks == ["task"]  # the test backend runs an enqueued task at once


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_next_one(job_named):
    calls = []

    def broken() -> None:
        raise RuntimeError("boom")

    jobs = [job_named("test.broken", broken), job_named("test.fine", lambda: calls.append(1))]
    assert run_due_jobs("w1", jobs=jobs) == ["test.broken", "test.fine"]
    assert calls == [1]


def test_two_jobs_cannot_share_a_name(job_named):
    def first() -> None: ...

    def second() -> None: ...

    job_named("test.unique", first)
    with pytest.raises(ValueError, match="test.unique"):
        every(seconds=60, name="test.unique")(second)


def test_the_sla_scan_is_registered_for_the_worker():
    from palier.ops.scheduler import discover_jobs

    assert "sla.scan" in {job.name for job in discover_jobs()}


# available_apps: flushing every table fails on PostgreSQL (ticket_search's foreign key).
@pytest.mark.django_db(transaction=True, available_apps=["palier.ops"])
def test_workers_racing_for_one_slot_run_it_exactly_once(job_named):
    calls = []
    lock = threading.Lock()

    def count() -> None:
        with lock:
            calls.append(1)

    job = job_named("test.race", count)
    now = timezone.now().replace(second=10, microsecond=0)
    PeriodicJob.objects.create(name="test.race", interval_seconds=60, next_run_at=now)
    start = threading.Barrier(4)
    won: list[list[str]] = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            start.wait()
            won.append(run_due_jobs(f"w{i}", now=now + dt.timedelta(milliseconds=i), jobs=[job]))
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(len(w) for w in won) == [0, 0, 0, 1]
    assert calls == [1]
    assert PeriodicJob.objects.get(name="test.race").runs == 1
