"""What a press of "Send" on the ticket page would do, before it is pressed: the decision
the policy would take (asked exactly as the actions ask it) and each other change in words.
Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palier.policy import Decision as PolicyDecision
from palier.policy import Finding, PolicyError, decide_after_finding
from palier.tickets import labels
from palier.tickets.explanations import Explanation, explain
from palier.tickets.facts import decide_request, request_facts
from palier.tickets.models import Ticket


@dataclass
class DecisionPreview:
    decision: PolicyDecision
    explanation: Explanation
    changed: bool
    reason: labels.Label
    rules: list[labels.Label]


@dataclass
class Preview:
    decision: DecisionPreview | None = None
    lines: list[str] = field(default_factory=list)
    error: str = ""


def _stored_as_policy(ticket: Ticket) -> PolicyDecision:
    current = ticket.decision
    return PolicyDecision(
        accepted=current.accepted,
        level=current.level,
        billable=current.billable,
        reason=current.reason or None,
        rnd=current.rnd,
        rules=tuple(current.rules),
        facts=current.facts,
    )


def _decision_preview(ticket: Ticket, decision: PolicyDecision) -> DecisionPreview:
    reason = decision.reason.value if decision.reason else ""
    return DecisionPreview(
        decision=decision,
        explanation=explain(decision, get_language(), module=ticket.module),
        changed=(decision.level, decision.billable, reason)
        != (ticket.level, ticket.billable, ticket.reason),
        reason=labels.reason(reason),
        rules=[labels.rule(code) for code in decision.rules],
    )


def preview_changes(ticket: Ticket, data: dict[str, Any]) -> Preview:
    """`data` is a valid TicketForm's cleaned data."""
    preview = Preview()
    request_type = data.get("type") or ticket.type
    module, custom = data.get("module"), data.get("customization")
    requalified = request_type and (
        request_type != ticket.type or module != ticket.module or custom != ticket.customization
    )
    decision = None
    if requalified:
        decision = decide_request(
            ticket.customer,
            request_type,
            module,
            custom,
            timezone.localdate(),
            requalifying=True,
            finding=ticket.decision.finding if ticket.decision else "",
        )
    if data.get("finding"):
        if ticket.decision is None:
            preview.error = _("Qualify the request (its type) before diagnosing it.")
        else:
            base = decision or _stored_as_policy(ticket)
            facts = request_facts(request_type, module.name if module else "", custom)
            try:
                decision = decide_after_finding(
                    base, facts, Finding(data["finding"]), timezone.localdate()
                )
            except PolicyError:
                preview.error = _("This finding does not apply to this request.")
    if decision is not None:
        preview.decision = _decision_preview(ticket, decision)
    preview.lines = _change_lines(ticket, data)
    return preview


def _change_lines(ticket: Ticket, data: dict[str, Any]) -> list[str]:
    lines = []
    if data.get("criticality") and data["criticality"] != ticket.criticality:
        lines.append(
            _("Criticality: %(before)s → %(after)s (the customer reads why).")
            % {
                "before": labels.criticality(ticket.criticality),
                "after": labels.criticality(data["criticality"]),
            }
        )
    if data.get("status") and data["status"] != ticket.status:
        lines.append(
            _("Status: %(before)s → %(after)s.")
            % {"before": labels.status(ticket.status), "after": labels.status(data["status"])}
        )
    if "assignee" in data and data["assignee"] != ticket.assignee:
        lines.append(
            _("Assignee: %(before)s → %(after)s.")
            % {
                "before": ticket.assignee or _("nobody"),
                "after": data["assignee"] or _("nobody"),
            }
        )
    body = (data.get("body") or "").strip()
    if body and data.get("kind", "reply") == "reply":
        lines.append(
            _("Sends a public reply to %(who)s.") % {"who": ticket.contact or ticket.customer.name}
        )
        if ticket.status == "new" and ticket.assignee_id is None and not data.get("assignee"):
            lines.append(_("A reply takes a new request on: it is yours and in progress."))
        elif ticket.status == "new" and not data.get("status"):
            lines.append(_("A reply takes a new request on: it moves to “In progress”."))
    elif body:
        lines.append(_("Adds an internal note; the customer does not see it."))
    return lines
