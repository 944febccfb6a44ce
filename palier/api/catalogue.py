"""The catalogue: products, modules (named in four languages), versions (sorted as
versions, with release dates and end of support) and installations. Everyone signed in reads
products, modules and versions; managers write; installations are staff's or a contact's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Router, Schema
from pydantic import Field, StringConstraints

from palier.accounts.permissions import Permission
from palier.api.doors import needs
from palier.api.schemas import (
    ERRORS,
    Day,
    Id,
    IdFilter,
    IdInUrl,
    In,
    ProductOut,
    Ref,
    page_limit,
)
from palier.catalogue import actions
from palier.catalogue.queries import (
    access_installation_by_id,
    access_module_by_id,
    access_product_by_id,
    access_version_by_id,
    sorted_versions,
    visible_installations,
)
from palier.customers.models import Installation, Module, Product, ProductVersion
from palier.customers.queries import access_customer_by_id
from palier.lib.versions import version_key

router = Router(tags=["catalogue"])

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_-]{1,40}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
InstallationLimit = page_limit(1000)
OtherName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Number = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,39}$")
]
Environment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class ProductIn(In):
    code: Code
    name: Name


class ProductPatch(In):
    name: Name | None = None


class ProductRow(Schema):
    id: int
    code: str
    name: str


class ModuleNames(Schema):
    en: str
    fr: str = Field(description="blank: the English name is shown")
    de: str
    it: str


class ModuleDetail(Schema):
    id: int
    product: Ref
    code: str
    name: str = Field(description="the English name, quoted by decisions")
    names: ModuleNames


class ModuleIn(In):
    product_id: Id
    code: Code
    name: Name
    name_fr: OtherName = ""
    name_de: OtherName = ""
    name_it: OtherName = ""


class ModulePatch(In):
    name: Name | None = None
    name_fr: OtherName | None = None
    name_de: OtherName | None = None
    name_it: OtherName | None = None


class VersionDetail(Schema):
    id: int
    product: Ref
    number: str
    released_on: dt.date | None
    end_of_support: dt.date | None


class VersionIn(In):
    product_id: Id
    number: Number
    released_on: Day | None = None
    end_of_support: Day | None = None


class VersionPatch(In):
    number: Number | None = None
    released_on: Day | None = None
    end_of_support: Day | None = None


class InstallationOut(Schema):
    id: int
    customer: Ref
    product: Ref
    version: VersionDetail
    environment: str
    installed_on: dt.date | None


class InstallationIn(In):
    customer_id: Id
    version_id: Id
    environment: Environment = "production"
    installed_on: Day | None = None


class InstallationPatch(In):
    version_id: Id | None = None
    environment: Environment | None = None
    installed_on: Day | None = None


def _ref(obj) -> dict:
    return {"id": obj.pk, "name": obj.name}


def product_row(p: Product) -> dict:
    return {"id": p.pk, "code": p.code, "name": p.name}


def module_out(m: Module) -> dict:
    return {
        "id": m.pk,
        "product": _ref(m.product),
        "code": m.code,
        "name": m.name,
        "names": {"en": m.name, "fr": m.name_fr, "de": m.name_de, "it": m.name_it},
    }


def version_out(v: ProductVersion) -> dict:
    return {
        "id": v.pk,
        "product": _ref(v.product),
        "number": v.number,
        "released_on": v.released_on,
        "end_of_support": v.end_of_support,
    }


def installation_out(i: Installation) -> dict:
    return {
        "id": i.pk,
        "customer": _ref(i.customer),
        "product": _ref(i.version.product),
        "version": version_out(i.version),
        "environment": i.environment,
        "installed_on": i.installed_on,
    }


def _set(payload: Schema) -> dict:
    return {k: v for k, v in payload.dict(exclude_unset=True).items()}


# Listing and creating share one address: both live in this router (two routers each
# claiming /products answered POST with 405).
@router.get("/products", response={200: list[ProductOut], **ERRORS})
def list_products(request):
    """Products with their modules and their versions, sorted as versions."""
    products = Product.objects.prefetch_related("modules", "versions").order_by("name")
    return [
        {
            "id": pr.pk,
            "code": pr.code,
            "name": pr.name,
            "modules": [{"id": m.pk, "code": m.code, "name": m.name} for m in pr.modules.all()],
            "versions": [
                {
                    "id": v.pk,
                    "number": v.number,
                    "released_on": v.released_on,
                    "end_of_support": v.end_of_support,
                }
                for v in sorted(pr.versions.all(), key=lambda v: version_key(v.number))
            ],
        }
        for pr in products
    ]


@router.post(
    "/products",
    response={201: ProductRow, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def create_product(request, payload: ProductIn):
    return 201, product_row(
        actions.do_save_product(None, acting_user=request.auth, **_set(payload))
    )


@router.patch(
    "/products/{product_id}",
    response={200: ProductRow, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def update_product(request, product_id: IdInUrl, payload: ProductPatch):
    product = access_product_by_id(product_id)
    changes = {k: v for k, v in _set(payload).items() if v is not None}
    return product_row(actions.do_save_product(product, acting_user=request.auth, **changes))


@router.get("/modules", response={200: list[ModuleDetail], **ERRORS})
def list_modules(request, product_id: IdFilter | None = None):
    qs = Module.objects.select_related("product").order_by("product__name", "name", "id")
    if product_id:
        qs = qs.filter(product_id=product_id)
    return [module_out(m) for m in qs[:2000]]


@router.post(
    "/modules",
    response={201: ModuleDetail, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def create_module(request, payload: ModuleIn):
    """Add a module: requests can name it at once."""
    data = _set(payload)
    data["product"] = access_product_by_id(data.pop("product_id"))
    return 201, module_out(actions.do_save_module(None, acting_user=request.auth, **data))


@router.get("/modules/{module_id}", response={200: ModuleDetail, **ERRORS})
def get_module(request, module_id: IdInUrl):
    return module_out(access_module_by_id(module_id))


@router.patch(
    "/modules/{module_id}",
    response={200: ModuleDetail, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def update_module(request, module_id: IdInUrl, payload: ModulePatch):
    module = access_module_by_id(module_id)
    changes = {k: v for k, v in _set(payload).items() if v is not None}
    return module_out(actions.do_save_module(module, acting_user=request.auth, **changes))


@router.get("/versions", response={200: list[VersionDetail], **ERRORS})
def list_versions(request, product_id: IdFilter | None = None):
    """Versions by product, sorted as versions: 11.4.0 after 11.2.0, 11.10 after 11.9."""
    qs = ProductVersion.objects.select_related("product")
    if product_id:
        qs = qs.filter(product_id=product_id)
    return [version_out(v) for v in sorted_versions(qs[:5000])]


@router.post(
    "/versions",
    response={201: VersionDetail, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def create_version(request, payload: VersionIn):
    data = _set(payload)
    data["product"] = access_product_by_id(data.pop("product_id"))
    return 201, version_out(actions.do_save_version(None, acting_user=request.auth, **data))


@router.get("/versions/{version_id}", response={200: VersionDetail, **ERRORS})
def get_version(request, version_id: IdInUrl):
    return version_out(access_version_by_id(version_id))


@router.patch(
    "/versions/{version_id}",
    response={200: VersionDetail, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def update_version(request, version_id: IdInUrl, payload: VersionPatch):
    """Change a version's number or dates; a date sent as null clears it."""
    version = access_version_by_id(version_id)
    changes = _set(payload)
    if changes.get("number") is None:
        changes.pop("number", None)
    return version_out(actions.do_save_version(version, acting_user=request.auth, **changes))


