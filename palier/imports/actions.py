"""Writes of the import screens and command: check a file (the dry run, nothing written
but the run's own row), then import it (the worker, or the command in its own process)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change
from palier.imports import engine
from palier.imports.files import UnreadableFile, read_table
from palier.imports.kinds import KINDS
from palier.imports.kinds.contacts import ContactKind
from palier.imports.models import ImportRun, RunState
from palier.lib.errors import DomainError
from palier.lib.tasks import enqueue_with_transaction
from palier.lib.words import as_stored

# Problems kept on a run for the screen (the command prints them all).
KEPT_PROBLEMS = 2000


def tabular_kind(name: str, options: dict | None = None) -> engine.Kind:
    if name not in KINDS:
        raise DomainError(_("Unknown kind of import."), code="unknown_kind", details=[name])
    if name == "contacts" and (options or {}).get("invite"):
        return ContactKind(invite=True)
    return KINDS[name]


def check(kind_name: str, data: bytes, filename: str, options: dict | None = None):
    """The dry run of a file: read and check every row, write nothing."""
    kind = tabular_kind(kind_name, options)
    return engine.plan(kind, read_table(data, filename))


def _store_plan(run: ImportRun, plan) -> None:
    problems = plan.all_problems
    run.planned = plan.counts
    run.problems = [p.as_dict() for p in problems[:KEPT_PROBLEMS]]
    run.problem_count = len(problems)
    run.notes = [as_stored(n) for n in plan.notes]


def do_check_import(
    *, acting_user: User, kind: str, data: bytes, filename: str, options: dict | None = None
) -> ImportRun:
    """Keep the file and its dry run; nothing of the desk is written."""
    check_allowed(acting_user, Permission.DATA_IMPORT)
    options = options or {}
    try:
        plan = check(kind, data, filename, options)  # parsed before the write transaction
    except UnreadableFile as exc:
        plan = engine.Plan(kind, [], [engine.Problem(0, "", exc.message)], [])
    with transaction.atomic():
        run = ImportRun(kind=kind, filename=filename[:255], options=options, created_by=acting_user)
        _store_plan(run, plan)
        run.file.save(f"{kind}-{timezone.now():%Y%m%d-%H%M%S}.dat", ContentFile(data), save=False)
        run.save()
    return run


@transaction.atomic
def do_queue_import(run: ImportRun, *, acting_user: User) -> ImportRun:
    """Hand a checked file to the worker."""
    check_allowed(acting_user, Permission.DATA_IMPORT)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.state != RunState.CHECKED:
        raise DomainError(_("This file was already imported."), code="import_started")
    run.state = RunState.QUEUED
    run.save(update_fields=["state"])
    from palier.imports.tasks import run_import

    enqueue_with_transaction(run_import, run.pk)
    return run


def run_tabular(
    run: ImportRun, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Check the file again (the desk may have changed since the dry run) and write it."""
    with run.file.open("rb") as f:
        data = f.read()
    kind = tabular_kind(run.kind, run.options)
    plan = engine.plan(kind, read_table(data, run.filename))
    if plan.problems:
        _store_plan(run, plan)
        raise DomainError(plan.problems[0].message, code="import_refused")
    counts = engine.apply(kind, plan, acting_user=run.created_by, progress=progress)
    _store_plan(run, plan)
    return counts


def finish(run: ImportRun, result: dict, *, error: str = "") -> None:
    """End a run: failed (`error`), ended with refusals when its last check kept problems
    (rows or tickets left out, as `palier import` exits with code 3), else done."""
    with transaction.atomic():
        if error:
            run.state = RunState.FAILED
        else:
            run.state = RunState.PARTIAL if run.problem_count else RunState.DONE
        run.result, run.error, run.finished_at = result, error, timezone.now()
        run.save()
        record_change(
            "import.failed" if error else "import.done",
            run,
            acting_user=run.created_by,
            after={"kind": run.kind, "file": run.filename, "result": result, "error": error},
        )
