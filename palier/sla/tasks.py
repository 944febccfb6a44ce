"""Background work of the service-level app, run by `palier worker`."""

from __future__ import annotations

import logging

from django_tasks import task

from palier.lib.schedule import every

logger = logging.getLogger(__name__)

# Events after which a ticket's targets or clock change.
RECOMPUTE_ON = frozenset({"created", "status", "reopened", "accepted_anyway", "reply", "refused"})


@every(seconds=60, name="sla.scan")
@task()
def scan_service_levels() -> dict[str, int]:
    """Flag warnings (75% of a target) and breaches; run every minute by the worker."""
    from palier.ops.metrics import SLA_SCAN_SECONDS
    from palier.sla.actions import scan

    with SLA_SCAN_SECONDS.time():
        counts = scan()
    if counts["warnings"] or counts["breaches"]:
        logger.info("service levels: %(warnings)s warnings, %(breaches)s breaches", counts)
    return counts


def _moves_the_clock(event) -> bool:
    return event.kind in RECOMPUTE_ON or (event.kind == "field" and event.field == "criticality")


def recompute_on_event(event) -> None:
    """Ticket event handler: recompute the clock when status, criticality or the first
    reply changed."""
    from palier.sla.actions import do_recompute

    if _moves_the_clock(event):
        do_recompute(event.ticket)


def recompute_on_events(events) -> None:
    """The same for a claim of events: each ticket's clock once, in a few statements."""
    from palier.sla.actions import do_recompute_tickets

    ids = {event.ticket_id for event in events if _moves_the_clock(event)}
    if ids:
        do_recompute_tickets(sorted(ids))


@task()
def recompute_customer_clocks(customer_id: int) -> int:
    """After a contract's tier changed: enqueue with
    `enqueue_with_transaction(recompute_customer_clocks, customer.pk)` from the action."""
    from palier.sla.actions import recompute_customer

    return recompute_customer(customer_id)
