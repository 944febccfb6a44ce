"""Billing runs, approval and credit notes: the invoicing actions.

No time entry is billed twice: a run locks the unbilled entries it takes (SELECT ... FOR
UPDATE, re-checked by PostgreSQL after a wait, so an overlapping run skips what the first one
took) and claims them with a conditional UPDATE whose row count must match.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.billing import conf
from palier.billing.lines import activity_row
from palier.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    TimeEntry,
)
from palier.customers.models import Customer
from palier.lib.errors import Conflict, DomainError
from palier.lib.money import CENT, round_to_five_cents
from palier.tickets.actions import record_event

ZERO = Decimal("0")
NUMBER_PREFIX = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}


def _check_manager(user: User) -> None:
    check_allowed(user, Permission.BILLING_RUN)


def line_amounts(entries: list[TimeEntry]) -> tuple[list[dict], int, int, Decimal]:
    """Billed minutes by activity and rate (each counted in the billing unit: quantity ×
    rate = amount, to the cent), the billed and prepaid minutes and the amount of one
    ticket's entries."""
    unit, rounding = conf.billing_unit(), conf.billing_rounding()
    by_key: dict[tuple[str, Decimal], int] = defaultdict(int)
    billed = prepaid = 0
    for entry in entries:
        charged = entry.minutes - entry.prepaid_minutes
        prepaid += entry.prepaid_minutes
        billed += charged
        if charged:
            by_key[(entry.activity, entry.rate or Decimal("0"))] += charged
    activities = [
        activity_row(activity, minutes, rate, unit, rounding)
        for (activity, rate), minutes in sorted(by_key.items())
    ]
    return activities, billed, prepaid, sum((Decimal(a["amount"]) for a in activities), ZERO)


