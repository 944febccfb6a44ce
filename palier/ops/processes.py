"""Start the web server and the worker as child processes, and stop them together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.conf import settings


def gunicorn_command(bind: str, workers: int, *, access_log: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "palier.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # Requests are short; a stuck one is killed instead of holding a worker forever.
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
    ]
    if access_log:
        command += ["--access-logfile", "-"]
    return command


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "palier.cli", "worker", *args]


def ensure_static_files(*, only_if_changed: bool = False) -> None:
    """Collect static files into the data folder.

    The manifest storage hashes file names; without its manifest `{% static %}` fails,
    even where whitenoise could find the files themselves. `only_if_changed` skips the
    work (a few seconds) when no source file is newer than the manifest: the demo restarts
    quicker."""
    from django.core.management import call_command

    if only_if_changed and _static_files_are_current():
        return
    call_command("collectstatic", interactive=False, verbosity=0)


def _static_files_are_current() -> bool:
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if os.stat(storage.path(path)).st_mtime > built:
                return False
    return True


def supervise(children: Mapping[str, list[str]], env: Mapping[str, str]) -> int:
    """Run the commands until one exits or we are told to stop; then stop them all.

    Returns the exit status: 0 after Ctrl+C or SIGTERM, else the failing child's."""
    procs = {name: subprocess.Popen(cmd, env=dict(env)) for name, cmd in children.items()}  # noqa: S603
    forward = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal forward
        forward = True  # only we were told: pass it on at once
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        while True:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    sys.stderr.write(f"palier: {name} exited with status {code}; stopping.\n")
                    _stop_all(procs.values(), grace=0)
                    return code or 1
            time.sleep(0.3)
    except KeyboardInterrupt:
        # Ctrl+C reached the whole process group: the children stop by themselves, and a
        # second signal would make the worker abandon the task it is running.
        _stop_all(procs.values(), grace=0 if forward else 5)
        sys.stderr.write("palier: stopped.\n")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_all(procs: Iterable[subprocess.Popen], *, grace: float) -> None:
    procs = list(procs)
    deadline = time.monotonic() + grace
    while grace and time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.2)
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def child_environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PALIER_DATA_DIR"] = str(settings.DATA_DIR)
    env.update(overrides)
    return env
