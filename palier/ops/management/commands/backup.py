"""`palier backup`: a consistent online snapshot of the database and the files, in one tar."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.lib.command_language import HelpInLanguageAsked, add_help_language
from palier.ops.backup import backup, prune


class Command(HelpInLanguageAsked, BaseCommand):
    help_text = gettext_lazy(
        "Back up the database and the files into one archive, while the desk runs. "
        "Messages are in English; --language chooses the language of this help."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            default=None,
            metavar=_("FOLDER"),
            help=_(
                "Folder of the archives (default: PALIER_BACKUP_DIR or PALIER_DATA_DIR/backups)."
            ),
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            metavar="N",
            help=_(
                "Then delete all but the N newest archives of the folder "
                "(default: PALIER_BACKUP_KEEP, 0 keeps all)."
            ),
        )
        add_help_language(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["output"] or settings.PALIER_BACKUP_DIR)
        keep = options["keep"] if options["keep"] is not None else settings.PALIER_BACKUP_KEEP
        if keep < 0:
            raise CommandError("--keep must be 0 (keep all) or more.")
        started = time.monotonic()
        result = backup(folder)
        rows = sum(result.rows.values())
        self.stdout.write(
            f"{result.path}: {rows} rows in {len(result.rows)} tables, {result.files} files "
            f"({result.bytes / 1e6:.1f} MB), in {time.monotonic() - started:.1f} s."
        )
        for gone in prune(folder, keep):
            self.stdout.write(f"Deleted the older {gone.name}.")
