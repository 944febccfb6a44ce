"""The words an invoice or credit note carries beyond its figures, in the reader's
language: the vendor's VAT number, the payment terms, the billing unit."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation
from django.utils.translation import gettext as _

from palier.billing import conf
from palier.billing.lines import step_label
from palier.billing.models import Invoice, InvoiceKind

# The VAT register's own suffix in each national language (MWST, TVA, IVA).
VAT_SUFFIX = {"de": "MWST", "fr": "TVA", "it": "IVA"}


def vat_number_label(number: str) -> str:
    """CHE-123.456.789 MWST (TVA, IVA; VAT in English)."""
    if not number:
        return ""
    return f"{number} {VAT_SUFFIX.get(translation.get_language() or 'en', 'VAT')}"


def due_on(invoice: Invoice, today: dt.date) -> dt.date:
    """Its due date; for a draft, the one it would get if approved today."""
    if invoice.due_on:
        return invoice.due_on
    return today + dt.timedelta(days=conf.payment_days())


def payment_terms(invoice: Invoice, today: dt.date) -> str:
    days = invoice.payment_days or conf.payment_days()
    date = formats.date_format(due_on(invoice, today), "DATE_FORMAT")
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return _(
            "We refund this amount or set it off against your next invoice within "
            "%(days)s days, by %(date)s."
        ) % {"days": days, "date": date}
    return _("Payable within %(days)s days net, by %(date)s.") % {"days": days, "date": date}


def unit_note(invoice: Invoice | None = None) -> str:
    """How time is counted: the unit and the rounding rule the invoice was built with (the
    settings' for a new one), printed under the lines."""
    rows = [row for line in invoice.lines.all() for row in line.activities] if invoice else []
    unit = next((r["unit"] for r in rows if r.get("unit")), None) or conf.billing_unit()
    rounding = next((r["rounding"] for r in rows if r.get("rounding")), conf.billing_rounding())
    if unit == "minute":
        return _("Time is billed to the minute; amounts are rounded to the cent.")
    if rounding == "up":
        return _("Time is billed in steps of %(step)s; a started step counts.") % {
            "step": step_label(unit)
        }
    return _("Time is billed in steps of %(step)s, rounded to the nearest step.") % {
        "step": step_label(unit)
    }
