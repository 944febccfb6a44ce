"""Invoices for the vendor's accounting: CSV and XLSX of invoices and lines, and the JSON
documents an ERP imports (approved invoices and credit notes, in approval order)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db.models import Prefetch

from palier.billing.models import Invoice, InvoiceLine, InvoiceStatus, minutes_to_hours
from palier.billing.presenters import invoice_out
from palier.lib.spreadsheet import safe_text

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


def _safe_cell(value: str, column: str) -> str:
    """Text starting with =, +, -, @ would run as a formula in a spreadsheet: quote it."""
    return value if column in NUMERIC else safe_text(value)


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


def _csv(data: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow([_safe_cell(v, c) for v, c in zip(row, COLUMNS, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel reads UTF-8 umlauts right


def _xlsx(data: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    numeric = {COLUMNS.index(c) for c in NUMERIC}
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoice lines"
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(
            [
                Decimal(v) if i in numeric and v else _safe_cell(v, COLUMNS[i])
                for i, v in enumerate(row)
            ]
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export(fmt: str, period_start: dt.date, period_end: dt.date) -> tuple[bytes, str]:
    data = rows(period_start, period_end)
    if fmt == "xlsx":
        return _xlsx(data), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _csv(data), "text/csv; charset=utf-8"


def erp_documents(after_seq: int, limit: int) -> list[dict]:
    """Approved documents after the given position, in approval order; `id` is the
    position to resume after."""
    docs = _approved().filter(ledger_seq__gt=after_seq).order_by("ledger_seq")[:limit]
    return [
        {**invoice_out(inv, lines=True), "id": inv.ledger_seq, "invoice_id": inv.pk} for inv in docs
    ]
