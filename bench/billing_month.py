"""Time a month's billing run on a data set with logged time (bench/dashboards.py's sets).

    .venv/bin/python bench/billing_month.py --db postgres --set 100k_reports --runs 3

Runs `billing.invoicing.do_run_billing` as a manager over the last full calendar month (one
draft per customer from the billable, unbilled time of the month), inside a transaction that
is rolled back, so that every run bills the same entries. Prints the entries and drafts, the
time of each run and the SQL statements of the last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import DATA_DIR, setup_django  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django(args.db, args.dataset)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from palier.accounts.models import User
    from palier.billing.invoicing import do_run_billing
    from palier.billing.models import TimeEntry
    from palier.tickets.models import Ticket

    manager = User.objects.get(username="bench.manager")
    first_of_this_month = timezone.localdate().replace(day=1)
    end = first_of_this_month - dt.timedelta(days=1)
    start = end.replace(day=1)
    month = TimeEntry.objects.filter(date__gte=start, date__lte=end, billable=True)
    results: dict = {
        "db": args.db,
        "set": args.dataset,
        "tickets": Ticket.objects.count(),
        "time_entries": TimeEntry.objects.count(),
        "period": [start.isoformat(), end.isoformat()],
        "entries_in_period": month.filter(invoice__isnull=True).count(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "runs_s": [],
    }
    for _ in range(args.runs):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as ctx:
                    invoices = do_run_billing(
                        acting_user=manager, period_start=start, period_end=end
                    )
                results["runs_s"].append(round(time.perf_counter() - started, 2))
                results["statements"] = len(ctx.captured_queries)
                results["drafts"] = len(invoices)
                results["lines"] = sum(i.lines.count() for i in invoices)
                raise Rollback
        except Rollback:
            pass
    results["median_s"] = statistics.median(results["runs_s"])
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=1))
    (DATA_DIR / f"billing-{args.db}-{args.dataset}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
