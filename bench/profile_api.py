"""Where an API answer's CPU goes, in process, on a bench data set (production settings).

    nice -n 5 .venv/bin/python bench/profile_api.py --db postgres --set 20k
    nice -n 5 .venv/bin/python bench/profile_api.py --db postgres --set 20k --profile list

Prints the CPU ms (median of `--requests`) of the requests bench/load.py mixes: `/me` (the
bare view), a staff list, a detail and a search, through Django's test client with a staff
token; `--profile NAME` prints cProfile's top functions for one of them. It writes only the
bench tokens it makes (bench/http.make_tokens).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from bench.env import setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", default="10k")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", default="", help="me, list, detail or search")
    args = parser.parse_args()
    setup_django(args.db, args.dataset)

    from django.test import Client

    from bench.http import make_tokens
    from palier.tickets.models import Ticket

    tokens = make_tokens()
    ids = list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:500])
    staff = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}")
    rng = random.Random(3)
    calls = {
        "me": lambda: staff.get("/api/v1/me"),
        "list": lambda: staff.get("/api/v1/tickets?queue=level1&limit=50"),
        "detail": lambda: staff.get(f"/api/v1/tickets/{rng.choice(ids)}"),
        "search": lambda: staff.get("/api/v1/tickets?q=facture&limit=50"),
    }
    for name, call in calls.items():
        for _ in range(5):
            assert call().status_code == 200, name
        cpu = []
        for _ in range(args.requests):
            started = time.process_time()
            call()
            cpu.append((time.process_time() - started) * 1000)
        print(f"{name:8} {statistics.median(cpu):6.2f} ms")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests * 2):
            calls[args.profile]()
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
