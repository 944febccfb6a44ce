"""Turn models into API dictionaries, hiding what the caller may not see."""

from __future__ import annotations

from django.utils import timezone

from palier.accounts.models import User
from palier.customers.models import Contract, Customer, Customization
from palier.tickets.actions import actor_kind, decides_for_request
from palier.tickets.explanations import explain
from palier.tickets.models import Decision, Message, Ticket, TicketEvent
from palier.tickets.states import Status, allowed_targets


def ref(obj, name: str | None = None) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def customer_out(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "language": customer.language,
        "default_visibility": customer.default_visibility,
    }


def contract_out(contract: Contract) -> dict:
    return {
        "id": contract.pk,
        "customer_id": contract.customer_id,
        "reference": contract.reference,
        "state": contract.state,
        "start": contract.start,
        "end": contract.end,
        "tier": contract.tier,
        "hourly_rate": contract.hourly_rate,
        "prepaid_hours": contract.prepaid_hours,
        "module_ids": [m.pk for m in contract.modules.all()],
        "active_today": contract.is_active_on(timezone.localdate()),
    }


def customization_out(c: Customization) -> dict:
    return {
        "id": c.pk,
        "customer_id": c.customer_id,
        "module": ref(c.module, c.module.name),
        "object": c.object,
        "built_by": c.built_by,
        "author": c.author,
        "built_on": c.built_on,
        "authorization_reference": c.authorization_reference,
        "authorization_date": c.authorization_date,
        "description": c.description,
    }


def ticket_out(ticket: Ticket, user: User) -> dict:
    staff = user.is_staff_member
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "customer": ref(ticket.customer, ticket.customer.name),
        "contact": ref(ticket.contact),
        "channel": ticket.channel,
        "language": ticket.language,
        "type": ticket.type,
        "suggested_type": ticket.suggested_type,
        "needs_qualification": ticket.needs_qualification,
        "module": ref(ticket.module, ticket.module.name if ticket.module else None),
        "customization": ref(ticket.customization),
        "product_version": ref(ticket.product_version, ticket.product_version.number)
        if ticket.product_version
        else None,
        "criticality": ticket.criticality,
        "subject": ticket.subject,
        "status": ticket.status,
        # Status(...).label, not get_status_display(): that one rebuilds and hashes the whole
        # lazy choices list on every call, ~0.15 ms a row on a 50-row page.
        "status_label": str(Status(ticket.status).label) if staff else ticket.customer_status_label,
        "level": ticket.level,
        "billable": ticket.billable,
        "reason": ticket.reason or None,
        "visibility": ticket.visibility,
        "assignee": ref(ticket.assignee) if staff else None,
        "version": ticket.version,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def decision_out(decision: Decision, user: User) -> dict:
    """A stored decision. A staff member's diagnosis note is for the team: the customer
    reads the explanation instead (as in the portal)."""
    return {
        "id": decision.pk,
        "kind": decision.kind,
        "accepted": decision.accepted,
        "level": decision.level,
        "billable": decision.billable,
        "rnd": decision.rnd,
        "reason": decision.reason or None,
        "refusal": decision.refusal or None,
        "refusal_date": decision.refusal_date,
        "finding": decision.finding or None,
        "rules": decision.rules,
        "facts": decision.facts,
        "note": decision.note if user.is_staff_member else "",
        "decided_at": decision.decided_at,
    }


def explanation_out(decision: Decision, language: str) -> dict:
    return {"language": language, **explain(decision, language).as_dict()}


def ticket_detail_out(ticket: Ticket, user: User, language: str | None = None) -> dict:
    data = ticket_out(ticket, user)
    lang = language or ticket.language
    data["description"] = ticket.description
    data["decision"] = decision_out(ticket.decision, user) if ticket.decision else None
    data["explanation"] = explanation_out(ticket.decision, lang) if ticket.decision else None
    data["allowed_transitions"] = (
        allowed_targets(ticket.status, actor_kind(user))
        if decides_for_request(ticket, user)
        else []
    )
    return data


def message_out(message: Message) -> dict:
    return {
        "id": message.pk,
        "author": ref(message.author, message.author_name or None) if message.author else None,
        "body": message.body,
        "internal": message.internal,
        "channel": message.channel,
        "activity": message.activity,
        "from_customer": message.from_customer,
        "created_at": message.created_at,
    }


CUSTOMER_REASONS = frozenset({"status", "reopened"})


def event_out(event: TicketEvent, user: User) -> dict:
    """One history entry. A contact reads why the status changed (the team writes it for
    them: "need the log file") and why the criticality changed (POLICY.md section 3), not
    the team's notes on diagnoses, requalifications or overrides."""
    staff = user.is_staff_member
    told = staff or event.kind in CUSTOMER_REASONS or event.field == "criticality"
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": ref(event.actor),
        "at": event.at,
        "field": event.field,
        "from_value": event.from_value,
        "to_value": event.to_value,
        "reason": event.reason if told else "",
        "data": event.data if staff else {},
    }
