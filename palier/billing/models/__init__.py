"""Consulting billing: rates, estimates and consent, time, prepaid draws and invoices.

Durations are whole minutes (no float drift); money is Decimal, rounded to CHF 0.05 where
it is billed (palier.lib.money).
"""

from __future__ import annotations

from decimal import Decimal

import iso3166
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from palier.lib.money import CENT


def minutes_to_hours(minutes: int) -> Decimal:
    """Minutes as hours to the hundredth, as invoices and reports show them."""
    return (Decimal(minutes) / 60).quantize(CENT)


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value())


class Activity(models.TextChoices):
    CONSULTING = "consulting", _("Consulting")
    TRAINING = "training", _("Training")
    DEVELOPMENT = "development", _("Development")
    SUPPORT = "support", _("Support")
    REMOTE_SESSION = "remote_session", _("Remote session")


class ContractRate(models.Model):
    """A contract's rate for one activity; without one the contract's hourly_rate applies."""

    contract = models.ForeignKey(
        "customers.Contract", on_delete=models.CASCADE, related_name="rates"
    )
    activity = models.CharField(max_length=16, choices=Activity.choices)
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "activity"], name="rate_unique_activity")
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.activity} {self.hourly_rate}"


class EstimateStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the customer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUPERSEDED = "superseded", _("Replaced by a newer estimate")


