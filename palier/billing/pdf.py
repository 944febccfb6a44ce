"""The invoice as PDF (fpdf2) with its Swiss QR-bill (qrbill draws it as SVG; fpdf2 embeds the
SVG as vectors, so the QR code stays sharp for banking apps)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from qrbill import QRBill
from qrbill.bill import Address
from stdnum.ch import esr

from palier.billing import conf
from palier.billing.documents import payment_terms, unit_note, vat_number_label
from palier.billing.lines import exact_label, quantity_label
from palier.billing.models import Activity, Invoice, InvoiceKind, address_lines
from palier.lib.money import format_chf
from palier.tickets.queries import customer_language

# The only languages the QR-bill standard prints its payment part in.
QR_LANGUAGES = {"en", "de", "fr", "it"}


def qr_language(language: str) -> str:
    """The payment part's language: the invoice's (`de-ch` is `de`), else the desk's; English,
    the standard's own, only when neither is one the QR-bill knows."""
    for code in (language, settings.LANGUAGE_CODE):
        base = (code or "")[:2].lower()
        if base in QR_LANGUAGES:
            return base
    return "en"


def qr_reference(invoice: Invoice) -> str:
    """A 27-digit QR reference (QRR, needed with a QR-IBAN) from the ledger position."""
    digits = str(invoice.ledger_seq or invoice.pk).rjust(26, "0")
    return digits + esr.calc_check_digit(digits)


def qr_bill(invoice: Invoice, language: str) -> QRBill:
    creditor = conf.creditor()
    return QRBill(
        account=creditor["iban"],
        creditor={k: v for k, v in creditor.items() if k != "iban"},
        amount=str(invoice.total),
        currency="CHF",
        debtor=qr_debtor(invoice.postal_address()),
        reference_number=qr_reference(invoice),
        additional_information=invoice.number or "",
        language=qr_language(language),
    )


def qr_debtor(address: dict[str, str]) -> dict[str, str] | None:
    """The QR-bill's debtor, or None (left blank for the payer to fill in) without an address
    or with one the QR-bill refuses: a numbered invoice must always print."""
    if not address:
        return None
    debtor = {**address, "name": address["name"][:70]}  # the QR-bill's limit
    try:
        Address.create(**debtor)
    except ValueError:
        return None
    return debtor


_BEYOND_LATIN1 = str.maketrans({"…": "...", "–": "-", "−": "-", "’": "'", "\u202f": " "})


def _text(value: str) -> str:
    # The core fonts are Latin-1: keep umlauts and accents, spell out the few typographic
    # signs our words use, replace anything beyond.
    return value.translate(_BEYOND_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _header(pdf: FPDF, invoice: Invoice) -> None:
    creditor = conf.creditor()
    address = invoice.postal_address()
    pdf.set_font("helvetica", "B", 16)
    title = _("Credit note") if invoice.kind == InvoiceKind.CREDIT_NOTE else _("Invoice")
    pdf.cell(0, 10, _text(f"{title} {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    vendor = (
        f"{creditor['name']}, {creditor['street']} {creditor['house_num']}, "
        f"{creditor['pcode']} {creditor['city']}"
    )
    pdf.cell(0, 5, _text(vendor), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0,
        5,
        _text(_("VAT number: %(number)s") % {"number": vat_number_label(invoice.vat_number)}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    facts = [
        (_("Customer"), "\n".join(address_lines(address)) if address else invoice.customer.name),
        (_("Issued on"), formats.date_format(invoice.issued_on, "DATE_FORMAT")),
        (
            _("Period"),
            f"{formats.date_format(invoice.period_start, 'DATE_FORMAT')} - "
            f"{formats.date_format(invoice.period_end, 'DATE_FORMAT')}",
        ),
    ]
    if invoice.credited_invoice_id:
        facts.append((_("Credits invoice"), invoice.credited_invoice.number))
    if invoice.due_on:
        facts.append((_("Due on"), formats.date_format(invoice.due_on, "DATE_FORMAT")))
    facts.append((_("Payment terms"), payment_terms(invoice, invoice.issued_on)))
    for label, value in facts:
        pdf.cell(40, 5, _text(label))
        pdf.multi_cell(0, 5, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _lines(pdf: FPDF, invoice: Invoice) -> None:
    labels = dict(Activity.choices)
    with pdf.table(
        col_widths=(30, 62, 30, 30, 38),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
    ) as table:
        table.row([_("Ticket"), _("Subject and activity"), _("Quantity"), _("Rate"), _("Amount")])
        for line in invoice.lines.all():
            for i, row in enumerate(line.activities):
                activity = labels.get(row["activity"], row["activity"])
                quantity = quantity_label(row)
                if row.get("billed_minutes", row["minutes"]) != row["minutes"]:
                    quantity += "\n" + _("(%(worked)s min worked)") % {"worked": row["minutes"]}
                amount = format_chf(row["amount"])
                if exact := exact_label(row):
                    amount += "\n" + _("(%(exact)s rounded)") % {"exact": exact}
                table.row(
                    [
                        line.reference if i == 0 else "",
                        _text(f"{line.subject}\n{activity}" if i == 0 else str(activity)),
                        quantity,
                        f"{format_chf(row['rate'])} / h",
                        _text(amount),
                    ]
                )
            if line.prepaid_minutes:
                table.row(
                    [
                        "",
                        _text(_("Prepaid hours drawn: %(h)s h") % {"h": line.prepaid_hours}),
                        "",
                        "",
                        "",
                    ]
                )
    pdf.set_font("helvetica", "", 8)
    pdf.multi_cell(0, 4, _text(unit_note(invoice)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)


def _totals(pdf: FPDF, invoice: Invoice) -> None:
    pdf.ln(3)
    rows = []
    if invoice.prepaid_minutes:
        rows.append((_("Prepaid hours drawn down (not charged)"), f"{invoice.prepaid_hours} h"))
    rows += [
        (_("Subtotal"), format_chf(invoice.subtotal)),
        (
            _("VAT %(rate)s %%") % {"rate": (invoice.vat_rate * 100).normalize()},
            format_chf(invoice.vat),
        ),
    ]
    if invoice.rounding:
        rows.append((_("Rounded to CHF 0.05"), format_chf(invoice.rounding)))
    rows.append((_("Total"), format_chf(invoice.total)))
    for i, (label, value) in enumerate(rows):
        pdf.set_font("helvetica", "B" if i == len(rows) - 1 else "", 10)
        pdf.cell(155, 6, _text(label), align="R")
        pdf.cell(35, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")


def invoice_pdf(invoice: Invoice, language: str | None = None) -> bytes:
    language = language or customer_language(invoice.customer)
    with translation.override(language):
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(auto=True, margin=110)  # keep the payment part free
        pdf.add_page()
        _header(pdf, invoice)
        _lines(pdf, invoice)
        _totals(pdf, invoice)
        if invoice.total > Decimal("0"):  # a credit note is not paid by QR-bill
            svg = io.StringIO()
            qr_bill(invoice, language).as_svg(svg)
            pdf.image(io.BytesIO(svg.getvalue().encode()), x=0, y=297 - 106, w=210)
        return bytes(pdf.output())
