"""`palier serve`: the production web server (gunicorn), after the deployment checks."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from palier.ops.processes import ensure_static_files, gunicorn_command


class Command(BaseCommand):
    help = "Serve the desk with gunicorn (PALIER_BIND, PALIER_WEB_WORKERS); refuses a bad setup."
    requires_system_checks = []  # run below, with --deploy

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=None, help="Address to listen on (PALIER_BIND).")
        parser.add_argument("--workers", type=int, default=None, help="PALIER_WEB_WORKERS.")
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Do not collect static files first (when a deployment step does it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            call_command("check", deploy=True, fail_level="ERROR")
        except CommandError as exc:
            raise CommandError(f"Not serving: the configuration has errors.\n{exc}") from exc
        if not options["no_collectstatic"]:
            ensure_static_files()
        bind = options["bind"] or settings.PALIER_BIND
        workers = options["workers"] or settings.PALIER_WEB_WORKERS
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        command = gunicorn_command(bind, workers, access_log=True)
        self.stderr.write(f"Serving on {bind} with {workers} workers.")
        # gunicorn replaces this process, so that signals from a process manager reach it.
        os.execv(command[0], command)  # noqa: S606
