"""Deterministic builders for tests, benchmarks and the demo. Tickets go through actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from palier.accounts.models import Role, User
from palier.customers.models import (
    Contract,
    Customer,
    Customization,
    Installation,
    Module,
    Product,
    ProductVersion,
)

MODULES = ["Finance", "Sales", "Logistics", "Production", "HR", "CRM"]


def make_product(code: str = "erp", name: str = "Palier ERP") -> Product:
    product, created = Product.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        for module in MODULES:
            Module.objects.create(product=product, code=module.lower(), name=module)
        for number, days in (("11.2.0", 400), ("11.3.0", 200), ("11.3.1", 60)):
            ProductVersion.objects.create(
                product=product,
                number=number,
                released_on=timezone.localdate() - dt.timedelta(days=days),
            )
    return product


def module(name: str) -> Module:
    make_product()
    return Module.objects.get(name=name)


def make_customer(
    code: str,
    *,
    name: str | None = None,
    language: str = "en",
    state: str = "active",
    start_days: int = -200,
    end_days: int = 165,
    rate: str = "185.00",
    prepaid_hours: str = "0",
    contract: bool = True,
    visibility: str = "private",
) -> Customer:
    make_product()
    customer = Customer.objects.create(
        code=code,
        name=name or code.replace("-", " ").title(),
        language=language,
        default_visibility=visibility,
    )
    if contract:
        today = timezone.localdate()
        Contract.objects.create(
            customer=customer,
            reference=f"MC-{code.upper()}",
            state=state,
            start=today + dt.timedelta(days=start_days),
            end=today + dt.timedelta(days=end_days),
            hourly_rate=Decimal(rate),
            prepaid_hours=Decimal(prepaid_hours),
        )
    version = ProductVersion.objects.order_by("-released_on").first()
    Installation.objects.create(customer=customer, version=version)
    return customer


def make_user(
    username: str,
    role: str = Role.CONTACT,
    *,
    customer: Customer | None = None,
    language: str = "en",
    customer_admin: bool = False,
    password: str = "palier-demo",  # noqa: S107 (demo and test personas only)
    first_name: str = "",
    last_name: str = "",
) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password=password,
        role=role,
        customer=customer,
        language=language,
        is_customer_admin=customer_admin,
        first_name=first_name or username.split(".")[0].title(),
        last_name=last_name,
        is_staff=role in (Role.ADMIN, Role.MANAGER),
        is_superuser=role == Role.ADMIN,
    )


def make_customization(
    customer: Customer,
    module_name: str,
    obj: str,
    built_by: str,
    *,
    author: str = "",
    built_on: dt.date | None = None,
) -> Customization:
    return Customization.objects.create(
        customer=customer,
        module=module(module_name),
        object=obj,
        built_by=built_by,
        author=author or ("Vendor consulting" if built_by == "vendor" else "Customer IT"),
        built_on=built_on or timezone.localdate() - dt.timedelta(days=90),
        authorization_reference="AUTH-2026-017" if built_by == "customer_authorized" else "",
        authorization_date=(timezone.localdate() - dt.timedelta(days=120))
        if built_by == "customer_authorized"
        else None,
    )


def make_ticket(
    contact: User,
    request_type: str | None = "usage",
    subject: str = "How do I reverse a posted invoice?",
    *,
    description: str = "",
    module_name: str | None = "Finance",
    customization: Customization | None = None,
    visibility: str | None = None,
    acting_user: User | None = None,
    channel: str = "portal",
    now: dt.datetime | None = None,
):
    """Open a ticket as (or for) a contact, through the same action the API uses."""
    from palier.tickets.actions import do_open_ticket

    return do_open_ticket(
        acting_user=acting_user or contact,
        customer=contact.customer,
        contact=contact,
        request_type=request_type,
        subject=subject,
        description=description,
        module=module(module_name) if module_name else None,
        customization=customization,
        visibility=visibility,
        channel=channel,
        now=now,
    )
