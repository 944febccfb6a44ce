"""Money back from the bank (ISO 20022 camt.053/.054 files) and invoices sent out."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BankImport(models.Model):
    """One camt.053 or camt.054 file as the bank sent it, kept whole."""

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    message = models.CharField(max_length=8, help_text=_("camt.053 or camt.054"))
    version = models.CharField(max_length=12, help_text=_("e.g. 001.08"))
    message_id = models.CharField(max_length=35, blank=True)
    account_iban = models.CharField(max_length=34, blank=True)
    entries = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.message} {self.filename}"


class PaymentState(models.TextChoices):
    MATCHED = "matched", _("Matched to an invoice")
    # Money out carrying an invoice's QR reference: the bank returned (reversed) a payment.
    RETURNED = "returned", _("Returned: takes back a payment of the invoice")
    UNMATCHED = "unmatched", _("Not matched: to check")
    DUPLICATE = "duplicate", _("Already imported from another file")
    NOT_A_PAYMENT = "not_a_payment", _("Not an incoming payment")


class BankPayment(models.Model):
    """One credit (or other booking) read from a bank file. Nothing read is dropped: what is
    no payment of ours is kept with its state, for a person to see."""

    bank_import = models.ForeignKey(BankImport, on_delete=models.CASCADE, related_name="payments")
    account_iban = models.CharField(max_length=34, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    credit = models.BooleanField(help_text=_("Money in (CRDT); a debit is money out."))
    reversal = models.BooleanField(default=False)
    booked = models.BooleanField(default=True, help_text=_("Booked (BOOK), not pending."))
    booked_on = models.DateField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=35, blank=True)
    reference_type = models.CharField(max_length=8, blank=True, help_text=_("QRR, SCOR"))
    debtor_name = models.CharField(max_length=140, blank=True)
    remittance = models.TextField(blank=True)
    bank_reference = models.CharField(max_length=80, blank=True)
    # The same payment reported twice (a camt.054 and the day's camt.053) is counted once.
    dedupe_key = models.CharField(max_length=200, db_index=True)
    state = models.CharField(max_length=16, choices=PaymentState.choices)
    reason = models.TextField(blank=True, help_text=_("Why it is not matched."))
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when a person matched it by hand."),
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "-id"], name="bankpayment_state_id"),
            models.Index(fields=["invoice", "id"], name="bankpayment_invoice_id"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} {self.reference}"


class DispatchKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice sent")
    REMINDER = "reminder", _("Payment reminder")


class InvoiceDispatch(models.Model):
    """An approved invoice (or a reminder of it) sent by mail with its PDF, by the worker."""

    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.CASCADE, related_name="dispatches"
    )
    kind = models.CharField(max_length=10, choices=DispatchKind.choices)
    level = models.PositiveSmallIntegerField(default=0, help_text=_("Reminder number."))
    to_address = models.EmailField()
    language = models.CharField(max_length=8)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    outbound = models.ForeignKey(
        "mailgateway.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The mail the worker queued; its state says whether it left."),
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["invoice", "kind"], name="dispatch_invoice_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.invoice_id} → {self.to_address}"
