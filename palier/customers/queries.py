"""Reads on customers, scoped to who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from palier.accounts.models import User
from palier.customers.models import Contract, Customer, Customization, Installation
from palier.lib.rows import rows_where


def current_contract(customer: Customer, today: dt.date) -> Contract | None:
    """The contract whose rate and prepaid hours apply to work on `today`: the active one
    covering it, else the latest one that started (a renewal not yet started is never
    billed), else the first one to start."""
    prefetched = getattr(customer, "_prefetched_objects_cache", {})
    if "contracts" in prefetched:
        contracts = list(prefetched["contracts"])
    else:
        # Every request opened reads them: a statement written once, not compiled each time.
        contracts = rows_where(Contract, "customer", customer.pk)
    covering = [c for c in contracts if c.start <= today <= c.end and c.state == "active"]
    if covering:
        return max(covering, key=lambda c: c.end)
    started = [c for c in contracts if c.start <= today]
    if started:
        return max(started, key=lambda c: (c.start, c.end))
    return min(contracts, key=lambda c: c.start) if contracts else None


def governing_contract(customer: Customer, today: dt.date) -> Contract | None:
    """The contract the policy decides `today` by, the one a refusal names.

    The active one covering the day; else one covering it in another state (suspended,
    terminated early); else the next one to start (a renewal signed after the last one
    ended: "starts on DATE" tells the customer more than "expired, renew"); else the
    latest one that ended. Billing uses `current_contract`."""
    prefetched = getattr(customer, "_prefetched_objects_cache", {})
    if "contracts" in prefetched:
        contracts = list(prefetched["contracts"])
    else:
        # Every request opened reads them: a statement written once, not compiled each time.
        contracts = rows_where(Contract, "customer", customer.pk)
    covering = [c for c in contracts if c.start <= today <= c.end]
    active = [c for c in covering if c.state == "active"]
    if active:
        return max(active, key=lambda c: c.end)
    if covering:
        return max(covering, key=lambda c: (c.start, c.end))
    upcoming = [c for c in contracts if c.start > today]
    if upcoming:
        return min(upcoming, key=lambda c: c.start)
    return max(contracts, key=lambda c: (c.start, c.end)) if contracts else None


def visible_customers(user: User) -> QuerySet[Customer]:
    if user.is_staff_member:
        return Customer.objects.all()
    return Customer.objects.filter(pk=user.customer_id)


def access_customer_by_id(user: User, customer_id: int) -> Customer:
    customer = visible_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404("customer")
    return customer


def visible_contracts(user: User) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("customer").prefetch_related("modules")
    return qs if user.is_staff_member else qs.filter(customer_id=user.customer_id)


def visible_customizations(user: User) -> QuerySet[Customization]:
    qs = Customization.objects.select_related("customer", "module")
    return qs if user.is_staff_member else qs.filter(customer_id=user.customer_id)


def installed_versions(customer: Customer) -> QuerySet[Installation]:
    return customer.installations.select_related("version", "version__product")
