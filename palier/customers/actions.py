"""Writes on customers, contracts and customizations (staff only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.customers.models import Contract, Customer, Customization, Module
from palier.lib.errors import Conflict, DomainError, InvalidFields, NotAllowed, field_errors
from palier.lib.tasks import enqueue_with_transaction


def check_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotAllowed(_("Only the vendor's staff can change customer records."))


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
    check_staff(acting_user)
    customer = Customer(**fields)
    _save_checked(customer, created=True)
    return customer


@transaction.atomic
def do_update_customer(customer: Customer, *, acting_user: User, **changes: Any) -> Customer:
    check_staff(acting_user)
    _apply(customer, changes)
    _save_checked(customer, created=False)
    return customer


@transaction.atomic
def do_create_contract(*, acting_user: User, modules: list[Module] = (), **fields: Any) -> Contract:
    check_staff(acting_user)
    contract = Contract(**fields)
    _check_dates(contract)
    _save_checked(contract, created=True)
    contract.modules.set(modules)
    return contract


@transaction.atomic
def do_update_contract(contract: Contract, *, acting_user: User, **changes: Any) -> Contract:
    check_staff(acting_user)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    old_tier = contract.tier
    _apply(contract, changes)
    _check_dates(contract)
    _save_checked(contract, created=False)
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
    check_staff(acting_user)
    customization = Customization(**fields)
    _check_authorization(customization)
    _save_checked(customization, created=True)
    return customization


@transaction.atomic
def do_update_customization(
    customization: Customization, *, acting_user: User, **changes: Any
) -> Customization:
    check_staff(acting_user)
    _apply(customization, changes)
    _check_authorization(customization)
    _save_checked(customization, created=False)
    return customization
