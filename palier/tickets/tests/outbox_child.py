"""A child process of test_outbox_across_processes: a `palier worker`'s outbox loop on the
parent's test database, racing its siblings.

    python -m palier.tickets.tests.outbox_child DBNAME GO OUT

Loads the test settings with the database task backend (events wait for the worker, as in
production), adds a handler that records every event it is given (taking 2 ms over each, so
that a claim lasts long enough for the siblings to claim beside it), writes OUT.ready once
connected, waits for the file GO so that all children race, drains the outbox and writes
the events it handled.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from palier.ops.tests.race_child import setup


def main() -> None:
    db_name, go, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    setup(db_name)
    from django.db import connection

    from palier.ops.outbox import drain
    from palier.tickets.notifications import register_event_handler

    handled: list[int] = []

    def record(event) -> None:
        handled.append(event.pk)
        time.sleep(0.002)

    register_event_handler(record)
    connection.ensure_connection()
    out.with_suffix(".ready").touch()
    while not go.exists():
        time.sleep(0.001)
    drain()
    with open(out, "w") as handle:
        json.dump(handled, handle)


if __name__ == "__main__":
    main()
