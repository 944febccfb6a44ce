"""`palier rollup [--rebuild]`: bring the dashboards' daily roll-up up to date, or rebuild it."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from palier.dashboards.rollup import rebuild, refresh


class Command(BaseCommand):
    help = (
        "Fold the closed days and the past days touched since the last run into the "
        "dashboards' daily roll-up (the worker does it every minute); --rebuild drops it and "
        "sums every day again, after changes made around the actions (a bulk SLA recompute, "
        "an import, a restore)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="Drop the roll-up and build it from scratch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        outcome = rebuild() if options["rebuild"] else refresh()
        self.stdout.write(f"{outcome} ({time.monotonic() - started:.1f} s)")
