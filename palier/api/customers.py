"""Customers, contracts, customizations and products: staff write, contacts read their own."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from palier.accounts.permissions import Permission
from palier.api import presenters as p
from palier.api.doors import needs
from palier.api.query_text import check_query_text
from palier.api.schemas import (
    ERRORS,
    ContractIn,
    ContractOut,
    ContractPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    CustomizationIn,
    CustomizationOut,
    CustomizationPatch,
    IdFilter,
    LongPageLimit,
    Offset,
)
from palier.customers import actions
from palier.customers.models import Module
from palier.customers.queries import (
    access_customer_by_id,
    visible_contracts,
    visible_customers,
    visible_customizations,
)

router = Router(tags=["customers"])


def _get(qs, pk: int, what: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(what)
    return obj


@router.get("/customers", response={200: list[CustomerOut], **ERRORS})
def list_customers(
    request,
    q: str = "",
    limit: LongPageLimit = 100,
    offset: Offset = 0,
):
    """Customers by name; `q` (at most 100 characters, given once) is a part of the name."""
    q = check_query_text(request, q, limit=100)
    qs = visible_customers(request.auth)
    if q:
        qs = qs.filter(name__icontains=q)
    return [p.customer_out(c) for c in qs.order_by("name", "id")[offset : offset + limit]]


@router.post(
    "/customers",
    response={201: CustomerOut, **ERRORS},
    openapi_extra=needs(Permission.CUSTOMER_WRITE),
)
def create_customer(request, payload: CustomerIn):
    data = _customer_fields(payload)
    return 201, p.customer_out(actions.do_create_customer(acting_user=request.auth, **data))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request, customer_id: int):
    return p.customer_out(access_customer_by_id(request.auth, customer_id))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    openapi_extra=needs(Permission.CUSTOMER_WRITE),
)
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = access_customer_by_id(request.auth, customer_id)
    changes = _customer_fields(payload)
    return p.customer_out(actions.do_update_customer(customer, acting_user=request.auth, **changes))


def _customer_fields(payload: CustomerIn | CustomerPatch) -> dict:
    """The model's fields from a customer payload: enums as their codes, the address flat."""
    data = payload.dict()
    address = data.pop("address", None) or {}
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()} | address


@router.get("/contracts", response={200: list[ContractOut], **ERRORS})
def list_contracts(request, customer_id: IdFilter | None = None):
    qs = visible_contracts(request.auth)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return [p.contract_out(c) for c in qs.order_by("-start", "id")[:500]]


@router.post(
    "/contracts",
    response={201: ContractOut, **ERRORS},
    openapi_extra=needs(Permission.CONTRACT_WRITE),
)
def create_contract(request, payload: ContractIn):
    data = payload.dict()
    customer = access_customer_by_id(request.auth, data.pop("customer_id"))
    module_ids = data.pop("module_ids")
    modules = list(Module.objects.filter(pk__in=module_ids))
    if len(modules) != len(set(module_ids)):
        raise Http404("module")
    data["state"] = data["state"].value
    contract = actions.do_create_contract(
        acting_user=request.auth, customer=customer, modules=modules, **data
    )
    return 201, p.contract_out(contract)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS})
def get_contract(request, contract_id: int):
    return p.contract_out(_get(visible_contracts(request.auth), contract_id, "contract"))


@router.patch(
    "/contracts/{contract_id}",
    response={200: ContractOut, **ERRORS},
    openapi_extra=needs(Permission.CONTRACT_WRITE),
)
def update_contract(request, contract_id: int, payload: ContractPatch):
    contract = _get(visible_contracts(request.auth), contract_id, "contract")
    changes = {k: (v.value if hasattr(v, "value") else v) for k, v in payload.dict().items()}
    contract = actions.do_update_contract(contract, acting_user=request.auth, **changes)
    return p.contract_out(contract)


@router.get("/customizations", response={200: list[CustomizationOut], **ERRORS})
def list_customizations(
    request, customer_id: IdFilter | None = None, module_id: IdFilter | None = None
):
    qs = visible_customizations(request.auth)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if module_id:
        qs = qs.filter(module_id=module_id)
    return [p.customization_out(c) for c in qs.order_by("id")[:1000]]


@router.post(
    "/customizations",
    response={201: CustomizationOut, **ERRORS},
    openapi_extra=needs(Permission.CUSTOMIZATION_WRITE),
)
def create_customization(request, payload: CustomizationIn):
    data = payload.dict()
    customer = access_customer_by_id(request.auth, data.pop("customer_id"))
    module = _get(Module.objects.all(), data.pop("module_id"), "module")
    data["built_by"] = data["built_by"].value
    c = actions.do_create_customization(
        acting_user=request.auth, customer=customer, module=module, **data
    )
    return 201, p.customization_out(c)


@router.get("/customizations/{customization_id}", response={200: CustomizationOut, **ERRORS})
def get_customization(request, customization_id: int):
    return p.customization_out(
        _get(visible_customizations(request.auth), customization_id, "customization")
    )


@router.patch(
    "/customizations/{customization_id}",
    response={200: CustomizationOut, **ERRORS},
    openapi_extra=needs(Permission.CUSTOMIZATION_WRITE),
)
def update_customization(request, customization_id: int, payload: CustomizationPatch):
    c = _get(visible_customizations(request.auth), customization_id, "customization")
    changes = {k: (v.value if hasattr(v, "value") else v) for k, v in payload.dict().items()}
    c = actions.do_update_customization(c, acting_user=request.auth, **changes)
    return p.customization_out(c)
