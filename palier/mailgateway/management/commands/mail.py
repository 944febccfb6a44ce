"""`palier mail ingest|fetch|lmtp|process|retry`: the ways mail comes in, and housekeeping."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.lib.command_language import HelpInLanguageAsked, add_help_language
from palier.lib.env import env_list
from palier.mailgateway.pipe import EX_DATAERR, EX_TEMPFAIL, check_input, store_and_process


class Command(HelpInLanguageAsked, BaseCommand):
    # `palier check` runs them; a mail arriving must not wait for every URL to import.
    requires_system_checks = []

    help_text = gettext_lazy(
        "Receive mail: ingest (one message on stdin), fetch (IMAP), lmtp (listener); "
        "look after it: process (stored messages an interruption left), retry (outbound "
        "mail that failed), verify (every stored message has exactly one ending). Messages "
        "are in English; --language chooses the language of this help."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_help_language(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help=_("Read one message on stdin (an MTA pipe)."))
        ingest.add_argument("--source", default="stdin")
        ingest.add_argument("--dir", default="", help=_("ingest every file of a folder (a batch)"))
        ingest.add_argument(
            "--now", action="store_true", help=_("process here instead of in the worker")
        )
        fetch = sub.add_parser("fetch", help=_("Poll IMAP mailboxes (PALIER_IMAP_MAILBOXES)."))
        fetch.add_argument(
            "--url",
            action="append",
            default=[],
            help=_("imaps://user:password@host/INBOX; repeat for several"),
        )
        fetch.add_argument("--done-folder", default="", help=_("move stored mail to this folder"))
        fetch.add_argument("--every", type=int, default=0, help=_("poll every N seconds"))
        fetch.add_argument("--limit", type=int, default=500)
        lmtp = sub.add_parser("lmtp", help=_("Listen for LMTP (or --smtp) deliveries."))
        lmtp.add_argument("--host", default="127.0.0.1")
        lmtp.add_argument("--port", type=int, default=2424)
        lmtp.add_argument("--smtp", action="store_true", help=_("speak SMTP instead of LMTP"))
        lmtp.add_argument(
            "--now",
            action="store_true",
            help=_("process in the listener instead of in `palier worker` (a desk without one)"),
        )
        process = sub.add_parser(
            "process", help=_("Process stored messages left by an interruption.")
        )
        process.add_argument("--limit", type=int, default=100_000)
        retry = sub.add_parser("retry", help=_("Queue again the outbound mail that failed."))
        verify = sub.add_parser(
            "verify",
            help=_("Check that every stored message has exactly one ending (exit 1 if not)."),
        )
        for subcommand in (ingest, fetch, lmtp, process, retry, verify):
            add_help_language(subcommand)

    def handle(self, *args, action: str, **opts) -> None:
        getattr(self, f"_{action}")(**opts)

    def _ingest(self, source: str, dir: str, now: bool, **_opts) -> None:  # noqa: A002
        """Also reached as `palier mail ingest` through palier.cli's lean path (pipe.py)."""
        from palier.mailgateway.actions import ingest

        if dir:
            files = sorted(p for p in Path(dir).iterdir() if p.is_file())
            for path in files:
                raw = ingest(path.read_bytes(), source if source != "stdin" else "dir")
                self.stdout.write(f"{path.name} {raw.pk} {raw.state}")
                self.stdout.flush()
            return
        data = sys.stdin.buffer.read()
        refused = check_input(data)
        if refused:
            self.stderr.write(refused)
            sys.exit(EX_DATAERR)
        code = store_and_process(data, source, self.stdout, self.stderr, now=now)
        if code:
            sys.exit(code)

    def _fetch(self, url: list[str], done_folder: str, every: int, limit: int, **_opts) -> None:
        from palier.mailgateway.fetchers.imap import Mailbox, fetch

        urls = url or env_list("PALIER_IMAP_MAILBOXES", [])
        if not urls:
            raise CommandError("Name a mailbox with --url or PALIER_IMAP_MAILBOXES.")
        boxes = [Mailbox.from_url(u, done_folder=done_folder) for u in urls]
        while True:
            for box in boxes:
                try:
                    count = fetch(box, limit=limit)
                    self.stdout.write(f"{box.source}: {count} message(s)")
                except Exception as exc:  # noqa: BLE001 - one mailbox down must not stop others
                    self.stderr.write(f"{box.source}: {type(exc).__name__}: {exc}")
                    if not every:
                        raise CommandError(str(exc)) from exc
            if not every:
                return
            time.sleep(every)

    def _lmtp(self, host: str, port: int, smtp: bool, now: bool, **_opts) -> None:
        from palier.mailgateway import lmtp

        stop = {signal.SIGINT, signal.SIGTERM}
        # Blocked before the listener's threads start, so that this thread receives them.
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        controller = lmtp.start(host, port, lmtp=not smtp, now=now)
        self.stdout.write(f"Listening for {'SMTP' if smtp else 'LMTP'} on {host}:{port}")
        self.stdout.flush()
        if not controller.handler.now and not _worker_alive():
            self.stderr.write(
                "No `palier worker` has been seen in the last minute: mail is stored and "
                "waits for one to process it (or run the listener with --now)."
            )
        signal.sigwait(stop)
        controller.stop()

    def _process(self, limit: int, **_opts) -> None:
        """Every stored row to its ending; exit 75 when the database failed on some of them."""
        from palier.mailgateway.actions import finish_attachments, process_stored

        done, left = process_stored(limit=limit)
        files = finish_attachments(limit=limit)
        self.stdout.write(
            f"{done} message(s) processed, {left} left stored, {files} with files attached now"
        )
        if left:
            sys.exit(EX_TEMPFAIL)

    def _verify(self, **_opts) -> None:
        from palier.mailgateway.invariant import violations

        found = violations(allow_stored=True)
        for pk, problem in found:
            self.stdout.write(f"{pk}: {problem}")
        self.stdout.write(f"{len(found)} problem(s)")
        if found:
            sys.exit(1)

    def _retry(self, **_opts) -> None:
        from palier.mailgateway.models import OutboundMessage, OutboundState
        from palier.mailgateway.outbound import send_outbound

        ids = list(
            OutboundMessage.objects.filter(state=OutboundState.FAILED).values_list("id", flat=True)
        )
        for pk in ids:
            send_outbound.enqueue(pk)
        self.stdout.write(f"{len(ids)} mail(s) queued again")


def _worker_alive() -> bool:
    import datetime as dt

    from django.utils import timezone

    from palier.ops.models import WorkerHeartbeat

    since = timezone.now() - dt.timedelta(minutes=1)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()