class DecidedVia(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    LINK = "link", _("Link in the email")
    PREPAID = "prepaid", _("Covered by prepaid hours")


class Estimate(models.Model):
    """Billable work proposed to the customer, who accepts or declines it (POLICY.md rule B)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="estimates")
    contract = models.ForeignKey(
        "customers.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activity = models.CharField(
        max_length=16, choices=Activity.choices, default=Activity.CONSULTING
    )
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    rate = models.DecimalField(max_digits=8, decimal_places=2, help_text=_("CHF per hour"))
    text = models.TextField()
    status = models.CharField(
        max_length=12, choices=EstimateStatus.choices, default=EstimateStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_via = models.CharField(max_length=8, choices=DecidedVia.choices, blank=True)
    decline_reason = models.TextField(blank=True)
    # The signed link carries this nonce; the link works once, while the estimate is proposed.
    link_nonce = models.CharField(max_length=32)
    link_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "status"], name="estimate_ticket_status"),
            models.Index(fields=["status", "-decided_at"], name="estimate_status_decided"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="estimate_hours_positive"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="estimate_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.hours} h × {self.rate}"

    @property
    def amount(self) -> Decimal:
        from palier.lib.money import round_to_five_cents

        return round_to_five_cents(self.hours * self.rate)


class TimeEntry(models.Model):
    """Time a staff member spent on a ticket. Billable follows the ticket's decision when
    logged; once on an invoice it is locked."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="time_entries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    minutes = models.PositiveIntegerField()
    activity = models.CharField(max_length=16, choices=Activity.choices)
    note = models.TextField(blank=True)
    billable = models.BooleanField()
    billable_reason = models.TextField(blank=True, help_text=_("Why a manager changed it."))
    rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    contract = models.ForeignKey(
        "customers.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepaid_minutes = models.PositiveIntegerField(
        default=0, help_text=_("Part of this time drawn from the contract's prepaid hours.")
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_entries",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["ticket", "date"], name="time_ticket_date"),
            models.Index(fields=["user", "-date"], name="time_user_date"),
            # The billing run's filter: billable, not yet invoiced, by date.
            models.Index(fields=["billable", "invoice", "date"], name="time_unbilled_date"),
            models.Index(fields=["contract", "prepaid_minutes"], name="time_contract_prepaid"),
            # The dashboards' time of a period (level-2 work, the billing funnel).
            models.Index(fields=["date"], name="time_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="time_minutes_positive"),
            models.CheckConstraint(
                condition=models.Q(prepaid_minutes__lte=models.F("minutes")),
                name="time_prepaid_within_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.date} {self.minutes} min"

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


class Timer(models.Model):
    """A running start/stop timer: at most one per user (the primary key is the user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="timer"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(max_length=16, choices=Activity.choices)
    note = models.TextField(blank=True)
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id} since {self.started_at}"


class PrepaidAlert(models.Model):
    """An alert sent once per contract and threshold (80 %, 100 % used)."""

    contract = models.ForeignKey("customers.Contract", on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "threshold"], name="prepaid_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} at {self.threshold} %"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


DOMESTIC = {"CH", "LI"}  # Swiss Post's own area: Liechtenstein is addressed as at home


def address_lines(address: dict[str, str]) -> list[str]:
    """A postal address as written on a letter: name, street and number, postcode and city,
    and outside Switzerland and Liechtenstein the country's name."""
    street = " ".join(part for part in (address["street"], address["house_num"]) if part)
    lines = [address["name"], street, f"{address['pcode']} {address['city']}"]
    if address["country"] not in DOMESTIC:  # abroad, the last line names the country
        country = iso3166.countries_by_alpha2.get(address["country"])
        lines.append(country.name.upper() if country else address["country"])
    return [line for line in lines if line]


class Invoice(models.Model):
    """A draft until approved; approving numbers it (gapless per year) and freezes it."""

    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default="draft")
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # year * 1,000,000 + the year's number: grows in commit order (approvals are serialized
    # on the sequence row), so an ERP that reads "after N" never misses a document.
    ledger_seq = models.BigIntegerField(unique=True, null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="invoices"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    prepaid_minutes = models.PositiveIntegerField(default=0)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    vat = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # subtotal + VAT rounded to CHF 0.05: the difference, shown on its own line.
    rounding = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    note = models.TextField(blank=True)
    # The customer's name and postal address when the invoice was approved
    # (Customer.postal_address): a document sent stays as it was sent.
    bill_to = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    # Set at approval: the terms and the vendor's VAT number the document was issued with.
    payment_days = models.PositiveSmallIntegerField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    # What the bank says was paid against it (payments.py); kept by the matching action.
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="invoice_customer_id"),
            models.Index(fields=["status", "-id"], name="invoice_status_id"),
            models.Index(fields=["issued_on"], name="invoice_issued_on"),
            models.Index(fields=["status", "due_on"], name="invoice_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", number__isnull=True)
                | models.Q(status="approved", number__isnull=False),
                name="invoice_number_iff_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    def postal_address(self) -> dict[str, str]:
        """Who the invoice is addressed to: the customer's address today for a draft, the one
        kept at approval for an invoice (empty if there was none: it stays as it was sent)."""
        return self.customer.postal_address() if self.is_draft else self.bill_to

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def prepaid_hours(self) -> Decimal:
        return minutes_to_hours(self.prepaid_minutes)

    @property
    def payment_status(self) -> str:
        """Unpaid, partly paid, paid or overpaid: an approved invoice only (else empty)."""
        if self.is_draft or self.kind != InvoiceKind.INVOICE:
            return ""
        if self.paid <= 0:
            return PaymentStatus.UNPAID
        if self.paid < self.total:
            return PaymentStatus.PARTLY_PAID
        return PaymentStatus.PAID if self.paid == self.total else PaymentStatus.OVERPAID

    @property
    def outstanding(self) -> Decimal:
        return max(self.total - self.paid, Decimal("0"))


class InvoiceLine(models.Model):
    """One ticket's billed time: hours by activity, rate, amount; prepaid hours apart."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reference = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    # [{"activity", "minutes", "rate", "amount"}] for the billed (not prepaid) minutes.
    activities = models.JSONField(default=list)
    minutes = models.IntegerField(default=0)
    prepaid_minutes = models.IntegerField(default=0)
    rate = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Set when every activity has the same rate."),
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["invoice", "id"], name="invoiceline_invoice_id")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)

    @property
    def prepaid_hours(self) -> Decimal:
        return minutes_to_hours(self.prepaid_minutes)


class InvoiceSequence(models.Model):
    """The last number given per year; locked while approving so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


from palier.billing.models.payments import (  # noqa: E402 (the payments half of the app)
    BankImport,
    BankPayment,
    DispatchKind,
    InvoiceDispatch,
    PaymentState,
)

__all__ = [
    "Activity",
    "BankImport",
    "BankPayment",
    "ContractRate",
    "DecidedVia",
    "DispatchKind",
    "Estimate",
    "EstimateStatus",
    "Invoice",
    "InvoiceDispatch",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceSequence",
    "InvoiceStatus",
    "PaymentState",
    "PaymentStatus",
    "PrepaidAlert",
    "TimeEntry",
    "Timer",
    "address_lines",
    "hours_to_minutes",
    "minutes_to_hours",
]
