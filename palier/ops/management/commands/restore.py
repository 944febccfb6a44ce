"""`palier restore ARCHIVE`: put back the database and the files of a `palier backup`."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from palier.ops.backup import read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Replace the database and the files by those of a backup archive, then check them. "
        "Stop every web server and worker first."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", help="A palier-backup-*.tar file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask: the current data is replaced."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"No archive at {archive}.")
        manifest = read_manifest(archive)
        if not options["yes"]:
            answer = input(
                f"Replace this desk's database and files by the backup of {manifest['created']}? "
                "Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was changed.")
        started = time.monotonic()
        try:
            restore(archive)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        problems = verify(manifest)
        if problems:
            raise CommandError("Restored, but it differs from the backup:\n" + "\n".join(problems))
        rows = sum(manifest["rows"].values())
        files = sum(len(v) for v in manifest["files"].values())
        self.stdout.write(
            f"Restored {rows} rows and {files} files from {manifest['created']}, checked, "
            f"in {time.monotonic() - started:.1f} s."
        )
