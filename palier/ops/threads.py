"""The loops `palier worker` runs beside its task worker, in the same process."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


class LoopThread(threading.Thread):
    """Calls `step()` every `tick` seconds until stopped, on its own database connection. A
    failing step (the database briefly unreachable, say) is logged and tried again at the
    next tick."""

    def __init__(self, name: str, tick: float):
        super().__init__(name=name, daemon=True)
        self.tick = tick
        self.stopping = threading.Event()

    def starting(self) -> None:
        """Called once in the thread before the first tick."""

    def step(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        self.starting()
        try:
            while not self.stopping.wait(self.tick):
                close_old_connections()
                try:
                    self.step()
                except Exception:
                    logger.exception("%s: tick failed", self.name)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
