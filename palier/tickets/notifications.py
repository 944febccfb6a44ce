"""Side effects of ticket events (mail, webhooks, service clocks), run by the worker.

Apps register a handler in their AppConfig.ready(); every change of a ticket is a
`TicketEvent` row, written in the transaction that made the change (`actions.record_event`).
That row is the outbox: `dispatch_pending_events`, called in a loop by `palier worker`,
claims the oldest events not yet dispatched, CLAIM at a time, runs their handlers and marks
them in one transaction: exactly once even with several workers (PostgreSQL: SKIP LOCKED;
SQLite: one writer at a time). No event is lost with a crash between the change
and its mail, and none is told before its change commits. One row per change, not an event
row and a task row beside it: ticket creation got 0.6 ms cheaper (docs/performance.md).

With a task backend other than the database one (the tests' immediate backend), events are
dispatched when their transaction commits, through the same `dispatch_events`.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from palier.lib.tasks import backoff, uses_database_backend

logger = logging.getLogger(__name__)

EventHandler = Callable[["TicketEvent"], None]  # noqa: F821
BatchHandler = Callable[[list["TicketEvent"]], None]  # noqa: F821
_handlers: list[EventHandler] = []
# A handler's form for a list of events (one query for the batch, not one an event).
_batch_forms: dict[EventHandler, BatchHandler] = {}

# Events dispatched per call of the worker's loop, and per transaction: a claim holds its
# events' rows locked until its transaction commits.
BATCH = 200
CLAIM = 50
HANDLER_ATTEMPTS = 6  # a failed side effect is run this many times in all (over ~15 min)


def register_event_handler(handler: EventHandler, *, batch: BatchHandler | None = None) -> None:
    """`handler` takes one event; `batch`, when given, does the same for a list of events
    at once (the worker's claims); a batch that fails is handled again event by event."""
    if handler not in _handlers:
        _handlers.append(handler)
    if batch is not None:
        _batch_forms[handler] = batch


def queue_event(event) -> None:
    """Called by `record_event` for each new event: nothing to write, the event row waits
    for the worker; without the database task backend, dispatch it after commit."""
    if not uses_database_backend():
        transaction.on_commit(partial(dispatch_events, [event.pk]))


def _claimable():
    from palier.tickets.models import TicketEvent

    # SKIP LOCKED: several workers claim disjoint events (PostgreSQL). SQLite ignores the
    # lock, but its transactions are IMMEDIATE: one claim at a time, re-read inside it.
    return (
        TicketEvent.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket", "ticket__customer", "ticket__contact", "actor")
        .filter(dispatched_at__isnull=True)
    )


def dispatch_pending_events(limit: int = BATCH) -> int:
    """Dispatch the oldest events not yet dispatched (at most `limit`), a claim of up to
    CLAIM events a transaction; how many were."""
    done = 0
    while done < limit:
        size = min(CLAIM, limit - done)
        with transaction.atomic():
            events = list(_claimable().order_by("id")[:size])
            _dispatch_claimed(events)
        done += len(events)
        if len(events) < size:
            break
    return done


def dispatch_events(ids: Iterable[int]) -> int:
    """Dispatch these events (those another worker holds or has dispatched are skipped);
    how many were."""
    ids = sorted(set(ids))
    done = 0
    for start in range(0, len(ids), CLAIM):
        with transaction.atomic():
            events = list(_claimable().filter(pk__in=ids[start : start + CLAIM]).order_by("id"))
            _dispatch_claimed(events)
        done += len(events)
    return done


def _dispatch_claimed(events: list) -> None:
    """Run the handlers of these claimed events and mark them dispatched, in the caller's
    transaction. A handler that fails is logged, its writes rolled back, its failure kept
    with its error for a retry (`EventHandlerFailure`), and the event still marked: one
    broken handler must not stop the outbox nor hold back the event's other effects."""
    from palier.tickets.models import TicketEvent

    if not events:
        return
    handlers = list(_handlers)
    try:
        with transaction.atomic():  # one savepoint for the claim: none an event or handler
            # Event after event, in the order they happened, as one at a time did (a mail's
            # References name the mails before it); then the batch forms, which read no
            # other handler's writes (a clock is recomputed from the ticket's history).
            for event in events:
                for handler in handlers:
                    if handler not in _batch_forms:
                        handler(event)
            for handler in handlers:
                if handler in _batch_forms:
                    _batch_forms[handler](events)
    except Exception:
        # Something failed: again event by event, each handler in its own savepoint, so
        # that only the failing handler's writes for the failing event are rolled back; that
        # side effect is kept with its error and run again later (`retry_failed_handlers`).
        for event in events:
            for handler in handlers:
                try:
                    with transaction.atomic():
                        handler(event)
                except Exception as exc:
                    logger.exception("Event %s: handler %s failed", event.pk, handler.__qualname__)
                    _record_failure(event, handler, exc)
    TicketEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=timezone.now())


