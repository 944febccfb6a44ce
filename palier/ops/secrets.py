"""The demo's secret key, kept in its data folder so that sessions survive restarts."""

from __future__ import annotations

import os
import secrets

from django.conf import settings

FILE_NAME = "secret_key"


def ensure_demo_secret() -> str:
    """Read the demo's key from the data folder, creating it (mode 600) the first time.

    Written by `palier demo` when it serves, never when settings load: `palier --help`,
    `palier demo --help` or a mistyped command leave no file behind."""
    folder = settings.DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