def totals(subtotal: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """VAT to the cent, the rounding of the total to CHF 0.05, and the total."""
    vat = (subtotal * vat_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    total = round_to_five_cents(subtotal + vat)
    return vat, total - (subtotal + vat), total


def _build_invoice(
    customer: Customer, entries: list[TimeEntry], start: dt.date, end: dt.date, user: User
) -> Invoice:
    invoice = Invoice.objects.create(
        customer=customer,
        period_start=start,
        period_end=end,
        vat_rate=conf.vat_rate(),
        created_by=user,
    )
    claimed = TimeEntry.objects.filter(
        pk__in=[e.pk for e in entries], invoice__isnull=True, billable=True
    ).update(invoice=invoice)
    if claimed != len(entries):  # another run took some since we locked: never bill twice
        raise Conflict(
            "Another billing run took some of this time; run again.", code="billing_run_conflict"
        )
    by_ticket: dict[int, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_ticket[entry.ticket_id].append(entry)
    subtotal = Decimal("0")
    lines = []
    for ticket_entries in by_ticket.values():
        ticket = ticket_entries[0].ticket
        activities, billed, prepaid, amount = line_amounts(ticket_entries)
        rates = {a["rate"] for a in activities}
        lines.append(
            InvoiceLine(
                invoice=invoice,
                ticket=ticket,
                reference=ticket.reference,
                subject=ticket.subject,
                activities=activities,
                minutes=billed,
                prepaid_minutes=prepaid,
                rate=Decimal(rates.pop()) if len(rates) == 1 else None,
                amount=amount,
            )
        )
        subtotal += amount
        invoice.prepaid_minutes += prepaid
    InvoiceLine.objects.bulk_create(lines)
    invoice.subtotal = subtotal
    invoice.vat, invoice.rounding, invoice.total = totals(subtotal, invoice.vat_rate)
    invoice.save(update_fields=["subtotal", "vat", "rounding", "total", "prepaid_minutes"])
    return invoice


@transaction.atomic
def do_run_billing(
    *,
    acting_user: User,
    period_start: dt.date,
    period_end: dt.date,
    customer: Customer | None = None,
) -> list[Invoice]:
    """Build one draft per customer from the billable, unbilled time of the period."""
    _check_manager(acting_user)
    if period_end < period_start:
        raise DomainError(_("The period ends before it starts."), code="invalid_period")
    qs = TimeEntry.objects.select_for_update(of=("self",)).filter(
        billable=True, invoice__isnull=True, date__gte=period_start, date__lte=period_end
    )
    if customer is not None:
        qs = qs.filter(ticket__customer=customer)
    entries = list(qs.select_related("ticket", "ticket__customer").order_by("id"))
    by_customer: dict[int, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_customer[entry.ticket.customer_id].append(entry)
    invoices = [
        _build_invoice(group[0].ticket.customer, group, period_start, period_end, acting_user)
        for group in by_customer.values()
    ]
    return invoices


def _next_number(kind: str, year: int) -> tuple[str, int]:
    try:
        with transaction.atomic():
            InvoiceSequence.objects.get_or_create(year=year)
    except IntegrityError:  # created by a concurrent approval; lock it below
        pass
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    # One sequence for invoices and credit notes: the year's documents have no gaps together.
    number = f"{NUMBER_PREFIX[kind]}-{year}-{sequence.last:04d}"
    return number, year * 1_000_000 + sequence.last


def number_preview(kind: str, day: dt.date) -> str:
    """The number the next approval of this kind would give today (another approval may
    take it first: the real one is drawn under the sequence's lock)."""
    last = InvoiceSequence.objects.filter(year=day.year).values_list("last", flat=True).first() or 0
    return f"{NUMBER_PREFIX[kind]}-{day.year}-{last + 1:04d}"


def _lock_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


@transaction.atomic
def do_approve_invoice(
    invoice: Invoice, *, acting_user: User, now: dt.datetime | None = None
) -> Invoice:
    """Number the draft (gapless per year) and freeze it."""
    _check_manager(acting_user)
    invoice = _lock_invoice(invoice)
    if not invoice.is_draft:
        raise Conflict(_("This invoice is already approved."), code="invoice_not_draft")
    now = now or timezone.now()
    invoice.issued_on = timezone.localdate(now)
    invoice.payment_days = conf.payment_days()
    invoice.due_on = invoice.issued_on + dt.timedelta(days=invoice.payment_days)
    invoice.vat_number = conf.vat_number()
    invoice.number, invoice.ledger_seq = _next_number(invoice.kind, invoice.issued_on.year)
    invoice.status = InvoiceStatus.APPROVED
    invoice.approved_by = acting_user
    invoice.approved_at = now
    invoice.bill_to = invoice.customer.postal_address()
    invoice.save(
        update_fields=[
            "number",
            "ledger_seq",
            "status",
            "approved_by",
            "approved_at",
            "issued_on",
            "bill_to",
            "payment_days",
            "due_on",
            "vat_number",
        ]
    )
    for line in invoice.lines.select_related("ticket"):
        if line.ticket is not None:
            record_event(
                line.ticket,
                "invoiced",
                acting_user,
                internal=True,
                data={
                    "invoice_id": invoice.pk,
                    "number": invoice.number,
                    "amount": str(line.amount),
                },
            )
    return invoice


@transaction.atomic
def do_discard_draft(invoice: Invoice, *, acting_user: User) -> None:
    """Drop a draft; its time is free for the next run."""
    _check_manager(acting_user)
    invoice = _lock_invoice(invoice)
    if not invoice.is_draft:
        raise Conflict(
            _("An approved invoice is corrected by a credit note."), code="invoice_not_draft"
        )
    invoice.time_entries.update(invoice=None)
    invoice.delete()


@transaction.atomic
def do_credit_invoice(
    invoice: Invoice, *, acting_user: User, reason: str, now: dt.datetime | None = None
) -> Invoice:
    """Correct an approved invoice with a credit note of its full amount (approved at once).
    Its time stays locked to the original: it is not billed again."""
    _check_manager(acting_user)
    if not reason.strip():
        raise DomainError(_("Say why the invoice is credited."), code="reason_required")
    invoice = _lock_invoice(invoice)
    if invoice.is_draft or invoice.kind != InvoiceKind.INVOICE:
        raise Conflict(_("Only an approved invoice is credited."), code="invoice_not_creditable")
    if invoice.credit_notes.exists():
        raise Conflict(_("This invoice was already credited."), code="invoice_already_credited")
    note = Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE,
        customer=invoice.customer,
        credited_invoice=invoice,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        vat_rate=invoice.vat_rate,
        subtotal=-invoice.subtotal,
        vat=-invoice.vat,
        rounding=-invoice.rounding,
        total=-invoice.total,
        note=reason.strip(),
        created_by=acting_user,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=note,
                ticket=line.ticket,
                reference=line.reference,
                subject=line.subject,
                activities=line.activities,
                minutes=-line.minutes,
                prepaid_minutes=0,
                rate=line.rate,
                amount=-line.amount,
            )
            for line in invoice.lines.all()
        ]
    )
    return do_approve_invoice(note, acting_user=acting_user, now=now)
