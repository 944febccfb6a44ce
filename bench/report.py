"""Print the results of bench/http.py as the Markdown tables of docs/performance.md.

.venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import DATA_DIR  # noqa: E402

RUNS = [("sqlite", "10k"), ("sqlite", "100k"), ("postgres", "10k"), ("postgres", "100k")]


def load() -> dict[tuple[str, str], dict]:
    found = {}
    for db, dataset in RUNS:
        path = DATA_DIR / f"results-{db}-{dataset}.json"
        if path.exists():
            found[(db, dataset)] = json.loads(path.read_text())
    return found


def main() -> None:
    results = load()
    runs = list(results)
    head = " | ".join(f"{db} {ds}" for db, ds in runs)
    print(f"| p50 / p95 ms (CPU ms) | {head} |")
    print("| --- |" + " --- |" * len(runs))
    names = list(next(iter(results.values()))["reads"])
    for name in names:
        cells = []
        for run in runs:
            r = results[run]["reads"][name]
            cells.append(f"{r['p50']:.1f} / {r['p95']:.1f} ({r['server_cpu_ms']:.1f})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for run in runs:
        c = results[run]["create"]
        cells.append(f"{c['per_second']:.0f}/s ({c['server_cpu_ms']:.1f})")
    print("| create, 2 clients: tickets/s (CPU ms) | " + " | ".join(cells) + " |")
    print(
        "| load average during the run | "
        + " | ".join(
            f"{results[r]['load_before'][0]:.0f}–{results[r]['load_after'][0]:.0f}" for r in runs
        )
        + " |"
    )
    print()
    print(f"| CPU ms per request, in process | {head} |")
    print("| --- |" + " --- |" * len(runs))
    for name in next(iter(results.values()))["service_cpu_ms"]:
        cells = [f"{results[r]['service_cpu_ms'].get(name, float('nan')):.1f}" for r in runs]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print(f"| SQL queries per request | {head} |")
    print("| --- |" + " --- |" * len(runs))
    for name in next(iter(results.values()))["queries"]:
        cells = [str(results[r]["queries"].get(name, "")) for r in runs]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
