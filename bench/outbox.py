"""The outbox's cost in process: open N tickets through the action (events left for the
worker, as in production), then drain them as `palier worker` does, and give the CPU and
statements of each side, a ticket.

    nice -n 5 .venv/bin/python bench/outbox.py --db postgres --set dispatch10k --tickets 400

The tickets are removed afterwards (bench/http.remove_tickets_after).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

from bench.env import setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--set", dest="dataset", required=True)
    parser.add_argument("--tickets", type=int, default=400)
    args = parser.parse_args()
    setup_django(args.db, args.dataset)
    from django.db import connection
    from django.utils import timezone

    from bench.http import remove_tickets_after
    from palier.accounts.models import User
    from palier.customers.models import Module
    from palier.ops.outbox import drain
    from palier.tickets.actions import do_open_ticket
    from palier.tickets.models import Ticket, TicketEvent

    began = timezone.now()
    since = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    TicketEvent.objects.filter(dispatched_at__isnull=True).update(dispatched_at=began)
    contact = (
        User.objects.filter(role="contact", is_active=True, customer__isnull=False)
        .order_by("pk")
        .first()
    )
    module = Module.objects.order_by("pk").first()

    def create(n: int) -> None:
        for _ in range(n):
            do_open_ticket(
                acting_user=contact,
                customer=contact.customer,
                contact=contact,
                request_type="malfunction",
                subject="Outbox bench",
                description="Error 4711 since the update.",
                module=module,
            )

    class Count:
        """Statements sent (savepoints included; BEGIN and COMMIT are the driver's)."""

        def __init__(self) -> None:
            self.n = 0

        def __call__(self, execute, sql, params, many, context):
            self.n += 1
            return execute(sql, params, many, context)

    try:
        create(20)  # warm: imports, prepared statements
        drain()
        result = {}
        started = time.process_time()
        with connection.execute_wrapper(count := Count()):
            create(args.tickets)
        result["open_ticket"] = {
            "cpu_ms": round((time.process_time() - started) * 1000 / args.tickets, 2),
            "statements": round(count.n / args.tickets, 2),
        }
        started = time.process_time()
        with connection.execute_wrapper(count := Count()):
            done = drain()
        result["dispatch"] = {
            "events": done,
            "cpu_ms": round((time.process_time() - started) * 1000 / max(done, 1), 2),
            "statements": round(count.n / max(done, 1), 2),
        }
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result, indent=1))
    finally:
        remove_tickets_after(since, began)


if __name__ == "__main__":
    main()
