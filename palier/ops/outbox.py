"""The outbox loop of `palier worker`: dispatch ticket events as they are committed."""

from __future__ import annotations

from palier.ops.threads import LoopThread
from palier.tickets.notifications import BATCH, dispatch_pending_events


def drain() -> int:
    """Dispatch every pending event, batch after batch; how many were."""
    total = 0
    while True:
        done = dispatch_pending_events(BATCH)
        total += done
        if done < BATCH:
            return total


class OutboxThread(LoopThread):
    """Drains the outbox every `tick` seconds: a change's mail and clocks follow it within a
    quarter of a second."""

    def __init__(self, tick: float = 0.25):
        super().__init__("palier-outbox", tick)

    def step(self) -> None:
        drain()
