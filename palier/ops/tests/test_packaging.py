"""The container image's files, and its entry point run outside a container (none can run
here): one image for web, worker and mail listener, built in two stages, run as non-root."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from palier.ops.tests.helpers import REPO, palier_env

DEPLOY = REPO / "deploy"


def test_the_containerfile_builds_in_two_stages_and_runs_as_a_plain_user():
    text = (DEPLOY / "Containerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, re.M)
    assert len(stages) == 2 and stages[0][1] == "build"
    final = text[text.rindex("\nFROM") :]
    assert "build-essential" not in final  # no compiler in the image that runs
    user = re.search(r"^USER\s+(\S+)", final, re.M)
    assert user and user.group(1) not in ("root", "0")
    assert 'ENTRYPOINT ["/usr/local/bin/palier-entrypoint"]' in final
    compose = (DEPLOY / "compose.yaml").read_text()
    for service in ("db:", "web1:", "web2:", "worker1:", "worker2:"):
        assert f"  {service}" in compose
    units = {p.name for p in (DEPLOY / "systemd").iterdir()}
    assert {"palier-web.service", "palier-worker@.service", "palier-mail.service"} <= units


def entrypoint(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPLOY / "entrypoint"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_entrypoint_migrates_on_request_and_runs_any_palier_command(tmp_path):
    env = palier_env(tmp_path, PALIER_ENV="demo", PALIER_MIGRATE="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    assert "usage: palier" in entrypoint("--help", env=env).stdout
    migrated = entrypoint("migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    worker = entrypoint("worker", "--batch", "-v0", env=env)  # the worker's command
    assert worker.returncode == 0, worker.stderr
    assert (tmp_path / "palier.sqlite3").exists()
