"""Run a `palier` command with every thread under cProfile (cProfile alone sees only the main
thread, and the LMTP listener works in three others); on exit, write the merged statistics
to OUT (read them with `python -m pstats OUT`) and print each thread's CPU time.

    .venv/bin/python bench/profile_threads.py /tmp/lmtp.prof mail lmtp --port 2424
    .venv/bin/python bench/lmtp.py --db sqlite --profile /tmp/lmtp.prof   # the same, driven

Times are each thread's CPU (time.thread_time), not wall time: a thread waiting for a lock or a
socket counts nothing. Profiling slows Python code about twofold: read the shares, not the
milliseconds.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

_profiles: list[tuple[str, cProfile.Profile, list[float]]] = []
_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profile, cpu = cProfile.Profile(time.thread_time), [0.0]
    _profiles.append((self.name, profile, cpu))
    started = time.thread_time()
    profile.enable()
    try:
        _run(self)
    finally:
        profile.disable()
        cpu[0] = time.thread_time() - started


def main() -> None:
    out, argv = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run
    from palier.cli import main as palier

    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        palier(["palier", *argv])
    finally:
        profile.disable()
        stats = pstats.Stats(profile)
        for name, thread_profile, cpu in _profiles:
            stats.add(thread_profile)
            sys.stderr.write(f"thread {name}: {cpu[0]:.2f} s CPU\n")
        stats.dump_stats(out)


if __name__ == "__main__":
    main()
