"""R&D: defects, escalation of a ticket to R&D, patches, their release and deployment requests.

Defects and patches are internal records: staff read them, R&D and managers change them,
and a contact gets 404 (they see only their ticket's status and the patch message).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import translation
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.api.doors import needs
from palier.api.schemas import ERRORS, Id, IdFilter, In, PageLimit, Subject, Version
from palier.customers.models import Module, Product, ProductVersion
from palier.engineering import actions
from palier.engineering.models import Defect, DefectStatus, Patch, Severity
from palier.engineering.queries import (
    DefectFilters,
    access_defect_by_id,
    access_patch_by_id,
    customers_on_older_versions,
    defect_links,
    list_defects,
    similar_open_defects,
    visible_defects,
)
from palier.engineering.release_notes import release_notes
from palier.tickets.queries import access_ticket_by_id

router = Router(tags=["engineering"])

# A defect's title shows something (lib/visible), as a ticket's subject does.
Title = Subject
Text = Annotated[str, StringConstraints(max_length=20_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
SeverityCode = Annotated[str, StringConstraints(pattern="^(" + "|".join(Severity.values) + ")$")]
DefectStatusCode = Annotated[
    str, StringConstraints(pattern="^(" + "|".join(DefectStatus.values) + ")$")
]
Translations = dict[Annotated[str, StringConstraints(pattern="^(en|fr|de|it)$")], Title]


class DefectOut(Schema):
    id: int
    reference: str
    title: str
    title_translations: dict[str, str]
    product: str
    module: str | None
    severity: str
    status: str
    affected_versions: list[str]
    fixed_in: str | None
    duplicate_of: int | None
    ticket_count: int | None = None
    created_at: dt.datetime


class LinkedTicketOut(Schema):
    id: int
    reference: str
    customer: str
    status: str
    version: str | None
    notified_patch: str | None


class DefectDetailOut(DefectOut):
    description: str
    tickets: list[LinkedTicketOut]


class DefectPageOut(Schema):
    items: list[DefectOut]
    next_cursor: str | None


class DefectIn(In):
    title: Title
    description: Text = ""
    severity: SeverityCode = "medium"
    product_id: Id | None = None
    module_id: Id | None = None
    affected_version_ids: list[Id] = Field(default_factory=list, max_length=50)
    title_translations: Translations = Field(default_factory=dict)


class DefectPatchIn(In):
    status: DefectStatusCode | None = None
    severity: SeverityCode | None = None
    title: Title | None = None
    description: Text | None = None
    title_translations: Translations | None = None
    duplicate_of_id: Id | None = None


class EscalationIn(In):
    defect_id: Id | None = None
    new_defect: DefectIn | None = None
    note: Note = ""
    expected_version: Version | None = None


class PatchIn(In):
    product_id: Id
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    defect_ids: list[Id] = Field(default_factory=list, max_length=500)
    notes: Text = ""
    notes_translations: dict[Literal["fr", "de", "it"], Text] = Field(default_factory=dict)


class OutdatedOut(Schema):
    customer_id: int
    customer: str
    versions: list[str]


class PatchOut(Schema):
    id: int
    product: str
    version: str
    released_at: dt.datetime | None
    defects: list[DefectOut]
    customers_on_older_versions: list[OutdatedOut]


class ReleaseOut(PatchOut):
    notified_ticket_ids: list[int]
    already_released: bool


class NotesOut(Schema):
    language: str
    text: str


class DeploymentIn(In):
    note: Note = ""


class DeploymentOut(Schema):
    id: int
    patch: str
    ticket_id: int
    ticket_reference: str


def _staff(user: User) -> None:
    if not user.is_staff_member:
        raise Http404("defect")


def defect_out(defect: Defect) -> dict:
    return {
        "id": defect.pk,
        "reference": defect.reference,
        "title": defect.title,
        "title_translations": defect.title_translations,
        "product": defect.product.name,
        "module": defect.module.name if defect.module else None,
        "severity": defect.severity,
        "status": defect.status,
        "affected_versions": [v.number for v in defect.affected_versions.all()],
        "fixed_in": defect.fixed_in.version.number if defect.fixed_in else None,
        "duplicate_of": defect.duplicate_of_id,
        "ticket_count": getattr(defect, "ticket_count", None),
        "created_at": defect.created_at,
    }


def _detail(user: User, defect_id: int) -> dict:
    defect = access_defect_by_id(user, defect_id)
    tickets = [
        {
            "id": link.ticket_id,
            "reference": link.ticket.reference,
            "customer": link.ticket.customer.name,
            "status": link.ticket.status,
            "version": link.ticket.product_version.number if link.ticket.product_version else None,
            "notified_patch": link.notified_patch.version.number if link.notified_patch else None,
        }
        for link in defect_links(defect)[:1000]
    ]
    return {
        **defect_out(defect),
        "description": defect.description,
        "tickets": tickets,
        "ticket_count": len(tickets),
    }


def _get(qs, pk: int | None, what: str):
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(what)
    return obj


def _draft(payload: DefectIn) -> actions.DefectDraft:
    versions = list(ProductVersion.objects.filter(pk__in=payload.affected_version_ids))
    if len(versions) != len(set(payload.affected_version_ids)):
        raise Http404("version")
    return actions.DefectDraft(
        title=payload.title,
        description=payload.description,
        severity=payload.severity,
        product=_get(Product.objects.all(), payload.product_id, "product"),
        module=_get(Module.objects.all(), payload.module_id, "module"),
        affected_versions=versions,
        title_translations=dict(payload.title_translations),
    )


class DefectListParams(Schema):
    status: list[DefectStatusCode] = []
    open: bool = False
    product_id: IdFilter | None = None
    module_id: IdFilter | None = None
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/defects", response={200: DefectPageOut, **ERRORS})
def list_defect_page(request, params: Query[DefectListParams]):
    """Staff: the defect list, newest first, with the number of linked tickets."""
    _staff(request.auth)
    filters = DefectFilters(
        status=list(params.status),
        product_id=params.product_id,
        module_id=params.module_id,
        open_only=params.open,
    )
    page = list_defects(request.auth, filters, cursor=params.cursor, limit=params.limit)
    items = page.items
    prefetch_related_objects(items, "affected_versions")
    return {"items": [defect_out(d) for d in items], "next_cursor": page.next_cursor}


@router.get("/defects/similar", response={200: list[DefectOut], **ERRORS})
def similar(
    request, text: str, module_id: IdFilter | None = None, version_id: IdFilter | None = None
):
    """Staff: open defects like a new malfunction (same module and version, shared words)."""
    _staff(request.auth)
    found = similar_open_defects(
        _get(Module.objects.all(), module_id, "module"),
        _get(ProductVersion.objects.all(), version_id, "version"),
        text[:2000],
    )
    prefetch_related_objects(found, "affected_versions", "fixed_in__version")
    return [defect_out(d) for d in found]


@router.post(
    "/defects",
    response={201: DefectDetailOut, **ERRORS},
    openapi_extra=needs(Permission.DEFECT_CREATE),
)
def create_defect(request, payload: DefectIn):
    _staff(request.auth)
    defect = actions.do_create_defect(_draft(payload), acting_user=request.auth)
    return 201, _detail(request.auth, defect.pk)


@router.get("/defects/{defect_id}", response={200: DefectDetailOut, **ERRORS})
def get_defect(request, defect_id: int):
    """Staff: a defect with every linked ticket."""
    return _detail(request.auth, defect_id)


@router.patch(
    "/defects/{defect_id}",
    response={200: DefectDetailOut, **ERRORS},
    openapi_extra=needs(Permission.DEFECT_WRITE),
)
def change_defect(request, defect_id: int, payload: DefectPatchIn):
    """R&D: status, severity, texts; `duplicate` needs `duplicate_of_id`."""
    defect = access_defect_by_id(request.auth, defect_id)
    extra = {}
    if "duplicate_of_id" in payload.model_fields_set:
        extra["duplicate_of"] = _get(
            visible_defects(request.auth), payload.duplicate_of_id, "defect"
        )
    actions.do_update_defect(
        defect,
        acting_user=request.auth,
        status=payload.status,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        title_translations=dict(payload.title_translations)
        if payload.title_translations is not None
        else None,
        **extra,
    )
    return _detail(request.auth, defect_id)


@router.post(
    "/tickets/{ticket_id}/escalation",
    response={200: DefectDetailOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_DIAGNOSE),
)
def escalate(request, ticket_id: int, payload: EscalationIn):
    """Staff: diagnosis D4. Link the ticket to `defect_id`, or record `new_defect` (its module
    and version default to the ticket's)."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    check_allowed(request.auth, Permission.TICKET_DIAGNOSE)  # before the defect is looked up
    defect = _get(visible_defects(request.auth), payload.defect_id, "defect")
    draft = _draft(payload.new_defect) if payload.new_defect else None
    link = actions.do_escalate_to_rnd(
        ticket,
        acting_user=request.auth,
        defect=defect,
        draft=draft,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request.auth, link.defect_id)


def _patch_out(patch: Patch) -> dict:
    defects = list(
        patch.defects.select_related("product", "module").prefetch_related("affected_versions")
    )
    for defect in defects:
        defect.fixed_in = patch
    return {
        "id": patch.pk,
        "product": patch.version.product.name,
        "version": patch.version.number,
        "released_at": patch.released_at,
        "defects": [defect_out(d) for d in defects],
        "customers_on_older_versions": [
            {"customer_id": o.customer.pk, "customer": o.customer.name, "versions": o.versions}
            for o in customers_on_older_versions(patch)
        ],
    }


@router.post(
    "/patches", response={201: PatchOut, **ERRORS}, openapi_extra=needs(Permission.PATCH_WRITE)
)
def create_patch(request, payload: PatchIn):
    """R&D: plan a patch (a new product version) that fixes the given defects."""
    _staff(request.auth)
    product = _get(Product.objects.all(), payload.product_id, "product")
    defects = list(Defect.objects.filter(pk__in=payload.defect_ids))
    if len(defects) != len(set(payload.defect_ids)):
        raise Http404("defect")
    patch = actions.do_create_patch(
        acting_user=request.auth,
        product=product,
        number=payload.number,
        defects=defects,
        notes=payload.notes,
        notes_translations=dict(payload.notes_translations),
    )
    return 201, _patch_out(access_patch_by_id(request.auth, patch.pk))


@router.get("/patches/{patch_id}", response={200: PatchOut, **ERRORS})
def get_patch(request, patch_id: int):
    return _patch_out(access_patch_by_id(request.auth, patch_id))


@router.post(
    "/patches/{patch_id}/release",
    response={200: ReleaseOut, **ERRORS},
    openapi_extra=needs(Permission.PATCH_WRITE),
)
def release(request, patch_id: int):
    """R&D: release the patch. Linked tickets move to `patch_available` and each contact is
    told once; retrying tells nobody again. Lists customers still on an older version."""
    patch = access_patch_by_id(request.auth, patch_id)
    result = actions.do_release_patch(patch, acting_user=request.auth)
    return {
        **_patch_out(access_patch_by_id(request.auth, patch_id)),
        "notified_ticket_ids": result.notified_ticket_ids,
        "already_released": result.already_released,
    }


@router.get("/patches/{patch_id}/release-notes", response={200: NotesOut, **ERRORS})
def notes(request, patch_id: int, lang: str = ""):
    """The patch's release notes in `lang`, by default in the reader's language (their
    profile's or Accept-Language, else the desk's)."""
    patch = access_patch_by_id(request.auth, patch_id)
    offered = {code for code, _name in settings.LANGUAGES}
    reader = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    language = lang if lang in offered else reader
    return {"language": language, "text": release_notes(patch, language)}


@router.post(
    "/tickets/{ticket_id}/patch-deployment",
    response={201: DeploymentOut, **ERRORS},
    openapi_extra=needs(Permission.DEPLOYMENT_REQUEST),
)
def request_deployment(request, ticket_id: int, payload: DeploymentIn):
    """The customer asks for the released patch to be deployed: a new request, linked to this
    one. Asking again answers the same request."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    deployment = actions.do_request_deployment(ticket, acting_user=request.auth, note=payload.note)
    new = deployment.request_ticket
    return 201, {
        "id": deployment.pk,
        "patch": deployment.patch.version.number,
        "ticket_id": new.pk,
        "ticket_reference": new.reference,
    }
