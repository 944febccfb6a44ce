"""Where this host's Palier processes write their metrics (imported before Django starts)."""

from __future__ import annotations

import shutil
from pathlib import Path


def metrics_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "run" / "metrics"


def prepare_metrics_dir(data_dir: Path, *, wipe: bool) -> Path:
    """Create the folder where this host's processes write their values; `wipe` (a web
    server starting) drops the files of processes that are gone."""
    folder = metrics_dir(data_dir)
    if wipe and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
