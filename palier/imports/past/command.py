"""`palier import jira|zendesk|tickets FILE...`: past tickets from the command line."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.imports.engine import Problem
from palier.imports.files import UnreadableFile
from palier.imports.past.actions import process
from palier.imports.past.labels import COUNT_LABELS
from palier.lib.progress import ProgressBar
from palier.policy import RequestType


def run_past(command, user: User, options: dict) -> tuple[int, int]:
    """Check or import the files; print their problems and counts; return how many
    problems were found, and how many tickets they refused."""
    kind = options["kind"]
    if kind != "zendesk" and len(options["files"]) != 1:
        raise CommandError(_("Give one file (Zendesk takes several pages)."))
    mapping = type_map(options["map"])
    run_options = {"public_comments": options.get("comments") == "public"}
    write = not options["dry_run"]
    with ExitStack() as stack:
        sources = [(str(p), stack.enter_context(p.open("rb"))) for p in options["files"]]
        # Past the problems a report keeps (the screen's), the rest wait on disk: the
        # command lists every one, whatever the export's size.
        overflow = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        try:
            report = process(
                kind,
                sources,
                run_options,
                write=write,
                acting_user=user,
                progress=ProgressBar(
                    _("Importing") if write else _("Checking"), stream=command.stderr
                ),
                mapping=mapping,
                overflow=lambda p: overflow.write(_problem_line(p) + "\n"),
            )
        except UnreadableFile as exc:
            raise CommandError(exc.message) from exc
        for p in report.problems:
            command.stderr.write(_problem_line(p))
        overflow.seek(0)
        for line in overflow:
            command.stderr.write(line.rstrip("\n"))
    if report.types:
        command.stdout.write(
            _("Request types in the file: ")
            + ", ".join(f"{value} ({count})" for value, count in sorted(report.types.items()))
        )
    counts = dict(report.counts)
    if write:
        counts["tickets_imported"] = counts.pop("tickets_new")
    head = "" if write else _("Dry run, nothing written: ")
    command.stdout.write(head + ", ".join(f"{COUNT_LABELS[k]} {v}" for k, v in counts.items()))
    return report.problem_count, report.counts["tickets_refused"]


def _problem_line(p: Problem) -> str:
    where = (f"{p.file}, " if p.file else "") + _("line %(line)s") % {"line": p.line}
    where += f", {p.column}" if p.column else ""
    return _("%(where)s: %(message)s") % {"where": where, "message": p.message}


def type_map(items: list[str]) -> dict[str, str]:
    """The --map VALUE=TYPE options; a wrong one refuses the call before anything is read
    or saved."""
    codes = [t.value for t in RequestType]
    mapping = {}
    for item in items:
        value, sep, code = item.partition("=")
        code = code.strip()
        if not sep or not value.strip():
            raise CommandError(_("--map wants VALUE=TYPE, got “%(item)s”.") % {"item": item})
        if code and code not in codes:
            raise CommandError(
                _(
                    "--map “%(item)s”: %(type)s is not a request type; write one of %(types)s, "
                    "or nothing after = to import without a type."
                )
                % {"item": item, "type": code, "types": ", ".join(codes)}
            )
        mapping[value] = code
    return mapping
