"""Billing: estimates and consent, time, timer, billing runs, invoices, exports and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import StringConstraints

from palier.accounts.models import User
from palier.accounts.permissions import Permission
from palier.api.doors import by_signed_link, needs
from palier.api.schemas import (
    ERRORS,
    TO_HUNDREDTHS,
    Boolean,
    Day,
    Id,
    IdFilter,
    IdInUrl,
    In,
    Integer,
    PageLimit,
    Ref,
    hundredths_schema,
)
from palier.billing import actions, exports, invoicing, links, presenters, reports
from palier.billing.models import Activity, DecidedVia
from palier.billing.queries import (
    access_estimate_by_id,
    access_invoice_by_id,
    access_time_entry_by_id,
    check_billing_staff,
    list_invoices,
    list_time_entries,
    running_timer,
    visible_estimates,
)
from palier.customers.queries import access_customer_by_id
from palier.lib.errors import DomainError
from palier.tickets.queries import access_ticket_by_id

router = Router(tags=["billing"])

ActivityCode = Annotated[str, StringConstraints(pattern="^(" + "|".join(Activity.values) + ")$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Hours = Annotated[
    Decimal,
    Field(gt=0, le=10_000, max_digits=7, decimal_places=2),
    TO_HUNDREDTHS,
    hundredths_schema(10_000, exclusive_zero=True),
]
Minutes = Annotated[Integer, Field(gt=0, le=24 * 60)]


# --- What the billing endpoints answer (amounts and hours are decimal strings: "740.00") --


class EstimateOut(Schema):
    id: int
    ticket_id: int
    activity: str
    hours: str
    rate: str
    amount: str
    amount_display: str = Field(description="CHF 1'234.50, the same in every language")
    text: str
    status: str
    proposed_by: Ref | None
    proposed_at: dt.datetime
    decided_by: Ref | None
    decided_at: dt.datetime | None
    decided_via: str | None
    decline_reason: str


class TimeEntryOut(Schema):
    id: int
    ticket_id: int
    user: Ref | None
    date: dt.date
    minutes: int
    hours: str
    activity: str
    note: str
    billable: bool
    billable_reason: str
    rate: str | None
    prepaid_minutes: int
    invoice_id: int | None
    locked: bool = Field(description="invoiced: it can no longer change")


class TimeEntryPageOut(Schema):
    items: list[TimeEntryOut]
    next_cursor: str | None


class TimerRunning(Schema):
    ticket_id: int
    activity: str
    note: str
    started_at: dt.datetime


class TimerOut(Schema):
    running: bool
    timer: TimerRunning | None


class LineActivityOut(Schema):
    activity: str
    minutes: int = Field(description="minutes worked (not prepaid)")
    billed_minutes: int | None = Field(
        None, description="the minutes counted in whole steps of the billing unit"
    )
    unit: str | None = Field(None, description="minute | 0.05h | 0.1h | 0.25h")
    quantity: str | None = Field(
        None, description="billed minutes in the unit: minutes, or hours to the hundredth"
    )
    hours: str
    rate: str = Field(description="CHF per hour")
    amount: str = Field(description="quantity × rate, to the cent")
    exact_amount: str | None = Field(
        None, description="the exact product when the amount was rounded to the cent"
    )


class InvoiceLineOut(Schema):
    id: int
    ticket_id: int | None
    reference: str
    subject: str
    hours: str
    prepaid_hours: str
    activities: list[LineActivityOut]
    rate: str | None = Field(description="null when the line's activities have several rates")
    amount: str


class CustomerRef(Schema):
    id: int
    code: str
    name: str


class InvoiceOut(Schema):
    id: int
    kind: str = Field(description="invoice | credit_note")
    status: str = Field(description="draft | approved")
    number: str | None
    customer: CustomerRef
    period_start: Day
    period_end: Day
    issued_on: dt.date | None
    credited_invoice_id: int | None
    currency: str
    prepaid_hours: str
    subtotal: str
    vat_rate: str
    vat: str
    rounding: str = Field(description="subtotal + VAT rounded to CHF 0.05: the difference")
    total: str
    total_display: str
    due_on: dt.date | None = Field(description="set at approval: issued_on + payment_days")
    payment_days: int | None
    vat_number: str = Field(description="the vendor's UID, set at approval (CHE-123.456.789)")
    paid: str = Field(description="what the bank reported paid against it")
    payment_status: str | None = Field(
        description="unpaid | partly_paid | paid | overpaid (approved invoices only)"
    )
    note: str
    lines: list[InvoiceLineOut] | None = Field(None, description="with a single invoice only")


class InvoicePageOut(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None


class PrepaidOut(Schema):
    contract: str | None = Field(description="the reference of the contract that governs today")
    bought_hours: str
    used_hours: str
    remaining_hours: str
    percent_used: str


class ErpDocumentOut(InvoiceOut):
    id: int = Field(description="the ledger position: ask again with after=<last id>")
    invoice_id: int


class ErpPageOut(Schema):
    items: list[ErpDocumentOut]
    last: int


# --- Estimates and consent -------------------------------------------------------------


class EstimateIn(In):
    hours: Hours
    activity: ActivityCode = Activity.CONSULTING
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]


class DeclineIn(In):
    reason: Text = ""


# Its one field is optional: a decline without a body is one without a reason, answered as
# accept (which takes none) is: the caller's role first (403), not a 422 for the body.
NO_REASON = DeclineIn()


@router.get("/tickets/{ticket_id}/estimates", response={200: list[EstimateOut], **ERRORS})
def ticket_estimates(request, ticket_id: int):
    """The ticket's estimates, oldest first, with what the customer answered."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    return [
        presenters.estimate_out(e)
        for e in visible_estimates(request.auth).filter(ticket=ticket)[:500]
    ]


