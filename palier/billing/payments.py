"""Payments back from the bank: import camt.053/.054 files, match them to invoices by their
QR reference, keep what does not match for a person; invoices overdue.

Nothing read is dropped: every booking of a file becomes a BankPayment row, matched to an
invoice, a return of money paid on one (a debit or reversal carrying its QR reference), left
unmatched with the reason, marked a duplicate of one imported before (the same payment
reported by the day's camt.054 and camt.053), or kept as not a payment (another debit, a
pending booking). An invoice's `paid` is its matched payments less its returns, recomputed
under its row lock whenever one is matched. A file for an account that is not ours is
refused whole, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.ch import esr

from palier.accounts.models import User
from palier.audit.log import record_change, snapshot
from palier.billing import conf
from palier.billing.camt import CamtError, CamtFile, Transaction, parse
from palier.billing.models import (
    BankImport,
    BankPayment,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentState,
)
from palier.lib.errors import Conflict, DomainError, NotAllowed

MAX_FILE_BYTES = 20 * 1024 * 1024
# The payments that count in an invoice's `paid`: money in adds, money out (a return) takes back.
_ON_INVOICE = (PaymentState.MATCHED, PaymentState.RETURNED)


def _check_manager(user: User) -> None:
    if not user.is_manager:
        raise NotAllowed(_("Only a manager imports payments and matches them."))


def ledger_seq_from_reference(reference: str) -> int | None:
    """The ledger position a QR reference of ours carries (pdf.qr_reference), or None when
    it is no valid QR reference (27 digits, check digit modulo 10 recursive)."""
    ref = reference.replace(" ", "")
    if len(ref) != 27 or not ref.isdigit() or not esr.is_valid(ref):
        return None
    seq = int(ref[:26])
    # Ours carry a ledger position (a bigint); another creditor's reference may not fit one.
    return seq if 0 < seq < 2**63 else None


def _payable(invoices: dict[int, Invoice], tx: Transaction) -> tuple[str, Invoice | None, str]:
    """The state, invoice and reason of one transaction (known invoices by ledger position)."""
    if not tx.booked:
        return PaymentState.NOT_A_PAYMENT, None, _("Not booked yet (pending at the bank).")
    if not tx.credit:
        return _money_out(invoices, tx)
    if tx.currency != "CHF":
        return PaymentState.UNMATCHED, None, _("Paid in another currency than CHF.")
    if not tx.reference:
        return PaymentState.UNMATCHED, None, _("No reference: find the invoice by hand.")
    seq = ledger_seq_from_reference(tx.reference)
    if seq is None:
        return PaymentState.UNMATCHED, None, _("The reference is no QR reference of ours.")
    invoice = invoices.get(seq)
    if invoice is None:
        return PaymentState.UNMATCHED, None, _("No approved invoice carries this QR reference.")
    return PaymentState.MATCHED, invoice, ""


def _money_out(invoices: dict[int, Invoice], tx: Transaction) -> tuple[str, Invoice | None, str]:
    """A debit with one of our invoices' QR references gives back money paid on it (a return,
    a reversal, a refund); a reversal of anything else is for a person to check; any other
    debit (our own payments, the bank's fees) is none of our invoices' business."""
    invoice = invoices.get(ledger_seq_from_reference(tx.reference) or 0)
    if invoice is not None and tx.currency == "CHF":
        return PaymentState.RETURNED, invoice, ""
    if tx.reversal:
        reason = _("A returned payment that matches none of our invoices: check it by hand.")
        return PaymentState.UNMATCHED, None, reason
    return PaymentState.NOT_A_PAYMENT, None, _("A debit, not a payment to us.")


def accepted_accounts() -> set[str]:
    """Our IBANs a bank file may report on: the QR-IBAN printed on the QR-bills and the
    account's other IBANs (PALIER_BILLING_BANK_IBANS), without spaces, upper case."""
    listed = [conf.creditor()["iban"], *getattr(settings, "PALIER_BILLING_BANK_IBANS", [])]
    return {_compact(iban) for iban in listed if _compact(iban)}


def _compact(iban: str) -> str:
    return stdnum_iban.compact(str(iban))


def _grouped(iban: str) -> str:
    """In groups of four, as a bank prints it (python-stdnum, which qrbill checks IBANs with)."""
    return stdnum_iban.format(str(iban))


def check_bank_account(parsed: CamtFile) -> None:
    """Refuse the whole file when any of its reports is for an account that is not ours: its
    bookings are no payments to us, and half a file imported is worse than none."""
    ours = accepted_accounts()
    for iban in parsed.accounts or [parsed.account_iban]:
        if _compact(iban) not in ours:
            raise DomainError(
                _(
                    "This file is for the account %(iban)s, which is not ours (%(ours)s): "
                    "nothing was imported."
                )
                % {
                    "iban": _grouped(iban) or _("(no IBAN)"),
                    "ours": ", ".join(sorted(_grouped(i) for i in ours)),
                },
                code="bank_file_other_account",
            )


def read_bank_file(data: bytes) -> CamtFile:
    """Parse before any transaction (slow work stays out of the write lock)."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is too large for a bank file."), code="bank_file_too_large")
    try:
        return parse(data)
    except CamtError as exc:
        raise DomainError(
            _("This is no camt.053 or camt.054 file we can read: %(why)s") % {"why": exc},
            code="bank_file_unreadable",
        ) from exc


@transaction.atomic
def do_import_bank_file(
    data: bytes, *, filename: str, acting_user: User, parsed: CamtFile | None = None
) -> BankImport:
    """Keep the file, record every booking in it and match what pays one of our invoices.
    A query count that does not grow with the file: payments are written in bulk."""
    _check_manager(acting_user)
    parsed = parsed or read_bank_file(data)
    check_bank_account(parsed)
    digest = hashlib.sha256(data).hexdigest()
    earlier = BankImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise Conflict(
            _("This file was already imported on %(day)s.")
            % {"day": timezone.localdate(earlier.imported_at).isoformat()},
            code="bank_file_already_imported",
            details={"import_id": earlier.pk},
        )
    txs = parsed.transactions
    seqs = {s for tx in txs if (s := ledger_seq_from_reference(tx.reference))}
    invoices = {
        inv.ledger_seq: inv
        for inv in Invoice.objects.filter(
            ledger_seq__in=seqs, status=InvoiceStatus.APPROVED, kind=InvoiceKind.INVOICE
        )
    }
    seen = set(
        BankPayment.objects.filter(dedupe_key__in=[tx.dedupe_key for tx in txs])
        .exclude(state=PaymentState.DUPLICATE)
        .values_list("dedupe_key", flat=True)
    )
    bank_import = BankImport.objects.create(
        filename=filename[:255],
        sha256=digest,
        content=data,
        message=parsed.message,
        version=parsed.version,
        message_id=parsed.message_id[:35],
        account_iban=parsed.account_iban[:34],
        imported_by=acting_user,
    )
    rows = []
    for tx in txs:
        state, invoice, reason = _payable(invoices, tx)
        if tx.dedupe_key in seen and state != PaymentState.NOT_A_PAYMENT:
            state, invoice = PaymentState.DUPLICATE, None
            reason = _("Already imported: the same payment was in an earlier file.")
        seen.add(tx.dedupe_key)
        rows.append(
            BankPayment(
                bank_import=bank_import,
                account_iban=tx.account_iban[:34],
                amount=tx.amount,
                currency=tx.currency[:3],
                credit=tx.credit,
                reversal=tx.reversal,
                booked=tx.booked,
                booked_on=tx.booked_on,
                value_date=tx.value_date,
                reference=tx.reference[:35],
                reference_type=tx.reference_type,
                debtor_name=tx.debtor_name[:140],
                remittance=tx.remittance,
                bank_reference=(tx.bank_reference or tx.entry_reference)[:80],
                dedupe_key=tx.dedupe_key[:200],
                state=state,
                reason=reason,
                invoice=invoice,
            )
        )
    BankPayment.objects.bulk_create(rows)
    bank_import.entries = len(rows)
    bank_import.matched = sum(1 for row in rows if row.state in _ON_INVOICE)
    bank_import.unmatched = sum(1 for row in rows if row.state == PaymentState.UNMATCHED)
    bank_import.save(update_fields=["entries", "matched", "unmatched"])
    _refresh_paid({row.invoice_id for row in rows if row.invoice_id})
    return bank_import


def _refresh_paid(invoice_ids: set[int]) -> None:
    """Set each invoice's `paid` to what its payments brought in less what returns took back,
    under its row lock."""
    if not invoice_ids:
        return
    list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids).values_list("pk"))
    signed = Case(When(credit=True, then=F("amount")), default=-F("amount"))
    sums = dict(
        BankPayment.objects.filter(invoice_id__in=invoice_ids, state__in=_ON_INVOICE)
        .values("invoice_id")
        .annotate(total=Sum(signed))
        .values_list("invoice_id", "total")
    )
    for pk in invoice_ids:
        Invoice.objects.filter(pk=pk).update(paid=sums.get(pk) or Decimal("0"))


@transaction.atomic
def do_match_payment(payment: BankPayment, invoice: Invoice, *, acting_user: User) -> BankPayment:
    """A person matches a payment the import could not place (no or a wrong reference)."""
    _check_manager(acting_user)
    payment = BankPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.state not in (PaymentState.UNMATCHED, *_ON_INVOICE):
        raise Conflict(
            _("Only an incoming payment is matched to an invoice."), code="payment_not_matchable"
        )
    if invoice.is_draft or invoice.kind != InvoiceKind.INVOICE:
        raise DomainError(_("Match a payment to an approved invoice."), code="invoice_not_payable")
    if payment.currency != "CHF":
        raise DomainError(_("Only payments in CHF pay our invoices."), code="currency_not_chf")
    before = snapshot(payment, ["state", "invoice_id", "matched_by_id"])
    previous = payment.invoice_id
    state = PaymentState.MATCHED if payment.credit else PaymentState.RETURNED
    payment.state, payment.invoice, payment.reason = state, invoice, ""
    payment.matched_by, payment.matched_at = acting_user, timezone.now()
    payment.save(update_fields=["state", "invoice", "reason", "matched_by", "matched_at"])
    record_change(
        "payment.match",
        payment,
        acting_user=acting_user,
        before=before,
        after=snapshot(payment, ["state", "invoice_id", "matched_by_id"]),
    )
    _refresh_paid({pk for pk in (previous, invoice.pk) if pk})
    return payment


def invoice_by_number(number: str) -> Invoice | None:
    return Invoice.objects.filter(number__iexact=number.strip(), kind=InvoiceKind.INVOICE).first()


def overdue_invoices(today: dt.date | None = None) -> QuerySet[Invoice]:
    """Approved invoices past their due date, not fully paid and not credited: oldest first
    (the (status, due_on) index)."""
    today = today or timezone.localdate()
    return (
        Invoice.objects.filter(
            status=InvoiceStatus.APPROVED,
            kind=InvoiceKind.INVOICE,
            due_on__lt=today,
            paid__lt=F("total"),
        )
        .filter(~Q(credit_notes__isnull=False))
        .select_related("customer")
        .order_by("due_on", "id")
    )
