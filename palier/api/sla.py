"""Service levels: tiers and targets, and a ticket's clock (staff) or expected answer (contact)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from palier.api.schemas import ERRORS
from palier.sla.models import ServiceTier, TicketClock
from palier.sla.queries import expected_first_response, time_left_of
from palier.tickets.queries import access_ticket_by_id

router = Router(tags=["service levels"])


class TargetOut(Schema):
    criticality: str
    first_response_hours: float
    resolution_hours: float


class TierOut(Schema):
    code: str
    name: str
    description: str
    targets: list[TargetOut]


class ClockTargetOut(Schema):
    target_hours: float
    due: dt.datetime | None
    warn_at: dt.datetime | None
    running: bool
    warned: bool
    breached: bool


class SlaOut(Schema):
    tier: str | None = None
    criticality: str | None = None
    expected_first_response: dt.datetime | None
    first_response: ClockTargetOut | None = None
    resolution: ClockTargetOut | None = None
    rnd_extension_hours: float | None = None
    showing: str | None = None
    hours_left: float | None = None
    # True when the ticket's dates lie where no deadline can be counted (year 9999): no due
    # instant, no hours left.
    out_of_range: bool = False


@router.get("/sla/tiers", response={200: list[TierOut], **ERRORS})
def tiers(request):
    """Service tiers and their targets per criticality, in business hours."""
    return [
        {
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "targets": [
                {
                    "criticality": r.criticality,
                    "first_response_hours": float(r.first_response_hours),
                    "resolution_hours": float(r.resolution_hours),
                }
                for r in t.targets.all()
            ],
        }
        for t in ServiceTier.objects.prefetch_related("targets")
    ]


def _target(clock: TicketClock, name: str) -> dict:
    # Out of range, the flags are only the scan's memory (sla.queries.breached_q).
    counted = not clock.out_of_range
    return {
        "target_hours": round(getattr(clock, f"{name}_target_s") / 3600, 2),
        "due": getattr(clock, f"{name}_due"),
        "warn_at": getattr(clock, f"{name}_warn_at"),
        "running": getattr(clock, f"{name}_running"),
        "warned": counted and getattr(clock, f"{name}_warned"),
        "breached": counted and getattr(clock, f"{name}_breached"),
    }


@router.get("/tickets/{ticket_id}/sla", response={200: SlaOut, **ERRORS})
def ticket_sla(request, ticket_id: int):
    """When to expect an answer; staff also get both targets, time left and the R&D extension.
    A contact sees only the expected first response (null once answered or while the desk
    waits for them)."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    expected = expected_first_response(ticket)
    if not request.auth.is_staff_member:
        return {"expected_first_response": expected}
    clock = TicketClock.objects.filter(pk=ticket.pk).first()
    if clock is None:
        return {"expected_first_response": expected}
    left = time_left_of(clock, timezone.now())
    return {
        "tier": clock.tier,
        "criticality": clock.criticality,
        "expected_first_response": expected,
        "first_response": _target(clock, "first_response"),
        "resolution": _target(clock, "resolution"),
        "rnd_extension_hours": round(clock.rnd_s / 3600, 2),
        "showing": left.target if left else None,
        "hours_left": left.hours_left if left else None,
        "out_of_range": clock.out_of_range or bool(left and left.out_of_range),
    }
