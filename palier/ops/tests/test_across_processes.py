"""Several worker processes on one database (as on several hosts): each periodic slot and
each background task runs once. Processes, not threads: each has its own connection,
interpreter and timing, as two machines would."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from palier.ops.tests.helpers import REPO

PROCESSES = 3


def run_children(mode: str, count: int, tmp_path, processes: int = PROCESSES) -> list:
    start = time.time() + 4  # every child has connected by then: they start together
    env = {**os.environ, "PALIER_RACE_RECORD": str(tmp_path / "runs.txt")}
    outs = [tmp_path / f"{mode}-{i}.json" for i in range(processes)]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "palier.ops.tests.race_child",
                connection.settings_dict["NAME"],
                str(start),
                mode,
                str(out),
                str(count),
            ],
            cwd=REPO,
            env=env,
        )
        for out in outs
    ]
    for child in children:
        assert child.wait(timeout=240) == 0
    return [json.loads(out.read_text()) for out in outs]


@pytest.mark.django_db(transaction=True, available_apps=["palier.ops", "django_tasks_db"])
def test_processes_racing_for_periodic_slots_run_each_once(tmp_path):
    import datetime as dt

    from palier.ops.models import PeriodicJob

    PeriodicJob.objects.create(
        name="test.race",
        interval_seconds=60,
        next_run_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
    )
    won = run_children("slots", 40, tmp_path)
    every_slot = sorted(k for slots in won for k in slots)
    assert every_slot == list(range(40))  # each slot once, none lost
    assert PeriodicJob.objects.get(name="test.race").runs == 40


@pytest.mark.django_db(transaction=True, available_apps=["palier.ops", "django_tasks_db"])
def test_processes_working_one_task_queue_run_each_task_once(tmp_path):
    from django_tasks_db.models import DBTaskResult

    run_children("enqueue", 60, tmp_path, processes=1)
    assert DBTaskResult.objects.filter(status="READY").count() == 60
    run_children("work", 0, tmp_path)
    lines = (tmp_path / "runs.txt").read_text().split()
    numbers = collections.Counter(int(n) for n in lines[0::2])
    assert numbers == collections.Counter(range(60))  # each task once, none lost
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 60
