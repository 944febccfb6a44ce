"""Reads of R&D data. Defects and patches are the vendor's internal records: staff only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from palier.accounts.models import User
from palier.customers.models import Customer, Installation, Module, ProductVersion
from palier.engineering.models import (
    OPEN_DEFECT_STATUSES,
    Defect,
    DefectLink,
    DefectWord,
    Patch,
)
from palier.lib.pagination import Page, keyset_page
from palier.lib.text import content_words
from palier.lib.versions import version_key
from palier.tickets.states import OPEN_STATUSES

SIMILAR_LIMIT = 5


def visible_defects(user: User) -> QuerySet[Defect]:
    if not user.is_active or not user.is_staff_member:
        return Defect.objects.none()
    return Defect.objects.all()


def access_defect_by_id(user: User, defect_id: int) -> Defect:
    defect = (
        visible_defects(user)
        .select_related("product", "module", "fixed_in__version", "duplicate_of")
        .filter(pk=defect_id)
        .first()
    )
    if defect is None:
        raise Http404("defect")
    return defect


def access_patch_by_id(user: User, patch_id: int) -> Patch:
    if not user.is_active or not user.is_staff_member:
        raise Http404("patch")
    patch = Patch.objects.select_related("version__product").filter(pk=patch_id).first()
    if patch is None:
        raise Http404("patch")
    return patch


@dataclass
class DefectFilters:
    status: list[str]
    product_id: int | None = None
    module_id: int | None = None
    open_only: bool = False


def list_defects(
    user: User, filters: DefectFilters, *, cursor: str | None = None, limit: int = 50
) -> Page:
    """A page of defects, newest first, each with `ticket_count` (one query per page)."""
    qs = visible_defects(user)
    if filters.open_only:
        qs = qs.filter(status__in=OPEN_DEFECT_STATUSES)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.product_id:
        qs = qs.filter(product_id=filters.product_id)
    if filters.module_id:
        qs = qs.filter(module_id=filters.module_id)
    qs = qs.select_related("product", "module", "fixed_in__version").annotate(
        ticket_count=Count("links")
    )
    return keyset_page(qs, sort="-created", cursor=cursor, limit=limit)


def defect_links(defect: Defect) -> QuerySet[DefectLink]:
    return defect.links.select_related(
        "ticket", "ticket__customer", "ticket__product_version", "notified_patch__version"
    ).order_by("id")


def similar_open_defects(
    module: Module | None, version: ProductVersion | None, text: str, *, limit: int = SIMILAR_LIMIT
) -> list[Defect]:
    """Open defects of the same module (and version) ranked by shared words with `text`.

    Two indexed queries whatever the size: the words of `text` are capped (lib.text.words),
    matching uses the (word, defect) index, and the result is capped at `limit`.
    """
    candidates = Defect.objects.filter(status__in=OPEN_DEFECT_STATUSES)
    if module is not None:
        candidates = candidates.filter(module=module)
    if version is not None:
        candidates = candidates.filter(affected_versions=version)
    terms = content_words(text)
    if not terms:
        return []
    ranked = (
        DefectWord.objects.filter(word__in=terms, defect__in=candidates.values("pk"))
        .values("defect_id")
        .annotate(hits=Count("id"))
        .order_by("-hits", "-defect_id")[:limit]
    )
    scores = {row["defect_id"]: row["hits"] for row in ranked}
    defects = Defect.objects.select_related("module", "product").filter(pk__in=scores)
    return sorted(defects, key=lambda d: (-scores[d.pk], -d.pk))


@dataclass
class OutdatedCustomer:
    customer: Customer
    versions: list[str]


def customers_on_older_versions(patch: Patch) -> list[OutdatedCustomer]:
    """Customers of the patch's product none of whose installations runs the patch or newer."""
    target = version_key(patch.version.number)
    rows = Installation.objects.filter(version__product_id=patch.version.product_id).select_related(
        "customer", "version"
    )
    newest: dict[int, tuple[Customer, list[str], bool]] = {}
    for inst in rows.order_by("customer__name", "id"):
        customer, versions, current = newest.get(inst.customer_id, (inst.customer, [], False))
        is_current = version_key(inst.version.number) >= target
        versions.append(inst.version.number)
        newest[inst.customer_id] = (customer, versions, current or is_current)
    return [
        OutdatedCustomer(customer=c, versions=sorted(set(v), key=version_key))
        for c, v, current in newest.values()
        if not current
    ]


def links_to_tell(patch: Patch) -> QuerySet[DefectLink]:
    """The open tickets a release of `patch` tells (each once: a link remembers the patch)."""
    return DefectLink.objects.filter(
        defect__fixed_in=patch, ticket__status__in=OPEN_STATUSES
    ).exclude(notified_patch=patch)


@dataclass(frozen=True)
class ReleaseAudience:
    tickets: int
    customers: int


def release_audience(patch: Patch) -> ReleaseAudience:
    """How many requests and customers a release would tell now (one query)."""
    counts = links_to_tell(patch).aggregate(
        tickets=Count("ticket_id", distinct=True),
        customers=Count("ticket__customer_id", distinct=True),
    )
    return ReleaseAudience(tickets=counts["tickets"], customers=counts["customers"])