@router.post(
    "/tickets/{ticket_id}/estimates",
    response={201: EstimateOut, **ERRORS},
    openapi_extra=needs(Permission.ESTIMATE_PROPOSE),
)
def propose_estimate(request, ticket_id: int, payload: EstimateIn):
    """Consultant: propose billable work. The ticket waits for consent unless the prepaid
    balance covers it (then it is accepted at once, `decided_via: prepaid`)."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    estimate = actions.do_propose_estimate(
        ticket,
        acting_user=request.auth,
        hours=payload.hours,
        activity=payload.activity,
        text=payload.text,
    )
    return 201, presenters.estimate_out(estimate)


@router.get("/estimates/{estimate_id}", response={200: EstimateOut, **ERRORS})
def get_estimate(request, estimate_id: int):
    return presenters.estimate_out(access_estimate_by_id(request.auth, estimate_id))


@router.post(
    "/estimates/{estimate_id}/accept",
    response={200: EstimateOut, **ERRORS},
    openapi_extra=needs(Permission.ESTIMATE_ANSWER),
)
def accept_estimate(request, estimate_id: int):
    """Contact (the requester or the customer's admin): accept; the work starts."""
    estimate = access_estimate_by_id(request.auth, estimate_id)
    estimate = actions.do_decide_estimate(
        estimate, accept=True, acting_user=request.auth, via=DecidedVia.API
    )
    return presenters.estimate_out(estimate)


@router.post(
    "/estimates/{estimate_id}/decline",
    response={200: EstimateOut, **ERRORS},
    openapi_extra=needs(Permission.ESTIMATE_ANSWER),
)
def decline_estimate(request, estimate_id: int, payload: DeclineIn = NO_REASON):
    """Contact: decline; the ticket closes as declined and nothing is billed."""
    estimate = access_estimate_by_id(request.auth, estimate_id)
    estimate = actions.do_decide_estimate(
        estimate, accept=False, acting_user=request.auth, via=DecidedVia.API, reason=payload.reason
    )
    return presenters.estimate_out(estimate)


@router.post(
    "/consent-links/{token}/accept",
    auth=None,
    response={200: EstimateOut, **ERRORS},
    openapi_extra=by_signed_link(),
)
def accept_by_link(request, token: str):
    """The signed link of the consent email (no login). Expired: 410; used: 409."""
    return presenters.estimate_out(links.do_answer_by_link(token, accept=True))


@router.post(
    "/consent-links/{token}/decline",
    auth=None,
    response={200: EstimateOut, **ERRORS},
    openapi_extra=by_signed_link(),
)
def decline_by_link(request, token: str, payload: DeclineIn = NO_REASON):
    """The signed link's decline; the body, `reason`, is optional, as accept takes none."""
    return presenters.estimate_out(
        links.do_answer_by_link(token, accept=False, reason=payload.reason)
    )


# --- Time and timer --------------------------------------------------------------------


class TimeIn(In):
    date: Day | None = None
    minutes: Minutes
    activity: ActivityCode = Activity.CONSULTING
    note: Text = ""


class TimePatch(In):
    date: Day | None = None
    minutes: Minutes | None = None
    activity: ActivityCode | None = None
    note: Text | None = None


class BillableIn(In):
    billable: Boolean
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class TimerIn(In):
    ticket_id: Id
    activity: ActivityCode = Activity.CONSULTING
    note: Text = ""


@router.get("/time-entries", response={200: TimeEntryPageOut, **ERRORS})
def time_entries(
    request,
    ticket_id: IdFilter | None = None,
    user_id: IdFilter | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Staff: time entries, newest first (cursor pagination)."""
    page = list_time_entries(
        request.auth, ticket_id=ticket_id, user_id=user_id, cursor=cursor, limit=limit
    )
    return {
        "items": [presenters.time_entry_out(e) for e in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/tickets/{ticket_id}/time-entries",
    response={201: TimeEntryOut, **ERRORS},
    openapi_extra=needs(Permission.TIME_LOG),
)
def log_time(request, ticket_id: int, payload: TimeIn):
    """Staff: log time. Billable follows the ticket; past the consent: 409 consent_required."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    entry = actions.do_log_time(
        ticket,
        acting_user=request.auth,
        date=payload.date or timezone.localdate(),
        minutes=payload.minutes,
        activity=payload.activity,
        note=payload.note,
    )
    return 201, presenters.time_entry_out(entry)


@router.patch(
    "/time-entries/{entry_id}",
    response={200: TimeEntryOut, **ERRORS},
    openapi_extra=needs(Permission.TIME_LOG),
)
def edit_time(request, entry_id: int, payload: TimePatch):
    """Change time until it is invoiced; afterwards 409 time_entry_invoiced."""
    entry = access_time_entry_by_id(request.auth, entry_id)
    entry = actions.do_edit_time(
        entry,
        acting_user=request.auth,
        date=payload.date,
        minutes=payload.minutes,
        activity=payload.activity,
        note=payload.note,
    )
    return presenters.time_entry_out(entry)


@router.delete(
    "/time-entries/{entry_id}",
    response={204: None, **ERRORS},
    openapi_extra=needs(Permission.TIME_LOG),
)
def delete_time(request, entry_id: int):
    actions.do_delete_time(
        access_time_entry_by_id(request.auth, entry_id), acting_user=request.auth
    )
    return 204, None


@router.post(
    "/time-entries/{entry_id}/billable",
    response={200: TimeEntryOut, **ERRORS},
    openapi_extra=needs(Permission.TIME_BILLABLE),
)
def set_billable(request, entry_id: int, payload: BillableIn):
    """Manager: bill or stop billing this time, with a reason."""
    entry = access_time_entry_by_id(request.auth, entry_id)
    entry = actions.do_set_time_billable(
        entry, payload.billable, acting_user=request.auth, reason=payload.reason
    )
    return presenters.time_entry_out(entry)


@router.get("/timer", response={200: TimerOut, **ERRORS})
def get_timer(request):
    timer = running_timer(request.auth)
    return {"running": timer is not None, "timer": presenters.timer_out(timer) if timer else None}


@router.post(
    "/timer/start", response={201: TimerOut, **ERRORS}, openapi_extra=needs(Permission.TIME_LOG)
)
def start_timer(request, payload: TimerIn):
    ticket = access_ticket_by_id(request.auth, payload.ticket_id)
    timer = actions.do_start_timer(
        ticket, acting_user=request.auth, activity=payload.activity, note=payload.note
    )
    return 201, {"running": True, "timer": presenters.timer_out(timer)}


@router.post(
    "/timer/stop", response={201: TimeEntryOut, **ERRORS}, openapi_extra=needs(Permission.TIME_LOG)
)
def stop_timer(request):
    """Stop the timer and log its time (the time entry is returned)."""
    return 201, presenters.time_entry_out(actions.do_stop_timer(acting_user=request.auth))


# --- Billing runs and invoices ---------------------------------------------------------


class RunIn(In):
    period_start: Day
    period_end: Day
    customer_id: Id | None = None


class CreditIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


@router.post(
    "/billing-runs",
    response={201: list[InvoiceOut], **ERRORS},
    openapi_extra=needs(Permission.BILLING_RUN),
)
def run_billing(request, payload: RunIn):
    """Manager: build invoice drafts from the period's unbilled billable time."""
    customer = None
    if payload.customer_id is not None:
        customer = access_customer_by_id(request.auth, payload.customer_id)
    invoices = invoicing.do_run_billing(
        acting_user=request.auth,
        period_start=payload.period_start,
        period_end=payload.period_end,
        customer=customer,
    )
    return 201, [presenters.invoice_out(i, lines=True) for i in invoices]


@router.get("/invoices", response={200: InvoicePageOut, **ERRORS})
def invoices(
    request,
    customer_id: IdFilter | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Staff: every invoice; a customer's admin: their approved invoices."""
    page = list_invoices(
        request.auth, customer_id=customer_id, status=status, cursor=cursor, limit=limit
    )
    return {
        "items": [presenters.invoice_out(i) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS})
def get_invoice(request, invoice_id: int):
    return presenters.invoice_out(access_invoice_by_id(request.auth, invoice_id), lines=True)


@router.post(
    "/invoices/{invoice_id}/approve",
    response={200: InvoiceOut, **ERRORS},
    openapi_extra=needs(Permission.BILLING_RUN),
)
def approve_invoice(request, invoice_id: int):
    """Manager: number the draft and freeze it."""
    invoice = invoicing.do_approve_invoice(
        access_invoice_by_id(request.auth, invoice_id), acting_user=request.auth
    )
    return presenters.invoice_out(invoice, lines=True)


@router.delete(
    "/invoices/{invoice_id}",
    response={204: None, **ERRORS},
    openapi_extra=needs(Permission.BILLING_RUN),
)
def discard_invoice(request, invoice_id: int):
    """Manager: drop a draft (an approved invoice answers 409: credit it instead)."""
    invoicing.do_discard_draft(
        access_invoice_by_id(request.auth, invoice_id), acting_user=request.auth
    )
    return 204, None


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response={201: InvoiceOut, **ERRORS},
    openapi_extra=needs(Permission.BILLING_RUN),
)
def credit_invoice(request, invoice_id: int, payload: CreditIn):
    note = invoicing.do_credit_invoice(
        access_invoice_by_id(request.auth, invoice_id),
        acting_user=request.auth,
        reason=payload.reason,
    )
    return 201, presenters.invoice_out(note, lines=True)


@router.get("/invoices/{invoice_id}/pdf", response={200: None, **ERRORS})
def invoice_pdf(request, invoice_id: int):
    """The invoice as PDF with its Swiss QR-bill."""
    from palier.billing.pdf import invoice_pdf as render

    invoice = access_invoice_by_id(request.auth, invoice_id)
    if invoice.is_draft:
        raise DomainError(_("Approve the draft before printing it."), code="invoice_not_approved")
    response = HttpResponse(render(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@router.get("/exports/invoices.{fmt}", response={200: None, **ERRORS})
def export_invoices(request, fmt: str, period_start: Day, period_end: Day):
    """Manager: approved invoices and their lines issued in the period, as csv or xlsx."""
    check_billing_staff(request.auth)
    if fmt not in ("csv", "xlsx"):
        raise Http404("export format")
    content, content_type = exports.export(fmt, period_start, period_end)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="invoices-{period_start}-{period_end}.{fmt}"'
    )
    return response


@router.get("/erp/invoices", response={200: ErpPageOut, **ERRORS})
def erp_invoices(request, after: IdInUrl = 0, limit: PageLimit = 100):
    """Manager (an ERP's token): approved invoices and credit notes in approval order, after
    the position `after`; import them and ask again with `last`. No document is skipped:
    positions grow in commit order."""
    check_billing_staff(request.auth)
    items = exports.erp_documents(after, limit)
    return {"items": items, "last": items[-1]["id"] if items else after}


# --- Reports ---------------------------------------------------------------------------


@router.get("/reports/billing", response={200: dict[str, Any], **ERRORS})
def billing_report(request, period_start: Day, period_end: Day):
    """Manager: billable hours and revenue per customer, consultant and month; unbilled
    level-1 time; estimates accepted and declined; prepaid balances."""
    check_billing_staff(request.auth)
    return reports.billing_report(period_start, period_end).as_dict()


@router.get("/customers/{customer_id}/prepaid", response={200: PrepaidOut, **ERRORS})
def prepaid(request, customer_id: int):
    """The customer's prepaid consulting balance (a contact sees their own)."""
    user: User = request.auth
    customer = access_customer_by_id(user, customer_id)
    return reports.prepaid_for_customer(customer)