def _handler_name(handler: EventHandler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"[:200]


def _error(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-4000:]


def _record_failure(event, handler: EventHandler, exc: BaseException) -> None:
    from palier.tickets.models import EventHandlerFailure

    now = timezone.now()
    EventHandlerFailure.objects.update_or_create(
        event=event,
        handler=_handler_name(handler),
        defaults={"error": _error(exc), "failed_at": now, "retry_at": now + backoff(1)},
    )


# A claimed retry is pushed this far ahead while it runs: a worker that dies running it
# leaves it due again after this, for another worker.
RETRY_LEASE = dt.timedelta(minutes=5)


def retry_failed_handlers(limit: int = CLAIM) -> int:
    """Run again the failed side effects whose time has come, each in its own transaction:
    done, the record goes; failed again, it waits longer, up to HANDLER_ATTEMPTS, then stays
    with its error and no retry (given up, for a person). How many were run.

    Asked on every turn of the outbox loop: a read first, and the writer's lock (SQLite has
    one) only when some are due, taken to claim them and let go before they run."""
    from palier.tickets.models import EventHandlerFailure

    now = timezone.now()
    due_ids = list(
        EventHandlerFailure.objects.filter(retry_at__lte=now)
        .order_by("retry_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due_ids:
        return 0
    with transaction.atomic():
        claimed = list(
            EventHandlerFailure.objects.select_for_update(skip_locked=True)
            .filter(pk__in=due_ids, retry_at__lte=now)
            .values_list("pk", flat=True)
        )
        EventHandlerFailure.objects.filter(pk__in=claimed).update(retry_at=now + RETRY_LEASE)
    by_name = {_handler_name(handler): handler for handler in _handlers}
    failures = EventHandlerFailure.objects.select_related(
        "event",
        "event__ticket",
        "event__ticket__customer",
        "event__ticket__contact",
        "event__actor",
    ).filter(pk__in=claimed)
    for failure in failures:
        try:
            handler = by_name.get(failure.handler)
            if handler is None:
                raise LookupError(f"No handler {failure.handler} is registered.")
            with transaction.atomic():
                handler(failure.event)
                failure.delete()
        except Exception as exc:
            logger.exception("Event %s: handler %s failed again", failure.event_id, failure.handler)
            failure.attempts += 1
            failure.error, failure.failed_at = _error(exc), timezone.now()
            last = failure.attempts >= HANDLER_ATTEMPTS
            failure.retry_at = None if last else failure.failed_at + backoff(failure.attempts)
            failure.save(update_fields=["attempts", "error", "failed_at", "retry_at"])
    return len(claimed)


def given_up_failures():
    """The failed side effects no retry is planned for: they wait for a person."""
    from palier.tickets.models import EventHandlerFailure

    return EventHandlerFailure.objects.filter(retry_at__isnull=True)


def rearm_failures(ids: Iterable[int] | None = None, acting_user=None) -> int:
    """Schedule again the given-up side effects (these ids, or all), once a person has
    mended their cause: due at once, with a fresh round of HANDLER_ATTEMPTS. Their last
    error stays until the retry replaces or removes it. Those still scheduled are left as
    they are. How many were re-armed; each is kept in the audit log with who asked."""
    from palier.audit.log import update_recorded

    failures = given_up_failures()
    if ids is not None:
        failures = failures.filter(pk__in=list(ids))
    found = update_recorded(
        "outbox.rearmed", failures, acting_user=acting_user, retry_at=timezone.now(), attempts=0
    )
    return len(found)


@task()
def dispatch_ticket_event(event_id: int) -> None:
    """The task an earlier release queued per event; rows still queued at the upgrade run
    through the outbox's own path (their events were left undispatched by the migration)."""
    dispatch_events([event_id])
