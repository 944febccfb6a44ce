"""R&D on the workspace's ticket page: known defects like this malfunction, escalation (D4)
that links one or records a new one, and the defect an escalated ticket is linked to."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from palier.engineering.actions import DefectDraft, do_escalate_to_rnd
from palier.engineering.models import DefectLink
from palier.engineering.queries import access_defect_by_id, similar_open_defects
from palier.lib.errors import DomainError
from palier.lib.rows import one_or_none
from palier.policy import RequestType
from palier.tickets.models import Ticket
from palier.tickets.states import STAFF, Status, allowed_targets


def can_escalate(ticket: Ticket) -> bool:
    """D4 applies to a qualified, open malfunction whose status may move to R&D."""
    return bool(
        ticket.decision
        and ticket.decision.accepted
        and ticket.type == RequestType.MALFUNCTION
        and ticket.is_open
        and Status.WITH_RND in allowed_targets(ticket.status, STAFF)
    )


def rnd_context(ticket: Ticket, *, link: DefectLink | None | bool = False) -> dict[str, Any]:
    """The linked defect (one query, unless the caller read it: `link`) and, where D4
    applies, look-alike open defects (two queries, capped): the page's query count does not
    grow with the defect list."""
    if link is False:
        link = one_or_none(
            DefectLink.objects.select_related("defect__fixed_in__version", "defect__module").filter(
                ticket=ticket
            )
        )
    escalate = can_escalate(ticket)
    similar = []
    if escalate:
        text = f"{ticket.subject} {ticket.description}"
        similar = [
            d
            for d in similar_open_defects(ticket.module, ticket.product_version, text)
            if link is None or d.pk != link.defect_id
        ]
    return {
        "defect_link": link,
        "linked_defect": link.defect if link else None,
        "can_escalate": escalate,
        "similar_defects": similar,
    }


def escalate(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    """Finding D4 from the page: link the chosen defect, or record the described one."""
    defect, draft = None, None
    if data.get("defect"):
        try:
            defect = access_defect_by_id(request.user, data["defect"])
        except Http404 as exc:
            raise DomainError(
                _("This defect does not exist any more."), code="defect_not_found"
            ) from exc
    else:
        draft = DefectDraft(
            title=data["title"],
            description=ticket.description[:5000],
            severity=data.get("severity") or "medium",
        )
    link = do_escalate_to_rnd(
        ticket,
        acting_user=request.user,
        defect=defect,
        draft=draft,
        note=data.get("note") or "",
        expected_version=data["expected_version"],
    )
    return _("Escalated to R&D, linked to %(reference)s.") % {"reference": link.defect.reference}
