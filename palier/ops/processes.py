"""Start the web server and the worker as child processes, and stop them together."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings


def gunicorn_command(bind: str, workers: int, *, access_log: bool) -> list[str]:
    """gunicorn serving Palier on `bind` (an address, or `fd://N` for a socket we opened)."""
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
        # The longest request line gunicorn reads (its default, 4094, cut long searches):
        # longer API addresses are answered in JSON below it (api/url_limit.py).
        "--limit-request-line",
        "8190",
        # gunicorn 24+ opens a control socket at ~/.gunicorn/gunicorn.ctl, one path shared
        # by every instance of the user and outside the data folder. Nothing of Palier uses
        # it; signals (HUP, TTIN, TTOU, TERM) do the same.
        "--no-control-socket",
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


class StopSignals:
    """Counts SIGINT and SIGTERM instead of raising KeyboardInterrupt, from the moment the
    children are started until they are all gone: a Ctrl+C pressed while they start or
    stop (twice, as the worker invites) never interrupts the supervision halfway."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: list[int] = []
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        for signum in self.SIGNALS:
            self.previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received.append(signum)


def supervise(
    children: Mapping[str, list[str]], env: Mapping[str, str], *, pass_fds: tuple[int, ...] = ()
) -> int:
    """Run the commands until one exits or we are told to stop; then stop them all.

    Returns the exit status: 0 after Ctrl+C or SIGTERM, else the failing child's (1 for a
    child that stopped with status 0 on its own)."""
    with StopSignals() as stop:
        procs = {
            name: subprocess.Popen(cmd, env=dict(env), pass_fds=pass_fds)  # noqa: S603
            for name, cmd in children.items()
        }
        failed: tuple[str, int] | None = None
        while not stop.received and failed is None:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    failed = (name, code)
                    break
            else:
                time.sleep(0.1)  # a signal ends the sleep at once
        if failed and not stop.received:
            # A child stopping by itself on the same Ctrl+C that is about to reach us (or
            # already has: the kernel delivers it to the whole group at once) is a stop, not
            # a failure. Give the signal a moment to be seen before calling it one.
            time.sleep(0.5)
        if stop.received:
            told = stop.received[0]
            # Ctrl+C reached the whole process group: the children stop by themselves, and a
            # second signal would make the worker abandon the task it is running. SIGTERM
            # (a process manager) reached only us: pass it on at once.
            _stop_all(procs.values(), grace=5 if told == signal.SIGINT else 0)
            sys.stderr.write("palier: stopped.\n")
            return 0
        assert failed is not None
        name, code = failed
        sys.stderr.write(f"palier: {name} exited with status {code}; stopping.\n")
        _stop_all(procs.values(), grace=0)
        return code or 1


def _stop_all(procs: Iterable[subprocess.Popen], *, grace: float) -> None:
    procs = list(procs)
    deadline = time.monotonic() + grace
    while grace and time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.1)
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


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: a free port), for gunicorn's `fd://`.

    Opened before anything slow, so that a port in use is said at once, and held from then
    on: nothing else can take the port between our choice and gunicorn's start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def child_environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PALIER_DATA_DIR"] = str(settings.DATA_DIR)
    env.update(overrides)
    return env
