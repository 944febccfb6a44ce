"""Start the web server and the worker as child processes, and stop them together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

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


def worker_command() -> list[str]:
    return [sys.executable, "-m", "palier.cli", "worker"]


def ensure_static_files() -> None:
    """Collect static files into the data folder (quick when nothing changed).

    The manifest storage hashes file names; without its manifest `{% static %}` fails,
    even where whitenoise could find the files themselves."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def supervise(children: Mapping[str, list[str]], env: Mapping[str, str]) -> int:
    """Run the commands until one exits or we are told to stop; then stop them all.

    Returns the exit status: 0 after Ctrl+C or SIGTERM, else the failing child's."""
    procs = {name: subprocess.Popen(cmd, env=dict(env)) for name, cmd in children.items()}  # noqa: S603
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    status = 0
    try:
        while True:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    sys.stderr.write(f"palier: {name} exited with status {code}; stopping.\n")
                    return code or 1
            time.sleep(0.3)
    except KeyboardInterrupt:
        stopping = True
    finally:
        _stop_all(procs.values())
        signal.signal(signal.SIGTERM, previous)
        if stopping:
            sys.stderr.write("palier: stopped.\n")
    return status


def _stop_all(procs) -> None:
    # Ctrl+C reached the children too (same process group); SIGTERM covers the other cases.
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
