"""Where a screen's CPU goes, in process, on a bench data set (production settings).

    nice -n 5 .venv/bin/python bench/profile_screens.py --db sqlite --set 10k
    nice -n 5 .venv/bin/python bench/profile_screens.py --db postgres --set 100k \
        --screen "ticket page" --profile 30

Builds the same screens as bench/http.py (bench/screens.py) and, through Django's test
client with a signed-in session, prints each screen's CPU ms a request (median of
`--requests`) and SQL statements; `--profile N` prints cProfile's top functions for
`--screen` (all screens if not given). It writes nothing but a few time entries for the
bench agent (bench/screens.time_entries_for) and sessions.
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
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--screen", default="", help="a screen's name, or part of it")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key")
    parser.add_argument(
        "--tree", action="store_true", help="pyinstrument's call tree (if installed)"
    )
    args = parser.parse_args()
    setup_django(args.db, args.dataset)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import screens
    from palier.accounts.models import User
    from palier.tickets.models import Ticket

    # Production settings serve hashed static files: the pages name them from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    agent_id = screens.time_entries_for("bench.agent")
    from django.utils import timezone

    from palier.customers.models import Contract

    today = timezone.localdate()
    active = Contract.objects.filter(state="active", start__lte=today, end__gte=today)
    customer_id = active.values_list("customer_id", flat=True).order_by("customer_id")[0]
    contact = User.objects.filter(customer_id=customer_id).order_by("pk").first().username
    ids = list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:500])
    contact_ids = list(
        Ticket.objects.filter(contact__username=contact)
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    words = [("common", "facture"), ("rare", "e4711"), ("customer", screens.customer_word())]
    pairs = screens.screen_pairs(contact, agent_id, ids, contact_ids, "", words)
    pairs = [p for p in pairs if "page 20" not in p[0]]
    clients = {}
    for who, username in (("staff", "bench.agent"), ("contact", contact)):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    print(f"{'screen':40} {'cpu ms p50':>10} {'min':>6} {'SQL':>4}")
    for name, screen, _api, who in pairs:
        if args.screen and args.screen not in name:
            continue
        client = clients[who]
        rng = random.Random(5)
        paths = [screen(rng) for _ in range(args.requests)]
        for path in paths[:5]:
            assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as ctx:
            client.get(paths[0])
        statements = len(ctx.captured_queries)  # read now: the next request resets the log
        cpu = []
        for path in paths:
            started = time.process_time()
            client.get(path)
            cpu.append((time.process_time() - started) * 1000)
        print(f"{name:40} {statistics.median(cpu):10.2f} {min(cpu):6.2f} {statements:4d}")
        if args.tree:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for path in paths:
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for path in paths:
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
