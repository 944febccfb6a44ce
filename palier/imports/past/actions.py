"""Importing past tickets: check a file (nothing written), then import it in batches.

The same reading, matching and counting serve the dry run and the import, so the check
says what the import will do. A ticket imported before (same tool, same key) is left as it
is: importing the same export twice adds nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change
from palier.imports.engine import Problem
from palier.imports.files import UnreadableFile
from palier.imports.models import ImportRun, TypeMapping
from palier.imports.past.model import PastTicket, ReadProblem
from palier.imports.past.resolve import Resolver, count_types, group
from palier.imports.past.writer import bulk_search_indexing, write_batch
from palier.lib.words import words as _  # said again in each reader's language
from palier.policy import RequestType

SOURCES = {"jira": "jira", "zendesk": "zendesk", "tickets": "csv"}
BATCH = 1000
KEPT_PROBLEMS = 2000


@dataclass
class Report:
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "tickets_new": 0,
            "tickets_known": 0,
            "tickets_refused": 0,
            "comments": 0,
        }
    )
    types: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # Where the problems past the KEPT_PROBLEMS first go (the command lists them all);
    # without it they are counted only (the screen says how many it does not show).
    overflow: Callable[[Problem], None] | None = field(default=None, repr=False)

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)
        elif self.overflow is not None:
            self.overflow(problem)


def read(kind: str, sources: list[tuple[str, BinaryIO]], options: dict) -> Iterator:
    if kind == "jira":
        from palier.imports.past.jira import read_jira

        [(_name, binary)] = sources
        return read_jira(binary, public_comments=options.get("public_comments") is True)
    if kind == "zendesk":
        from palier.imports.past.zendesk import read_zendesk

        return read_zendesk(sources)
    from palier.imports.past.generic import read_generic

    [(_name, binary)] = sources
    return read_generic(binary)


def check_structure(kind: str, sources: list[tuple[str, BinaryIO]]) -> None:
    """A CSV export's structure, read whole before an import writes anything: a record csv
    cannot read (a quote never closed, a stray quote) refuses the file before its first
    batch, so that a file is refused whole or imported, never written in part. Zendesk's
    files are all read before its first ticket."""
    from palier.imports.past.generic import delimiter_of
    from palier.imports.past.streams import check_structure as check_csv

    if kind == "jira":
        check_csv(sources[0][1])
    elif kind == "tickets":
        check_csv(sources[0][1], delimiter_of=delimiter_of)


def process(
    kind: str,
    sources: list[tuple[str, BinaryIO]],
    options: dict,
    *,
    write: bool,
    acting_user: User | None = None,
    run_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    mapping: dict[str, str] | None = None,
    overflow: Callable[[Problem], None] | None = None,
) -> Report:
    """Read, match and count every ticket; with `write`, insert the good ones batch by
    batch (each batch one short transaction). `mapping` (the tool's request types → the
    policy's) is used at once and saved for the next imports once the file is accepted: a
    file refused whole leaves the mapping table as it was. `overflow` takes each problem
    past the ones the report keeps."""
    source = SOURCES[kind]
    if write:
        check_allowed(acting_user, Permission.DATA_IMPORT)
        check_structure(kind, sources)
    report = Report(overflow=overflow)
    resolver = Resolver(source, mapping)
    unsaved = dict(mapping or {})

    def save_mapping() -> None:
        if unsaved:
            do_map_types(acting_user=acting_user, source=source, mapping=unsaved)
            unsaved.clear()

    first_line: dict[str, int] = {}
    sizes = [_size(b) for _n, b in sources]
    total = sum(sizes)

    def tickets() -> Iterator[PastTicket]:
        for item in read(kind, sources, options):
            if isinstance(item, ReadProblem):
                report.add_problem(Problem(item.line, item.column, item.message))
                continue
            if item.key and item.key in first_line:
                same = _("Line %(line)s has the same key: each ticket must have its own.")
                item.problems.append((item.column("key"), same % {"line": first_line[item.key]}))
            elif item.key:
                first_line[item.key] = item.line
            yield item

    def batch_of(matched) -> list:
        """Count a batch's tickets; the ones to write."""
        good = []
        for m in matched:
            if m.known:
                report.counts["tickets_known"] += 1
            elif m.problems:
                report.counts["tickets_refused"] += 1
                for column, message in m.problems:
                    report.add_problem(Problem(m.ticket.line, column, message, m.ticket.file))
            else:
                good.append(m)
        report.counts["tickets_new"] += len(good)
        return good

    with bulk_search_indexing() if write else contextlib.nullcontext():
        for batch in group(tickets(), BATCH):
            count_types(report.types, batch)
            good = batch_of(resolver.match(batch))
            if write:
                # Its structure checked and its header read: the file is not refused now,
                # and a mapping its tickets are written by is saved before them.
                save_mapping()
                report.counts["comments"] += write_batch(
                    good, source=source, run_id=run_id, acting_user_id=acting_user.pk
                )
            else:
                report.counts["comments"] += sum(len(m.ticket.comments) for m in good)
            if progress:
                progress(min(_position(sources, sizes), total), total)
    save_mapping()  # a check: every line read
    if progress:
        # The reader has given every ticket: every byte is read, whatever a reader that
        # takes its file's bytes at once (Zendesk's) left the position at.
        progress(total, total)
    return report


def _size(binary: BinaryIO) -> int:
    try:
        return os.fstat(binary.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        position = binary.tell()
        size = binary.seek(0, os.SEEK_END)
        binary.seek(position)
        return size


def _position(sources, sizes: list[int]) -> int:
    """Bytes read so far: a file its reader has closed is read to its end."""
    return sum(
        size if binary.closed else _tell(binary)
        for (_n, binary), size in zip(sources, sizes, strict=True)
    )


def _tell(binary: BinaryIO) -> int:
    try:
        return binary.tell()
    except (OSError, ValueError):
        return 0


def _store(run: ImportRun, report: Report) -> None:
    run.planned = {**report.counts, "_types": report.types}
    run.problems = [p.as_dict() for p in report.problems]
    run.problem_count = report.problem_count


def do_check_past_import(
    *, acting_user: User, kind: str, data: bytes, filename: str, options: dict | None = None
) -> ImportRun:
    """Keep the export and its check; nothing of the desk is written."""
    check_allowed(acting_user, Permission.DATA_IMPORT)
    import io

    options = options or {}
    try:
        report = process(kind, [(filename, io.BytesIO(data))], options, write=False)
    except UnreadableFile as exc:
        report = Report()
        report.add_problem(Problem(0, "", exc.message))
    with transaction.atomic():
        run = ImportRun(kind=kind, filename=filename[:255], options=options, created_by=acting_user)
        _store(run, report)
        run.file.save(f"{kind}-{timezone.now():%Y%m%d-%H%M%S}.dat", ContentFile(data), save=False)
        run.save()
    return run


def run_past(run: ImportRun, *, progress=None) -> dict:
    """The worker's import of a checked export (checked again: the desk may have changed)."""
    with ExitStack() as stack:
        binary = stack.enter_context(run.file.open("rb"))
        report = process(
            run.kind,
            [(run.filename, binary)],
            run.options,
            write=True,
            acting_user=run.created_by,
            run_id=run.pk,
            progress=progress,
        )
    _store(run, report)
    counts = dict(report.counts)
    counts["tickets_imported"] = counts.pop("tickets_new")
    return counts


def type_values(run: ImportRun) -> dict | None:
    """The request types a checked export uses, with how each is imported now."""
    found = (run.planned or {}).get("_types") or {}
    if not found:
        return None
    source = SOURCES[run.kind]
    table = {m.value.casefold(): m.request_type for m in TypeMapping.objects.filter(source=source)}
    codes = {t.value for t in RequestType}
    choices = [("", _("No type (an agent qualifies it if it is reopened)"))] + [
        (t.value, _type_label(t.value)) for t in RequestType
    ]
    rows = [
        {
            "value": value,
            "count": count,
            "mapped": table.get(value.casefold(), value if value in codes else ""),
        }
        for value, count in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"source": source, "rows": rows, "choices": choices}


def _type_label(code: str) -> str:
    return {
        "usage": _("Usage question"),
        "malfunction": _("Malfunction"),
        "feature": _("Feature request"),
        "training": _("Information or training"),
    }[code]


@transaction.atomic
def do_map_types(*, acting_user: User, source: str, mapping: dict[str, str]) -> int:
    """Save how the tool's request types are imported; returns how many changed."""
    check_allowed(acting_user, Permission.DATA_IMPORT)
    codes = {t.value for t in RequestType} | {""}
    changed = 0
    for value, code in mapping.items():
        value = value.strip()[:200]
        if not value or code not in codes:
            continue
        row = TypeMapping.objects.filter(source=source, value__iexact=value).first()
        if row is None:
            row = TypeMapping.objects.create(source=source, value=value, request_type=code)
        elif row.request_type != code:
            before = row.request_type
            row.request_type = code
            row.save(update_fields=["request_type"])
            record_change(
                "type_mapping.update",
                row,
                acting_user=acting_user,
                before={"request_type": before},
                after={"request_type": code},
            )
            changed += 1
            continue
        else:
            continue
        record_change(
            "type_mapping.create", row, acting_user=acting_user, after={"request_type": code}
        )
        changed += 1
    return changed
