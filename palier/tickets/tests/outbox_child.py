"""A child process of test_outbox_across_processes: a `palier worker`'s outbox loop on the
parent's test database, racing its siblings.

    python -m palier.tickets.tests.outbox_child DBNAME START OUT

Loads the test settings with the database task backend (events wait for the worker, as in
production), adds a handler that records every event it is given, waits for the wall-clock
START so that all children race, drains the outbox and writes the events it handled.
"""

from __future__ import annotations

import json
import sys
import time

from palier.ops.tests.race_child import setup


def main() -> None:
    db_name, start, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    setup(db_name)
    from django.db import connection

    from palier.ops.outbox import drain
    from palier.tickets.notifications import register_event_handler

    handled: list[int] = []
    register_event_handler(lambda event: handled.append(event.pk))
    connection.ensure_connection()
    while time.time() < start:
        time.sleep(0.001)
    drain()
    with open(out, "w") as handle:
        json.dump(handled, handle)


if __name__ == "__main__":
    main()
