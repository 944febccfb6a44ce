"""Turn models into API dictionaries, hiding what the caller may not see."""

from __future__ import annotations

import functools

from django.utils import timezone, translation

from palier.accounts.models import User, person_name
from palier.customers.models import (
    Contract,
    Customer,
    Customization,
    Module,
    customization_label,
)
from palier.tickets.actions import actor_kind, decides_for_request
from palier.tickets.explanations import explain
from palier.tickets.models import (
    Decision,
    Message,
    Ticket,
    TicketEvent,
    customer_status_label,
    needs_qualification,
    ticket_reference,
)
from palier.tickets.states import Status, allowed_targets


def ref(obj, name: str | None = None) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def customer_out(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "code": customer.code,
        "reference": customer.reference,
        "name": customer.name,
        "language": customer.language,
        "default_visibility": customer.default_visibility,
        "address": {
            "street": customer.street,
            "house_number": customer.house_number,
            "postcode": customer.postcode,
            "city": customer.city,
            "country": customer.country,
        },
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


# What a ticket's entry in a list shows, as columns (joins spelt `customer__name`): the
# list loads these as dicts, no model instances (tickets.queries.list_tickets, `values`);
# a single ticket's are read off its model by ticket_row.
TICKET_ROW_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "customer_id",
    "customer__name",
    "contact_id",
    "contact__first_name",
    "contact__last_name",
    "contact__username",
    "channel",
    "language",
    "type",
    "suggested_type",
    "module_id",
    "module__name",
    "customization_id",
    "customization__object",
    "customization__module__name",
    "product_version_id",
    "product_version__number",
    "criticality",
    "subject",
    "status",
    "level",
    "billable",
    "reason",
    "visibility",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "version",
)


def ticket_row(ticket: Ticket) -> dict:
    """The TICKET_ROW_FIELDS of a loaded ticket, as `.values()` would give them."""
    row = {}
    for name in TICKET_ROW_FIELDS:
        value = ticket
        for part in name.split("__"):
            value = getattr(value, part) if value is not None else None
        row[name] = value
    return row


def _person(row: dict, prefix: str) -> dict | None:
    pk = row[f"{prefix}_id"]
    if pk is None:
        return None
    name = person_name(
        row[f"{prefix}__first_name"], row[f"{prefix}__last_name"], row[f"{prefix}__username"]
    )
    return {"id": pk, "name": name}


def _named(pk: int | None, name: str) -> dict | None:
    return None if pk is None else {"id": pk, "name": name}


@functools.lru_cache(maxsize=256)
def _status_label(status: str, staff: bool, language: str | None) -> str:
    """The team's or the customer's word for a status, in `language` (the active one): asked
    once per status and language, not once per row (gettext ~15 µs a call)."""
    return str(Status(status).label) if staff else customer_status_label(status)


def ticket_row_out(row: dict, staff: bool, language: str | None = None) -> dict:
    """A ticket as lists show it, from its TICKET_ROW_FIELDS; `language` is the active one
    (a list asks once, not once a row)."""
    status = row["status"]
    customization = row["customization_id"]
    return {
        "id": row["id"],
        "reference": ticket_reference(row["id"], row["created_at"]),
        "customer": {"id": row["customer_id"], "name": row["customer__name"]},
        "contact": _person(row, "contact"),
        "channel": row["channel"],
        "language": row["language"],
        "type": row["type"],
        "suggested_type": row["suggested_type"],
        "needs_qualification": needs_qualification(row["type"], status),
        "module": _named(row["module_id"], row["module__name"]),
        "customization": _named(
            customization,
            customization_label(row["customization__module__name"], row["customization__object"]),
        )
        if customization
        else None,
        "product_version": _named(row["product_version_id"], row["product_version__number"]),
        "criticality": row["criticality"],
        "subject": row["subject"],
        "status": status,
        "status_label": _status_label(status, staff, language or translation.get_language()),
        "level": row["level"],
        "billable": row["billable"],
        "reason": row["reason"] or None,
        "visibility": row["visibility"],
        "assignee": _person(row, "assignee") if staff else None,
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def ticket_out(ticket: Ticket, user: User) -> dict:
    return ticket_row_out(ticket_row(ticket), user.is_staff_member)


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


def explanation_out(decision: Decision, language: str, module: Module | None = None) -> dict:
    return {"language": language, **explain(decision, language, module=module).as_dict()}


def ticket_detail_out(ticket: Ticket, user: User, language: str | None = None) -> dict:
    data = ticket_out(ticket, user)
    lang = language or ticket.language
    data["description"] = ticket.description
    data["decision"] = decision_out(ticket.decision, user) if ticket.decision else None
    data["explanation"] = (
        explanation_out(ticket.decision, lang, ticket.module) if ticket.decision else None
    )
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
