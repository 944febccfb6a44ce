"""Where this host's Palier processes write their metrics (imported before Django starts)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def metrics_dir(data_dir: Path) -> Path:
    """PALIER_RUN_DIR/metrics: by default under the data folder; a container whose data
    folder is a volume shared with other containers points PALIER_RUN_DIR at its own disk
    (process ids repeat from one container to the next)."""
    run = os.environ.get("PALIER_RUN_DIR") or str(Path(data_dir) / "run")
    return Path(run) / "metrics"


def prepare_metrics_dir(data_dir: Path, *, wipe: bool) -> Path:
    """Create the folder where this host's processes write their values; `wipe` (a web
    server starting) drops the files of processes that are gone."""
    folder = metrics_dir(data_dir)
    if wipe and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
