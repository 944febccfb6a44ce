"""The outbox loop of `palier worker`: dispatch ticket events as they are committed, and say
that the worker is alive (`/readyz` reads the freshest heartbeat)."""

from __future__ import annotations

import time

from django.utils import timezone

from palier.ops.threads import LoopThread
from palier.tickets.notifications import BATCH, dispatch_pending_events, retry_failed_handlers

HEARTBEAT_SECONDS = 10.0


def drain() -> int:
    """Dispatch every pending event, batch after batch, then run again the failed side
    effects whose time has come; how many events were dispatched."""
    total = 0
    while True:
        done = dispatch_pending_events(BATCH)
        total += done
        if done < BATCH:
            retry_failed_handlers()
            return total


def beat(worker_id: str) -> None:
    from palier.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64], defaults={"seen_at": timezone.now()}
    )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly takes its heartbeat with it."""
    from palier.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id[:64]).delete()


class OutboxThread(LoopThread):
    """Drains the outbox every `tick` seconds: a change's mail and clocks follow it within a
    quarter of a second. Beats every HEARTBEAT_SECONDS when given a worker id."""

    def __init__(self, tick: float = 0.25, worker_id: str = ""):
        super().__init__("palier-outbox", tick)
        self.worker_id = worker_id
        self.last_beat = 0.0

    def step(self) -> None:
        if self.worker_id and time.monotonic() - self.last_beat >= HEARTBEAT_SECONDS:
            beat(self.worker_id)
            self.last_beat = time.monotonic()
        drain()
