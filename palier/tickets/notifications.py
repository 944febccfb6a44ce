"""Side effects of ticket events (mail, webhooks, service clocks), run by the worker.

Apps register a handler in their AppConfig.ready(); every change of a ticket is a
`TicketEvent` row, written in the transaction that made the change (`actions.record_event`).
That row is the outbox: `dispatch_pending_events`, called in a loop by `palier worker`,
runs the handlers of every event not yet dispatched and marks it, exactly once even with
several workers (PostgreSQL: SKIP LOCKED). No event is lost with a crash between the change
and its mail, and none is told before its change commits. One row per change, not an event
row and a task row beside it: ticket creation got 0.6 ms cheaper (docs/performance.md).

With a task backend other than the database one (the tests' immediate backend), events are
dispatched when their transaction commits, through the same `dispatch_events`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from palier.lib.rows import one_or_none
from palier.lib.tasks import uses_database_backend

logger = logging.getLogger(__name__)

EventHandler = Callable[["TicketEvent"], None]  # noqa: F821
_handlers: list[EventHandler] = []

# Events dispatched per batch of the worker's loop.
BATCH = 200


def register_event_handler(handler: EventHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def queue_event(event) -> None:
    """Called by `record_event` for each new event: nothing to write, the event row waits
    for the worker; without the database task backend, dispatch it after commit."""
    if not uses_database_backend():
        transaction.on_commit(partial(dispatch_events, [event.pk]))


def dispatch_pending_events(limit: int = BATCH) -> int:
    """Dispatch the oldest events not yet dispatched (at most `limit`); how many were."""
    from palier.tickets.models import TicketEvent

    ids = list(
        TicketEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch_events(ids)


def dispatch_events(ids: Iterable[int]) -> int:
    """Run the handlers of these events, each in its own transaction that also marks it
    dispatched. An event another worker holds or has dispatched is skipped. A handler that
    fails is logged, its writes rolled back, and the event still marked: one broken handler
    must not stop the outbox (a task did the same: it failed once, and was not retried)."""
    from palier.tickets.models import TicketEvent

    done = 0
    for pk in ids:
        with transaction.atomic():
            event = one_or_none(
                TicketEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("ticket", "ticket__customer", "ticket__contact", "actor")
                .filter(pk=pk, dispatched_at__isnull=True)
            )
            if event is None:
                continue
            for handler in list(_handlers):
                try:
                    with transaction.atomic():
                        handler(event)
                except Exception:
                    logger.exception("Event %s: handler %s failed", pk, handler.__qualname__)
            TicketEvent.objects.filter(pk=pk).update(dispatched_at=timezone.now())
            done += 1
    return done


@task()
def dispatch_ticket_event(event_id: int) -> None:
    """The task an earlier release queued per event; rows still queued at the upgrade run
    through the outbox's own path (their events were left undispatched by the migration)."""
    dispatch_events([event_id])
