"""The outbox loop of `palier worker`: dispatch ticket events as they are committed."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from palier.tickets.notifications import BATCH, dispatch_pending_events

logger = logging.getLogger(__name__)


def drain() -> int:
    """Dispatch every pending event, batch after batch; how many were."""
    total = 0
    while True:
        done = dispatch_pending_events(BATCH)
        total += done
        if done < BATCH:
            return total


class OutboxThread(threading.Thread):
    """Runs `drain` every `tick` seconds beside the task worker, in the same process: a
    change's mail and clocks follow it within a quarter of a second."""

    def __init__(self, tick: float = 0.25):
        super().__init__(name="palier-outbox", daemon=True)
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.tick):
                close_old_connections()
                try:
                    drain()
                except Exception:  # e.g. the database is briefly unreachable: retry next tick
                    logger.exception("Outbox tick failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
