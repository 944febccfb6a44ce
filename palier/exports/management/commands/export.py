"""`palier export`: the whole desk as JSON Lines (default) or as CSV files in a ZIP."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from palier.audit.log import origin
from palier.exports.desk import write_csv_zip, write_jsonl


class Command(BaseCommand):
    help = (
        "Export the whole desk (customers, contracts, people, tickets with their messages, "
        "decisions, time, invoices...) as JSON Lines or as CSV files in a ZIP. Restore a JSON "
        "Lines export into an empty desk with 'palier import desk FILE'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument(
            "--output", type=Path, help="the file to write (default: standard output, JSON Lines)"
        )

    def handle(self, *args, **options) -> None:
        with origin("command"):
            if options["format"] == "csv":
                target = options["output"] or Path("palier-export.zip")
                with target.open("wb") as out:
                    count = write_csv_zip(out)
            elif options["output"]:
                target = options["output"]
                with target.open("w", encoding="utf-8") as out:
                    count = write_jsonl(out)
            else:
                write_jsonl(sys.stdout)
                return
        self.stderr.write(f"{count} records written to {target}.")
