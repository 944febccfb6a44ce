"""Customers and the facts the policy needs about them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import iso3166
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from palier.policy import BuiltBy, ContractFacts, ContractState, CustomizationFacts


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private to the contact who opened it")
    SHARED = "shared", _("Shared with the organization")


def validate_country(value: str) -> None:
    """A country code of ISO 3166 (CH, LI, FR...): a QR-bill's debtor needs a real one."""
    if value not in iso3166.countries_by_alpha2:
        raise ValidationError(_("Two capital letters (ISO 3166), e.g. CH."), code="invalid_country")


class Customer(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    # The vendor's own number for the customer (its ERP's): imports update by it.
    reference = models.CharField(
        _("customer number"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("The customer's number in your ERP; imports match customers by it."),
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    email_domain = models.CharField(max_length=200, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
    )
    default_visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # The postal address invoices are sent to (and the QR-bill's debtor); the lengths are
    # the Swiss QR-bill's.
    street = models.CharField(_("street"), max_length=70, blank=True)
    house_number = models.CharField(_("house number"), max_length=16, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=35, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="CH",
        validators=[validate_country],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="customer_unique_reference",
                violation_error_code="unique",
                violation_error_message=_("Another customer has this customer number."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def postal_address(self) -> dict[str, str]:
        """Name and address as an invoice keeps them; empty without a postcode and a city
        (a QR-bill's debtor needs both)."""
        if not (self.postcode and self.city):
            return {}
        return {
            "name": self.name,
            "street": self.street,
            "house_num": self.house_number,
            "pcode": self.postcode,
            "city": self.city,
            "country": self.country,
        }


class Product(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="modules")
    code = models.SlugField(max_length=40)
    # `name` is the English name, the one the policy's facts and the explanations carry;
    # the others are shown to people who read the desk in that language (blank: English).
    name = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100, blank=True, default="")
    name_de = models.CharField(max_length=100, blank=True, default="")
    name_it = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="module_unique_code")
        ]

    def __str__(self) -> str:
        # In the reader's language: screens show `{{ ticket.module }}`; the policy's facts,
        # the API and the search read `name`.
        return self.name_in((get_language() or "en")[:2])

    def name_in(self, language: str) -> str:
        """The module's name in `language`, English where none was given."""
        if language in MODULE_NAME_LANGUAGES:
            return getattr(self, f"name_{language}") or self.name
        return self.name


# The languages a module's name is kept in besides English (its `name`).
MODULE_NAME_LANGUAGES = ("fr", "de", "it")


class ProductVersion(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(max_length=40)
    released_on = models.DateField(null=True, blank=True)
    end_of_support = models.DateField(
        _("end of support"),
        null=True,
        blank=True,
        help_text=_("The last day this version is supported."),
    )

    class Meta:
        ordering = ["product", "-released_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.number}"


class Contract(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=40, unique=True)
    state = models.CharField(
        max_length=12,
        choices=[(s.value, s.value.capitalize()) for s in ContractState],
        default=ContractState.ACTIVE,
    )
    start = models.DateField()
    end = models.DateField()
    modules = models.ManyToManyField(Module, blank=True, related_name="contracts")
    tier = models.CharField(max_length=20, default="standard")
    hourly_rate = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("185.00"), help_text=_("CHF per hour")
    )
    prepaid_hours = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["customer", "-start"], name="contract_customer_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="contract_dates"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def is_active_on(self, day: dt.date) -> bool:
        return self.state == ContractState.ACTIVE and self.start <= day <= self.end

    def facts(self) -> ContractFacts:
        return ContractFacts(
            state=ContractState(self.state),
            start=self.start,
            end=self.end,
            reference=self.reference,
            hourly_rate=str(self.hourly_rate),
        )


def customization_label(module_name: str, object_name: str) -> str:
    return f"{module_name} / {object_name}"


class Customization(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="customizations")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="customizations")
    object = models.CharField(
        max_length=200, help_text=_('e.g. Order line: column "Delivery zone"')
    )
    built_by = models.CharField(
        max_length=24,
        choices=[
            (BuiltBy.VENDOR.value, _("Vendor staff")),
            (BuiltBy.CUSTOMER_AUTHORIZED.value, _("Customer, with written authorization")),
            (BuiltBy.CUSTOMER_UNAUTHORIZED.value, _("Customer, without authorization")),
        ],
    )
    author = models.CharField(max_length=200, blank=True, help_text=_("Who built it."))
    built_on = models.DateField(null=True, blank=True)
    authorization_reference = models.CharField(max_length=80, blank=True)
    authorization_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["module__name", "object"]
        indexes = [models.Index(fields=["customer", "module"], name="customization_cust_module")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(built_by="customer_authorized")
                | ~models.Q(authorization_reference=""),
                name="customization_authorized_has_reference",
            )
        ]

    def __str__(self) -> str:
        return customization_label(str(self.module), self.object)

    def facts(self) -> CustomizationFacts:
        return CustomizationFacts(
            built_by=BuiltBy(self.built_by),
            module=self.module.name,
            object=self.object,
            built_on=self.built_on,
            author=self.author,
            authorization_reference=self.authorization_reference,
        )


class Installation(models.Model):
    """The product version a customer runs."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="installations")
    version = models.ForeignKey(
        ProductVersion, on_delete=models.PROTECT, related_name="installations"
    )
    environment = models.CharField(max_length=40, default="production")
    installed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "version", "environment"], name="installation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.version} ({self.environment})"
