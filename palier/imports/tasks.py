"""The worker's side of an import: run a checked file, telling the screen how far it got."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from palier.imports.actions import finish
from palier.imports.models import ImportRun, RunState
from palier.lib.errors import DomainError

logger = logging.getLogger(__name__)


def _progress(run_id: int):
    def tell(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(done_rows=done, total_rows=total)

    return tell


@task()
def run_import(run_id: int) -> str:
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or run.state != RunState.QUEUED:
        return "skipped"
    # The problems and the summary are kept as text: in the language of who imports.
    with translation.override(run.created_by.language or settings.LANGUAGE_CODE):
        return _run(run)


def _run(run: ImportRun) -> str:
    run_id = run.pk
    ImportRun.objects.filter(pk=run_id).update(state=RunState.RUNNING)
    try:
        from palier.imports.runner import run_any

        result = run_any(run, progress=_progress(run_id))
    except DomainError as exc:
        finish(run, {}, error=exc.message)
        return "failed"
    except Exception:  # a bug must not leave the screen waiting forever
        logger.exception("Import %s failed", run_id)
        # Python's own words ("date value out of range") tell a manager nothing: the log
        # keeps them, under the run's number.
        finish(run, {}, error=_(
            "The import stopped on an unexpected error (import %(id)s, in the server's log). "
            "What it wrote before stays; importing the same file again adds only the rest."
        ) % {"id": run_id})  # fmt: skip
        return "failed"
    finish(run, result)
    return run.state
