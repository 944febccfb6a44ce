"""Writes on the catalogue: products, modules, versions and which customer runs which.

Managers only (Permission.CATALOGUE_WRITE), each change audited. A module a manager adds
can be named in a request at once (portal, API, agents' forms list every module).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change, snapshot
from palier.customers.models import Customer, Installation, Module, Product, ProductVersion
from palier.lib.errors import Conflict, DomainError, InvalidFields
from palier.lib.versions import is_version_number

PRODUCT_FIELDS = ["code", "name"]
MODULE_FIELDS = ["product_id", "code", "name", "name_fr", "name_de", "name_it"]
VERSION_FIELDS = ["product_id", "number", "released_on", "end_of_support"]
INSTALLATION_FIELDS = ["customer_id", "version_id", "environment", "installed_on"]


def _save(obj: models.Model, *, created: bool) -> None:
    """Check the model's own rules, then save; a duplicate key is a 409."""
    try:
        obj.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        codes = {e.code for errors in exc.error_dict.values() for e in errors}
        if codes & {"unique", "unique_together", "unique_constraint"} or any(
            field == "__all__" for field in exc.error_dict
        ):
            raise Conflict(
                _("An object with this key already exists."), code="already_exists"
            ) from exc
        raise InvalidFields(_("Invalid values."), exc.error_dict) from exc
    try:
        with transaction.atomic():
            obj.save(force_insert=created)
    except IntegrityError as exc:  # a concurrent request took the key first
        raise Conflict(_("An object with this key already exists."), code="already_exists") from exc


def _write(
    action: str, obj: models.Model, fields: list[str], acting_user: User, changes: dict[str, Any]
):
    created = obj.pk is None
    before = None if created else snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    _check(obj)
    _save(obj, created=created)
    record_change(
        f"{action}.{'created' if created else 'updated'}",
        obj,
        acting_user=acting_user,
        before=before,
        after=snapshot(obj, fields),
    )
    return obj


def _check(obj: models.Model) -> None:
    if isinstance(obj, ProductVersion):
        obj.number = (obj.number or "").strip()
        if not is_version_number(obj.number):
            raise InvalidFields(
                _("Invalid values."),
                {
                    "number": [
                        ValidationError(
                            _(
                                "Up to 40 letters, digits, dots and dashes, starting with a "
                                "letter or digit, e.g. 11.3.2."
                            ),
                            code="invalid_version_number",
                        )
                    ]
                },
            )
        _check_dates(obj.released_on, obj.end_of_support)


def _check_dates(released_on: dt.date | None, end_of_support: dt.date | None) -> None:
    if released_on and end_of_support and end_of_support < released_on:
        raise DomainError(
            _("Support cannot end before the version is released."), code="invalid_dates"
        )


@transaction.atomic
def do_save_product(product: Product | None, *, acting_user: User, **changes: Any) -> Product:
    check_allowed(acting_user, Permission.CATALOGUE_WRITE)
    if product is not None:
        product = Product.objects.select_for_update().get(pk=product.pk)
    return _write("product", product or Product(), PRODUCT_FIELDS, acting_user, changes)


@transaction.atomic
def do_save_module(module: Module | None, *, acting_user: User, **changes: Any) -> Module:
    """Add a module (then requests can name it) or rename one in any language. The English
    `name` is what decisions and explanations quote."""
    check_allowed(acting_user, Permission.CATALOGUE_WRITE)
    if module is not None:
        module = Module.objects.select_for_update().get(pk=module.pk)
        if "product" in changes and changes["product"].pk != module.product_id:
            raise DomainError(_("A module stays in its product."), code="module_product_change")
    return _write("module", module or Module(), MODULE_FIELDS, acting_user, changes)


@transaction.atomic
def do_save_version(
    version: ProductVersion | None, *, acting_user: User, **changes: Any
) -> ProductVersion:
    check_allowed(acting_user, Permission.CATALOGUE_WRITE)
    if version is not None:
        version = ProductVersion.objects.select_for_update().get(pk=version.pk)
        if "product" in changes and changes["product"].pk != version.product_id:
            raise DomainError(_("A version stays in its product."), code="version_product_change")
    return _write("version", version or ProductVersion(), VERSION_FIELDS, acting_user, changes)


@transaction.atomic
def do_save_installation(
    installation: Installation | None, *, acting_user: User, **changes: Any
) -> Installation:
    """Record that a customer runs a version (in an environment: production, test...)."""
    check_allowed(acting_user, Permission.CATALOGUE_WRITE)
    if installation is not None:
        installation = Installation.objects.select_for_update().get(pk=installation.pk)
    if "environment" in changes:
        changes["environment"] = (changes["environment"] or "").strip() or "production"
    return _write(
        "installation", installation or Installation(), INSTALLATION_FIELDS, acting_user, changes
    )


@transaction.atomic
def do_remove_installation(installation: Installation, *, acting_user: User) -> None:
    """The customer no longer runs this version (they upgraded, or dropped a test system)."""
    check_allowed(acting_user, Permission.CATALOGUE_WRITE)
    locked = Installation.objects.select_for_update().filter(pk=installation.pk).first()
    if locked is None:
        return
    record_change(
        "installation.removed",
        locked,
        acting_user=acting_user,
        before=snapshot(locked, INSTALLATION_FIELDS),
        after=None,
    )
    locked.delete()


def installation_for(customer: Customer, version: ProductVersion, environment: str):
    return Installation.objects.filter(
        customer=customer, version=version, environment=environment
    ).first()
