"""Billing objects as API dictionaries (shared by the REST API and the ERP export)."""

from __future__ import annotations

from palier.billing.models import Estimate, Invoice, InvoiceLine, TimeEntry, Timer
from palier.lib.money import format_chf


def _user(user) -> dict | None:
    return {"id": user.pk, "name": str(user)} if user else None


def estimate_out(e: Estimate) -> dict:
    return {
        "id": e.pk,
        "ticket_id": e.ticket_id,
        "activity": e.activity,
        "hours": str(e.hours),
        "rate": str(e.rate),
        "amount": str(e.amount),
        "amount_display": format_chf(e.amount),
        "text": e.text,
        "status": e.status,
        "proposed_by": _user(e.proposed_by),
        "proposed_at": e.proposed_at,
        "decided_by": _user(e.decided_by),
        "decided_at": e.decided_at,
        "decided_via": e.decided_via or None,
        "decline_reason": e.decline_reason,
    }


def time_entry_out(t: TimeEntry) -> dict:
    return {
        "id": t.pk,
        "ticket_id": t.ticket_id,
        "user": _user(t.user),
        "date": t.date,
        "minutes": t.minutes,
        "hours": str(t.hours),
        "activity": t.activity,
        "note": t.note,
        "billable": t.billable,
        "billable_reason": t.billable_reason,
        "rate": str(t.rate) if t.rate is not None else None,
        "prepaid_minutes": t.prepaid_minutes,
        "invoice_id": t.invoice_id,
        "locked": t.invoice_id is not None,
    }


def timer_out(t: Timer) -> dict:
    return {
        "ticket_id": t.ticket_id,
        "activity": t.activity,
        "note": t.note,
        "started_at": t.started_at,
    }


def line_out(line: InvoiceLine) -> dict:
    return {
        "id": line.pk,
        "ticket_id": line.ticket_id,
        "reference": line.reference,
        "subject": line.subject,
        "hours": str(line.hours),
        "prepaid_hours": str(line.prepaid_hours),
        "activities": line.activities,
        "rate": str(line.rate) if line.rate is not None else None,
        "amount": str(line.amount),
    }


def invoice_out(i: Invoice, *, lines: bool = False) -> dict:
    data = {
        "id": i.pk,
        "kind": i.kind,
        "status": i.status,
        "number": i.number,
        "customer": {"id": i.customer_id, "code": i.customer.code, "name": i.customer.name},
        "period_start": i.period_start,
        "period_end": i.period_end,
        "issued_on": i.issued_on,
        "credited_invoice_id": i.credited_invoice_id,
        "currency": "CHF",
        "prepaid_hours": str(i.prepaid_hours),
        "subtotal": str(i.subtotal),
        "vat_rate": str(i.vat_rate),
        "vat": str(i.vat),
        "rounding": str(i.rounding),
        "total": str(i.total),
        "total_display": format_chf(i.total),
        "due_on": i.due_on,
        "payment_days": i.payment_days,
        "vat_number": i.vat_number,
        "paid": str(i.paid),
        "payment_status": i.payment_status or None,
        "note": i.note,
    }
    if lines:
        data["lines"] = [line_out(line) for line in i.lines.all()]
    return data
