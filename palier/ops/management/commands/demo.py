"""`palier demo`: create, fill and serve a demo desk on SQLite, with its worker."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from palier.ops.demo_data import DEMO_PASSWORD, database_is_empty, demo_logins, load_demo
from palier.ops.processes import (
    child_environment,
    ensure_static_files,
    gunicorn_command,
    listen,
    supervise,
    worker_command,
)
from palier.ops.secrets import ensure_demo_secret
from palier.sla.queries import overdue_counts
from palier.tickets.models import TicketEvent

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


class Command(BaseCommand):
    help = "Create, fill and serve a demo desk on SQLite (run again: it keeps its data)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="0: any free port.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PALIER_ENV != "demo":
            raise CommandError("Run the demo as 'palier demo' (it sets PALIER_ENV=demo).")
        host, port = options["host"], options["port"]
        if not 0 <= port < 65536:
            raise CommandError("--port must be between 0 (any free port) and 65535.")
        listener = None
        if not options["no_serve"]:
            # The port is taken first: in use, we say so before minutes of preparation, and
            # nothing can take it between now and gunicorn's start (gunicorn gets the socket).
            try:
                listener = listen(host, port)
            except OSError as exc:
                raise CommandError(
                    f"Cannot listen on {host}:{port} ({exc.strerror}); "
                    "is another program using the port? Choose one with --port."
                ) from exc
            port = listener.getsockname()[1]
        try:
            self._prepare()
            # "localhost", not 127.0.0.1: browsers treat it as a secure origin, which passkeys
            # need (django-otp-webauthn's check refuses any other plain-HTTP origin).
            local = host in LOCAL_HOSTS or host in ("0.0.0.0", "::")  # noqa: S104
            address = f"http://{'localhost' if local else host}:{port}/"
            self._greet(address)
            if listener is None:
                return
            env = child_environment(
                PALIER_ENV="demo",
                PALIER_BASE_URL=address.rstrip("/"),
                PALIER_SECRET_KEY=ensure_demo_secret(),
            )
            if host not in LOCAL_HOSTS:
                # Reached by another name than localhost: accept any Host header (a demo only).
                env.setdefault("PALIER_ALLOWED_HOSTS", "*")
            code = supervise(
                {
                    "web server": gunicorn_command(
                        f"fd://{listener.fileno()}", 2, access_log=False
                    ),
                    "worker": worker_command("--verbosity", "0"),
                },
                env,
                pass_fds=(listener.fileno(),),
            )
        finally:
            if listener is not None:
                listener.close()
        if code:
            raise CommandError(f"The demo stopped: a part of it failed (status {code}).")

    def _prepare(self) -> None:
        out = self.stdout
        out.write(f"Data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if database_is_empty():
            out.write("Loading the demo data (about 300 tickets)…")
            summary = load_demo()
            # The demo's history is made through the real actions, whose events wait for the
            # worker to mail them; mailing months-old events to the demo contacts would be
            # noise.
            TicketEvent.objects.filter(dispatched_at__isnull=True).update(
                dispatched_at=timezone.now()
            )
            DBTaskResult.objects.all().delete()
            # ...but the service-level clocks those tasks would have computed are wanted.
            call_command("sla", "recompute", stdout=StringIO())
            out.write(f"Loaded {summary.customers} customers and {summary.tickets} tickets.")
        else:
            out.write("The database has data already: keeping it.")
        ensure_static_files(only_if_changed=True)

    def _greet(self, address: str) -> None:
        out = self.stdout
        late = overdue_counts(timezone.now())
        out.write(
            f"Service levels: {late['open']} open tickets, {late['overdue']} past a deadline, "
            f"{late['at_risk']} close to one (the queue's 'Time left')."
        )
        out.write(f"\nPalier demo desk: {address}")
        out.write(f"Sign in with one of these users, password '{DEMO_PASSWORD}':")
        for who, username in demo_logins():
            out.write(f"  {username:<16} {who}")
        out.write(f"API docs: {address}api/v1/docs  ·  Press Ctrl+C to stop.\n")
        sys.stdout.flush()
