"""A tiny registry of periodic jobs, run by `palier worker`'s scheduler loop.

    from django_tasks import task
    from palier.lib.schedule import every

    @every(seconds=60, name="sla.scan")
    @task()
    def scan_clocks() -> None: ...

A django-tasks task is enqueued when due (any worker process then runs it); a plain
function is called in the scheduler loop itself, so keep those short. Put decorated jobs
in your app's `tasks.py` (the worker imports every app's `tasks` module) or in a module
your AppConfig.ready() imports. Slots are aligned on the interval (a 60 s job runs at each
full minute) and claimed in the database (palier.ops), so several workers on one
PostgreSQL run each slot once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    seconds: int
    target: Any  # a django-tasks Task, or a callable taking no argument

    @property
    def is_task(self) -> bool:
        return hasattr(self.target, "enqueue")

    def run(self) -> None:
        if self.is_task:
            self.target.enqueue()
        else:
            self.target()


_registry: dict[str, PeriodicJob] = {}


def every(*, seconds: int, name: str) -> Callable[[T], T]:
    """Register the decorated task or function to run every `seconds`, under a unique name."""
    if seconds < 1:
        raise ValueError("A periodic job runs at most once a second.")

    def register(target: T) -> T:
        existing = _registry.get(name)
        if existing is not None and _qualname(existing.target) != _qualname(target):
            raise ValueError(f"Two periodic jobs are named {name!r}.")
        _registry[name] = PeriodicJob(name=name, seconds=seconds, target=target)
        return target

    return register


def _qualname(target: Any) -> str:
    func = getattr(target, "func", target)  # a django-tasks Task wraps its function
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_registry.values(), key=lambda job: job.name)


def unregister(name: str) -> None:
    """Forget a job (tests register their own and clean up)."""
    _registry.pop(name, None)
