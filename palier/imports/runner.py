"""Which code imports which kind of file."""

from __future__ import annotations

from collections.abc import Callable

from palier.imports.actions import run_tabular
from palier.imports.kinds import KINDS
from palier.imports.models import ImportRun
from palier.imports.past.actions import SOURCES, run_past


def run_any(run: ImportRun, *, progress: Callable[[int, int], None] | None = None) -> dict:
    if run.kind in KINDS:
        return run_tabular(run, progress=progress)
    if run.kind in SOURCES:
        return run_past(run, progress=progress)
    raise ValueError(f"unknown kind {run.kind}")