@router.get("/installations", response={200: list[InstallationOut], **ERRORS})
def list_installations(
    request,
    customer_id: IdFilter | None = None,
    version_id: IdFilter | None = None,
    limit: InstallationLimit = 500,
    after_id: IdInUrl | None = None,
):
    """Which customer runs which version; contacts see their own customer's."""
    qs = visible_installations(request.auth)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if version_id:
        qs = qs.filter(version_id=version_id)
    if after_id:
        qs = qs.filter(pk__gt=after_id)
    return [installation_out(i) for i in qs.order_by("id")[:limit]]


@router.post(
    "/installations",
    response={201: InstallationOut, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def create_installation(request, payload: InstallationIn):
    data = _set(payload)
    data["customer"] = access_customer_by_id(request.auth, data.pop("customer_id"))
    data["version"] = access_version_by_id(data.pop("version_id"))
    installation = actions.do_save_installation(None, acting_user=request.auth, **data)
    return 201, installation_out(access_installation_by_id(request.auth, installation.pk))


@router.get("/installations/{installation_id}", response={200: InstallationOut, **ERRORS})
def get_installation(request, installation_id: IdInUrl):
    return installation_out(access_installation_by_id(request.auth, installation_id))


@router.patch(
    "/installations/{installation_id}",
    response={200: InstallationOut, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def update_installation(request, installation_id: IdInUrl, payload: InstallationPatch):
    installation = access_installation_by_id(request.auth, installation_id)
    changes = _set(payload)
    if changes.get("version_id") is not None:
        changes["version"] = access_version_by_id(changes.pop("version_id"))
    changes.pop("version_id", None)
    if changes.get("environment") is None:
        changes.pop("environment", None)
    actions.do_save_installation(installation, acting_user=request.auth, **changes)
    return installation_out(access_installation_by_id(request.auth, installation_id))


@router.delete(
    "/installations/{installation_id}",
    response={204: None, **ERRORS},
    openapi_extra=needs(Permission.CATALOGUE_WRITE),
)
def remove_installation(request, installation_id: IdInUrl):
    installation = access_installation_by_id(request.auth, installation_id)
    actions.do_remove_installation(installation, acting_user=request.auth)
    return 204, None
