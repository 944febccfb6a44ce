"""Side effects of ticket events (mail, webhooks, service clocks), run by the worker.

Apps register a handler in their AppConfig.ready(); actions call `queue_event(event)`,
which queues one background task per event with the transaction that wrote it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_tasks import task

from palier.lib.tasks import enqueue_with_transaction

logger = logging.getLogger(__name__)

EventHandler = Callable[["TicketEvent"], None]  # noqa: F821
_handlers: list[EventHandler] = []


def register_event_handler(handler: EventHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def queue_event(event) -> None:
    if _handlers:
        enqueue_with_transaction(dispatch_ticket_event, event.pk)


@task()
def dispatch_ticket_event(event_id: int) -> None:
    from palier.tickets.models import TicketEvent

    event = (
        TicketEvent.objects.select_related("ticket", "ticket__customer", "ticket__contact", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    for handler in list(_handlers):
        handler(event)
