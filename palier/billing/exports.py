"""Invoices for the vendor's accounting: CSV and XLSX of invoices and lines, and the JSON
documents an ERP imports (approved invoices and credit notes, in approval order)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch

from palier.billing.models import Invoice, InvoiceLine, InvoiceStatus, minutes_to_hours
from palier.billing.presenters import invoice_out
from palier.lib.spreadsheet import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

COLUMNS = [
    "number",
    "kind",
    "issued_on",
    "customer_code",
    "customer_name",
    "period_start",
    "period_end",
    "credited_number",
    "line_reference",
    "line_subject",
    "line_hours",
    "line_prepaid_hours",
    "line_activity",
    "line_quantity",
    "line_unit",
    "line_rate",
    "line_amount",
    "invoice_subtotal",
    "invoice_vat_rate",
    "invoice_vat",
    "invoice_total",
    "currency",
]


NUMERIC = {
    "line_hours",
    "line_prepaid_hours",
    "line_quantity",
    "line_rate",
    "line_amount",
    "invoice_subtotal",
    "invoice_vat_rate",
    "invoice_vat",
    "invoice_total",
}


def _typed(row: list[str]) -> list[str | Decimal]:
    """A row's amounts as numbers (a spreadsheet sums them), its texts as text."""
    return [
        Decimal(v) if column in NUMERIC and v else v for v, column in zip(row, COLUMNS, strict=True)
    ]


def _approved() -> object:
    return (
        Invoice.objects.filter(status=InvoiceStatus.APPROVED)
        .select_related("customer", "credited_invoice")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("id")))
    )


def _parts(line: InvoiceLine) -> list[list[str]]:
    """A line's rows: one per activity billed (worked hours, activity, billed quantity, its
    unit, rate, amount), so that quantity × rate = amount on every row; the prepaid hours
    go on the line's first row."""
    if not line.activities:
        return [[str(line.hours), "", "", "", str(line.rate or ""), str(line.amount)]]
    return [
        [
            str(minutes_to_hours(a["minutes"])),
            a["activity"],
            # Lines approved before billing units were stored their quantity as hours.
            a.get("quantity") or a.get("hours", ""),
            "min" if a.get("unit") == "minute" else "h",
            a["rate"],
            a["amount"],
        ]
        for a in line.activities
    ]


def rows(period_start: dt.date, period_end: dt.date) -> list[list[str]]:
    """One row per activity of a line, the invoice's columns repeated (what spreadsheets
    filter best)."""
    out = []
    invoices = _approved().filter(issued_on__gte=period_start, issued_on__lte=period_end)
    for inv in invoices.order_by("ledger_seq"):
        head = [
            inv.number,
            inv.kind,
            inv.issued_on.isoformat(),
            inv.customer.code,
            inv.customer.name,
            inv.period_start.isoformat(),
            inv.period_end.isoformat(),
            inv.credited_invoice.number if inv.credited_invoice else "",
        ]
        tail = [str(inv.subtotal), str(inv.vat_rate), str(inv.vat), str(inv.total), "CHF"]
        for line in inv.lines.all():
            for i, part in enumerate(_parts(line)):
                prepaid = str(line.prepaid_hours) if i == 0 else "0.00"
                hours, rest = part[0], part[1:]
                out.append([*head, line.reference, line.subject, hours, prepaid, *rest, *tail])
    return out


def _table(data: list[list[str]]) -> list[list]:
    return [COLUMNS, *(_typed(row) for row in data)]


def export(fmt: str, period_start: dt.date, period_end: dt.date) -> tuple[bytes, str]:
    data = rows(period_start, period_end)
    if fmt == "xlsx":
        return xlsx_bytes([("Invoice lines", _table(data))]), XLSX_TYPE
    return csv_bytes(_table(data)), CSV_TYPE


def erp_documents(after_seq: int, limit: int) -> list[dict]:
    """Approved documents after the given position, in approval order; `id` is the
    position to resume after."""
    docs = _approved().filter(ledger_seq__gt=after_seq).order_by("ledger_seq")[:limit]
    return [
        {**invoice_out(inv, lines=True), "id": inv.ledger_seq, "invoice_id": inv.pk} for inv in docs
    ]
