"""`palier worker`: run background tasks from every queue, and the periodic scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from palier.ops.outbox import OutboxThread, drain, forget
from palier.ops.scheduler import SchedulerThread


class Command(BaseCommand):
    help = (
        "Run background work: the side effects of ticket events, tasks from every queue, "
        "and periodic jobs (palier.lib.schedule)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues", default="*", help="Comma-separated queues to process (default: all)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when no task is ready (default: 1).",
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not run periodic jobs in this process."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks that are ready, then exit."
        )
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=None,
            help="Serve this host's metrics on 127.0.0.1:PORT (a host without a web server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _configure_logging(options["verbosity"])
        # Unique across machines and restarts: it names who claimed a task or a periodic slot.
        worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        worker = Worker(
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if options["batch"]:
            # Ticket events are the outbox of their side effects: dispatch them, run the
            # tasks that are ready (mail, among others), then what those tasks changed.
            drain()
            worker.run()
            drain()
            return
        if options["metrics_port"]:
            from prometheus_client import start_http_server

            from palier.ops.metrics import registry

            start_http_server(options["metrics_port"], addr="127.0.0.1", registry=registry())
        outbox = OutboxThread(worker_id=worker_id)
        outbox.start()
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = SchedulerThread(worker_id)
            scheduler.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for thread in (outbox, scheduler):
                if thread is not None:
                    thread.stop()
                    thread.join(timeout=5)
            with contextlib.suppress(DatabaseError):  # stopping as the database went away
                forget(worker_id)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    for name in ("django_tasks", "django_tasks_db", "palier.ops"):
        logging.getLogger(name).setLevel(level)
