"""Run the `palier` command in a subprocess, with settings of our choosing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/palier"
PRODUCTION_SECRET = "prod-" + "k7Qz9vX2mB4nR8tW1yL6pD3sF0gH5jA" * 2


def palier_env(data_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of a fresh shell: none of the test suite's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PALIER_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "palier.settings"
    env["PALIER_DATA_DIR"] = str(data_dir)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_palier(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "palier.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def production_env(data_dir: Path, **overrides: str | None) -> dict[str, str]:
    settings: dict[str, str | None] = {
        "PALIER_ENV": "production",
        "PALIER_SECRET_KEY": PRODUCTION_SECRET,
        "PALIER_ALLOWED_HOSTS": "support.example.com",
        "DATABASE_URL": POSTGRES_URL,
    }
    return palier_env(data_dir, **{**settings, **overrides})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
