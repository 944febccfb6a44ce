"""A child process of test_across_processes: a `palier worker` stand-in on the test database.

    python -m palier.ops.tests.race_child DBNAME START slots|enqueue|work OUT [N]

It loads the test settings with the database backend of django-tasks (as production has),
points them at the parent's test database, waits for the wall-clock START so that all
children race, then claims periodic slots, enqueues tasks or works the task queue.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time


def record_path() -> str:
    return os.environ["PALIER_RACE_RECORD"]


def setup(db_name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.test_settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name
    settings.TASKS["default"]["BACKEND"] = "django_tasks_db.DatabaseBackend"
    import django

    django.setup()


def main() -> None:
    db_name, start, mode, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    setup(db_name)
    from django.db import connection

    connection.ensure_connection()
    while time.time() < start:
        time.sleep(0.001)
    if mode == "slots":
        from palier.lib.schedule import PeriodicJob
        from palier.ops.scheduler import claim

        job = PeriodicJob(name="test.race", seconds=60, target=lambda: None)
        base = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
        won = [
            k
            for k in range(count)
            if claim(job, base + dt.timedelta(seconds=60 * k + 1), f"pid-{os.getpid()}")
        ]
        result = won
    elif mode == "enqueue":
        from palier.ops.tests.race_tasks import record_run

        for i in range(count):
            record_run.enqueue(i)
        result = count
    else:
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
        from django_tasks_db.management.commands.db_worker import Worker

        Worker(
            queue_names=["*"],
            interval=0.05,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"pid-{os.getpid()}",
            excluded_queue_names=[],
        ).run()
        result = "done"
    with open(out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
