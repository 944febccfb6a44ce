"""Reads on the catalogue. Products, modules and versions are for everyone signed in (a
contact names them in a request); installations are staff's, or a contact's own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from palier.accounts.models import User
from palier.customers.models import Installation, Module, Product, ProductVersion
from palier.lib.versions import version_key


def sorted_versions(versions) -> list[ProductVersion]:
    """Versions of one product or more: by product, then as versions (11.10 after 11.9)."""
    return sorted(versions, key=lambda v: (v.product_id, version_key(v.number), v.pk))


def visible_installations(user: User) -> QuerySet[Installation]:
    qs = Installation.objects.select_related("customer", "version", "version__product")
    return qs if user.is_staff_member else qs.filter(customer_id=user.customer_id)


def _one(qs: QuerySet, pk: int, what: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(what)
    return obj


def access_product_by_id(pk: int) -> Product:
    return _one(Product.objects.all(), pk, "product")


def access_module_by_id(pk: int) -> Module:
    return _one(Module.objects.select_related("product"), pk, "module")


def access_version_by_id(pk: int) -> ProductVersion:
    return _one(ProductVersion.objects.select_related("product"), pk, "version")


def access_installation_by_id(user: User, pk: int) -> Installation:
    return _one(visible_installations(user), pk, "installation")
