"""Writes on customers, contracts and customizations: managers and administrators only
(accounts/permissions.py), each recorded in the audit log with its before and after."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change, snapshot
from palier.customers.models import Contract, Customer, Customization, Module
from palier.lib.errors import Conflict, DomainError, InvalidFields, field_errors
from palier.lib.tasks import enqueue_with_transaction


def _save_checked(obj, *, created: bool) -> None:
    try:
        obj.full_clean(validate_unique=True)
    except ValidationError as exc:
        # By error code, not by text: the text is in the caller's language.
        codes = {e.code for errors in exc.error_dict.values() for e in errors}
        if codes & {"unique", "unique_together"}:
            raise Conflict(
                _("An object with this key already exists."),
                code="already_exists",
                details=field_errors(exc.error_dict),
            ) from exc
        raise InvalidFields(_("Invalid values."), exc.error_dict) from exc
    try:
        with transaction.atomic():
            obj.save(force_insert=created)
    except IntegrityError as exc:
        raise Conflict(
            _("This conflicts with an existing object."), code="integrity_error"
        ) from exc


def _apply(obj, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is not None:
            setattr(obj, name, value)


@transaction.atomic
def do_create_customer(*, acting_user: User, **fields: Any) -> Customer:
    check_allowed(acting_user, Permission.CUSTOMER_WRITE)
    customer = Customer(**fields)
    _save_checked(customer, created=True)
    record_change("customer.create", customer, acting_user=acting_user, after=snapshot(customer))
    return customer


@transaction.atomic
def do_update_customer(customer: Customer, *, acting_user: User, **changes: Any) -> Customer:
    check_allowed(acting_user, Permission.CUSTOMER_WRITE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer)
    _apply(customer, changes)
    _save_checked(customer, created=False)
    record_change(
        "customer.update",
        customer,
        acting_user=acting_user,
        before=before,
        after=snapshot(customer),
    )
    return customer


@transaction.atomic
def do_create_contract(*, acting_user: User, modules: list[Module] = (), **fields: Any) -> Contract:
    check_allowed(acting_user, Permission.CONTRACT_WRITE)
    contract = Contract(**fields)
    _check_dates(contract)
    _save_checked(contract, created=True)
    contract.modules.set(modules)
    record_change(
        "contract.create", contract, acting_user=acting_user, after=_contract_snapshot(contract)
    )
    return contract


def _contract_snapshot(contract: Contract) -> dict:
    return snapshot(contract) | {
        "module_ids": sorted(m.pk for m in contract.modules.all()),
    }


@transaction.atomic
def do_update_contract(contract: Contract, *, acting_user: User, **changes: Any) -> Contract:
    check_allowed(acting_user, Permission.CONTRACT_WRITE)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = snapshot(contract)
    old_tier = contract.tier
    _apply(contract, changes)
    _check_dates(contract)
    _save_checked(contract, created=False)
    record_change(
        "contract.update",
        contract,
        acting_user=acting_user,
        before=before,
        after=snapshot(contract),
    )
    if contract.tier != old_tier:
        # Targets come from the tier: the worker recomputes the customer's open clocks.
        from palier.sla.tasks import recompute_customer_clocks

        enqueue_with_transaction(recompute_customer_clocks, contract.customer_id)
    return contract


def _check_dates(contract: Contract) -> None:
    if contract.start and contract.end and contract.end < contract.start:
        raise DomainError(_("A contract cannot end before it starts."), code="invalid_dates")


def _check_authorization(c: Customization) -> None:
    if c.built_by == "customer_authorized" and not c.authorization_reference:
        raise DomainError(
            _("A customization built with authorization needs the authorization's reference."),
            code="authorization_reference_required",
        )


@transaction.atomic
def do_create_customization(*, acting_user: User, **fields: Any) -> Customization:
    check_allowed(acting_user, Permission.CUSTOMIZATION_WRITE)
    customization = Customization(**fields)
    _check_authorization(customization)
    _save_checked(customization, created=True)
    record_change(
        "customization.create",
        customization,
        acting_user=acting_user,
        after=snapshot(customization),
    )
    return customization


@transaction.atomic
def do_update_customization(
    customization: Customization, *, acting_user: User, **changes: Any
) -> Customization:
    check_allowed(acting_user, Permission.CUSTOMIZATION_WRITE)
    customization = Customization.objects.select_for_update().get(pk=customization.pk)
    before = snapshot(customization)
    _apply(customization, changes)
    _check_authorization(customization)
    _save_checked(customization, created=False)
    record_change(
        "customization.update",
        customization,
        acting_user=acting_user,
        before=before,
        after=snapshot(customization),
    )
    return customization
