"""`palier outbox failures` lists the side effects of ticket events the worker gave up on;
`palier outbox rearm ID... | --all` schedules them again once their cause is mended."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.lib.rows import parse_id
from palier.tickets.notifications import given_up_failures, rearm_failures


def _failure_id(text: str) -> int:
    """A failure's id as typed: ASCII digits that fit a row id (2**70 was a traceback)."""
    found = parse_id(text)
    if found is None or found < 1:
        raise argparse.ArgumentTypeError(f"not a failure's id: {text[:40]!r}")
    return found


class Command(BaseCommand):
    help = (
        "Ticket-event outbox: 'failures' lists the side effects given up on; "
        "'rearm ID... | --all' schedules them again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["failures", "rearm"])
        parser.add_argument("ids", nargs="*", type=_failure_id, metavar="ID")
        parser.add_argument("--all", action="store_true", help="rearm: every given-up one")

    def handle(self, *args: Any, what: str, ids: list[int], all: bool, **options: Any) -> None:
        if what == "failures":
            rows = given_up_failures().order_by("failed_at")
            for failure in rows:
                last_line = (failure.error.strip().splitlines() or [""])[-1]
                self.stdout.write(
                    f"{failure.pk}\tevent {failure.event_id}\t{failure.handler}\t"
                    f"{failure.attempts} attempts\t{failure.failed_at:%Y-%m-%d %H:%M}\t{last_line}"
                )
            self.stderr.write(f"{len(rows)} given up")
            return
        if bool(ids) == all:
            raise CommandError("rearm: give the failures' ids, or --all.")
        if ids:
            known = set(given_up_failures().filter(pk__in=ids).values_list("pk", flat=True))
            if unknown := sorted(set(ids) - known):
                listed = ", ".join(str(i) for i in unknown)
                self.stderr.write(f"Not given up (scheduled still, or no such failure): {listed}")
        done = rearm_failures(None if all else ids)
        self.stdout.write(f"{done} scheduled again; the worker runs them shortly.")
