"""Writes of R&D: defects, escalations that link tickets to them, patches and their release."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.customers.models import Module, Product, ProductVersion
from palier.engineering.models import (
    OPEN_DEFECT_STATUSES,
    Defect,
    DefectLink,
    DefectStatus,
    DefectWord,
    DeploymentRequest,
    Patch,
    Severity,
)
from palier.engineering.queries import links_to_tell
from palier.engineering.release_notes import release_notes
from palier.lib.errors import Conflict, DomainError
from palier.lib.text import content_words
from palier.lib.visible import NOTHING_VISIBLE, visible_line
from palier.policy import Finding
from palier.tickets.actions import (
    check_decides_for_request,
    do_diagnose,
    do_open_ticket,
    do_transition,
    record_event,
)
from palier.tickets.models import Channel, Ticket
from palier.tickets.states import Status

# Statuses a linked ticket leaves for `patch_available` when the patch comes out.
PATCHABLE = frozenset(
    {Status.WITH_RND, Status.WAITING_PATCH, Status.IN_PROGRESS, Status.WAITING_CUSTOMER}
)
MAX_WORDS = 60


def check_rnd(user: User) -> None:
    check_allowed(user, Permission.DEFECT_WRITE)


def index_words(defect: Defect) -> None:
    """Replace a defect's words; at most MAX_WORDS distinct ones, so a long text stays cheap."""
    found = content_words(f"{defect.title} {defect.description}", limit=MAX_WORDS)
    DefectWord.objects.filter(defect=defect).delete()
    DefectWord.objects.bulk_create([DefectWord(defect=defect, word=w) for w in found])


@dataclass
class DefectDraft:
    title: str
    description: str = ""
    severity: str = Severity.MEDIUM
    product: Product | None = None
    module: Module | None = None
    affected_versions: list[ProductVersion] = field(default_factory=list)
    title_translations: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def do_create_defect(draft: DefectDraft, *, acting_user: User) -> Defect:
    check_allowed(acting_user, Permission.DEFECT_CREATE)
    title = _title(draft.title)
    if draft.severity not in Severity.values:
        raise DomainError(_("Unknown severity."), code="invalid_severity")
    product = draft.product or (draft.module.product if draft.module else None)
    if product is None:
        raise DomainError(
            _("Say which product or module the defect is in."), code="product_required"
        )
    if draft.module is not None and draft.module.product_id != product.pk:
        raise DomainError(_("The module is of another product."), code="module_mismatch")
    if any(v.product_id != product.pk for v in draft.affected_versions):
        raise DomainError(_("An affected version is of another product."), code="version_mismatch")
    defect = Defect.objects.create(
        product=product,
        module=draft.module,
        title=title,
        description=draft.description,
        severity=draft.severity,
        title_translations=_clean_translations(draft.title_translations),
        created_by=acting_user,
    )
    defect.affected_versions.set(draft.affected_versions)
    index_words(defect)
    return defect


def _title(text: str) -> str:
    """A defect's title as stored: it goes into the release notes every affected customer
    reads, so it shows something and leaves no bidi control open (lib/visible)."""
    if not text.strip():
        raise DomainError(_("Give the defect a title."), code="title_required")
    title = visible_line(text)
    if not title:
        raise DomainError(str(NOTHING_VISIBLE), code="title_invisible")
    return title


def _clean_translations(raw: dict[str, str]) -> dict[str, str]:
    """The titles' translations that show something (the others are left out, as empty
    ones are: the notes fall back to the title), cut to 200 characters."""
    cleaned = {
        lang: visible_line(text)[:200]
        for lang, text in raw.items()
        if lang in ("en", "fr", "de", "it")
    }
    return {lang: text for lang, text in cleaned.items() if text}


_KEEP = object()


@transaction.atomic
def do_update_defect(
    defect: Defect,
    *,
    acting_user: User,
    status: str | None = None,
    severity: str | None = None,
    title: str | None = None,
    description: str | None = None,
    title_translations: dict[str, str] | None = None,
    duplicate_of: Defect | None | object = _KEEP,
) -> Defect:
    """R&D works a defect: status, severity, texts. `fixed` comes with a released patch."""
    check_rnd(acting_user)
    defect = Defect.objects.select_for_update().get(pk=defect.pk)
    if status is not None:
        if status not in DefectStatus.values:
            raise DomainError(_("Unknown defect status."), code="invalid_defect_status")
        if status == DefectStatus.FIXED and not (defect.fixed_in and defect.fixed_in.released_at):
            raise DomainError(
                _("A defect is fixed when a released patch fixes it."), code="fixed_needs_patch"
            )
        if status == DefectStatus.DUPLICATE:
            target = defect.duplicate_of if duplicate_of is _KEEP else duplicate_of
            if target is None or target.pk == defect.pk:
                raise DomainError(
                    _("Say which defect this one duplicates."), code="duplicate_of_required"
                )
            if defect.pk in _duplicate_chain(target):
                raise DomainError(
                    _("That defect is already a duplicate of this one."), code="duplicate_loop"
                )
            defect.duplicate_of = target
        defect.status = status
    if severity is not None:
        if severity not in Severity.values:
            raise DomainError(_("Unknown severity."), code="invalid_severity")
        defect.severity = severity
    if title is not None:
        defect.title = _title(title)
    if description is not None:
        defect.description = description
    if title_translations is not None:
        defect.title_translations = _clean_translations(title_translations)
    defect.save()
    if title is not None or description is not None:
        index_words(defect)
    return defect


def _duplicate_chain(defect: Defect) -> set[int]:
    """The defects `defect` leads to by "duplicate of" (itself included), as stored."""
    seen: set[int] = set()
    pk = defect.pk
    while pk is not None and pk not in seen:
        seen.add(pk)
        row = Defect.objects.filter(pk=pk).values("status", "duplicate_of_id").first()
        pk = row["duplicate_of_id"] if row and row["status"] == DefectStatus.DUPLICATE else None
    return seen


def _linkable(defect: Defect) -> Defect:
    # A duplicate's tickets belong on the defect it duplicates.
    seen = 0
    while defect.status == DefectStatus.DUPLICATE and defect.duplicate_of_id and seen < 10:
        defect, seen = defect.duplicate_of, seen + 1
    if defect.status == DefectStatus.WONT_FIX:
        raise DomainError(
            _("This defect will not be fixed; link another or create one."), code="defect_closed"
        )
    return defect


@transaction.atomic
def do_escalate_to_rnd(
    ticket: Ticket,
    *,
    acting_user: User,
    defect: Defect | None = None,
    draft: DefectDraft | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> DefectLink:
    """Diagnosis D4: the malfunction is a product defect. Link the ticket to a known defect,
    or record a new one from `draft`; the diagnosis and the link commit together."""
    check_allowed(acting_user, Permission.TICKET_DIAGNOSE)
    if (defect is None) == (draft is None):
        raise DomainError(
            _("Link an existing defect or describe a new one (not both)."), code="defect_required"
        )
    ticket = do_diagnose(
        ticket,
        Finding.PRODUCT_DEFECT.value,
        acting_user=acting_user,
        note=note,
        expected_version=expected_version,
    )
    if draft is not None:
        draft.module = draft.module or ticket.module
        if not draft.affected_versions and ticket.product_version:
            draft.affected_versions = [ticket.product_version]
        if draft.product is None and draft.module is None and ticket.product_version:
            draft.product = ticket.product_version.product
        defect = do_create_defect(draft, acting_user=acting_user)
    else:
        # Read it afresh: the caller's copy may predate R&D's last change (e.g. duplicate).
        defect = Defect.objects.get(pk=defect.pk)
    return _link(ticket, _linkable(defect), acting_user=acting_user, note=note)


def _link(ticket: Ticket, defect: Defect, *, acting_user: User, note: str) -> DefectLink:
    previous = DefectLink.objects.select_for_update().filter(ticket=ticket).first()
    if previous is not None and previous.defect_id == defect.pk:
        return previous
    if previous is not None:
        previous.defect = defect
        previous.linked_by = acting_user
        previous.notified_patch = None
        previous.save(update_fields=["defect", "linked_by", "notified_patch"])
        link = previous
    else:
        link = DefectLink.objects.create(defect=defect, ticket=ticket, linked_by=acting_user)
    if (
        ticket.product_version_id
        and not defect.affected_versions.filter(pk=ticket.product_version_id).exists()
    ):
        defect.affected_versions.add(ticket.product_version_id)
    record_event(
        ticket,
        "defect_linked",
        acting_user,
        field="defect",
        internal=True,
        from_value=str(previous.defect_id) if previous else "",
        to_value=str(defect.pk),
        reason=note,
        data={"defect_id": defect.pk, "title": defect.title},
    )
    return link


# What a version number may hold (customers read it, and it is sorted by its parts).
VERSION_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,39}")


NOTE_LANGUAGES = ("fr", "de", "it")


@transaction.atomic
def do_create_patch(
    *,
    acting_user: User,
    product: Product,
    number: str,
    defects: list[Defect],
    notes: str = "",
    notes_translations: dict[str, str] | None = None,
) -> Patch:
    """Plan a patch: a new product version that will fix `defects`. `notes` are R&D's words
    for the release notes, `notes_translations` the same in French, German or Italian."""
    check_allowed(acting_user, Permission.PATCH_WRITE)
    number = number.strip()
    if not VERSION_NUMBER.fullmatch(number):
        raise DomainError(
            _(
                "Give the patch a version number of up to 40 letters, digits, dots and "
                "dashes, e.g. 11.3.2."
            ),
            code="invalid_version_number",
        )
    if ProductVersion.objects.filter(product=product, number=number).exists():
        raise Conflict(
            _("Version %(number)s already exists.") % {"number": number}, code="version_exists"
        )
    try:
        with transaction.atomic():
            version = ProductVersion.objects.create(product=product, number=number)
    except IntegrityError as exc:  # a concurrent request created it first
        raise Conflict(
            _("Version %(number)s already exists.") % {"number": number}, code="version_exists"
        ) from exc
    translations = {
        language: text.strip()
        for language, text in (notes_translations or {}).items()
        if language in NOTE_LANGUAGES and text.strip()
    }
    patch = Patch.objects.create(version=version, notes=notes, notes_translations=translations)
    do_add_fixes(patch, defects, acting_user=acting_user)
    return patch


@transaction.atomic
def do_add_fixes(patch: Patch, defects: list[Defect], *, acting_user: User) -> Patch:
    """R&D marks defects "fixed in patch X.Y.Z"; their tickets wait for the patch."""
    check_allowed(acting_user, Permission.PATCH_WRITE)
    patch = Patch.objects.select_for_update().select_related("version").get(pk=patch.pk)
    for defect in defects:
        if defect.product_id != patch.version.product_id:
            raise DomainError(
                _("%(defect)s is in another product than the patch.")
                % {"defect": defect.reference},
                code="defect_product_mismatch",
            )
        if not defect.is_open and defect.fixed_in_id != patch.pk:
            raise DomainError(
                _("%(defect)s is not open.") % {"defect": defect.reference},
                code="defect_not_open",
            )
    Defect.objects.filter(pk__in=[d.pk for d in defects]).update(
        fixed_in=patch, status=DefectStatus.FIXED if patch.released_at else DefectStatus.IN_PROGRESS
    )
    if patch.released_at is None:
        waiting = DefectLink.objects.filter(
            defect__in=defects, ticket__status=Status.WITH_RND
        ).select_related("ticket")
        for link in waiting:
            do_transition(
                link.ticket,
                Status.WAITING_PATCH,
                acting_user=None,
                reason=f"fixed in {patch.version.number}",
            )
    return patch


@dataclass
class ReleaseResult:
    patch: Patch
    notified_ticket_ids: list[int]
    already_released: bool


@transaction.atomic
def do_release_patch(
    patch: Patch, *, acting_user: User, now: dt.datetime | None = None
) -> ReleaseResult:
    """Release a patch: its defects are fixed, every open linked ticket moves to
    `patch_available` with a `patch_available` event for its contact. Safe to retry: a link
    remembers the patch it was told about, so nobody is told twice."""
    check_allowed(acting_user, Permission.PATCH_WRITE)
    now = now or timezone.now()
    patch = Patch.objects.select_for_update().select_related("version__product").get(pk=patch.pk)
    already = patch.released_at is not None
    if not already:
        patch.released_at, patch.released_by = now, acting_user
        patch.save(update_fields=["released_at", "released_by"])
        version = patch.version
        version.released_on = timezone.localdate(now)
        version.save(update_fields=["released_on"])
    patch.defects.filter(status__in=OPEN_DEFECT_STATUSES).update(status=DefectStatus.FIXED)
    links = (
        links_to_tell(patch)
        .select_for_update(of=("self",))
        .select_related("ticket", "defect")
        .order_by("id")
    )
    notes: dict[str, str] = {}
    notified = []
    for link in links:
        _notify_patch(link, patch, notes)
        notified.append(link.ticket_id)
    return ReleaseResult(patch=patch, notified_ticket_ids=notified, already_released=already)


def _notify_patch(link: DefectLink, patch: Patch, notes: dict[str, str]) -> None:
    ticket = link.ticket
    if ticket.status in PATCHABLE:
        ticket = do_transition(
            ticket,
            Status.PATCH_AVAILABLE,
            acting_user=None,
            reason=f"patch {patch.version.number} released",
        )
    language = ticket.language
    if language not in notes:
        notes[language] = release_notes(patch, language)
    record_event(
        ticket,
        "patch_available",
        None,
        field="patch",
        to_value=patch.version.number,
        data={
            "patch_id": patch.pk,
            "product": patch.version.product.name,
            "version": patch.version.number,
            "defect_id": link.defect_id,
            "language": language,
            "release_notes": notes[language],
        },
    )
    link.notified_patch = patch
    link.save(update_fields=["notified_patch"])


@transaction.atomic
def do_request_deployment(
    ticket: Ticket, *, acting_user: User, note: str = ""
) -> DeploymentRequest:
    """The customer asks, from the patch message, for the patch to be deployed: a new request
    linked to this one. Asking twice returns the first request."""
    check_allowed(acting_user, Permission.DEPLOYMENT_REQUEST)
    check_decides_for_request(ticket, acting_user)
    link = (
        DefectLink.objects.select_related("notified_patch__version").filter(ticket=ticket).first()
    )
    if link is None or link.notified_patch is None:
        raise DomainError(_("No patch has been released for this request."), code="no_patch")
    patch = link.notified_patch
    existing = DeploymentRequest.objects.filter(patch=patch, source_ticket=ticket).first()
    if existing is not None:
        return existing
    contact = acting_user if acting_user.is_contact else ticket.contact
    with translation.override(ticket.language):
        subject = _("Deploy patch %(version)s") % {"version": patch.version.number}
        description = _("Please deploy %(product)s %(version)s, which fixes %(reference)s.") % {
            "product": patch.version.product.name,
            "version": patch.version.number,
            "reference": ticket.reference,
        }
    new = do_open_ticket(
        acting_user=acting_user,
        customer=ticket.customer,
        contact=contact,
        request_type="usage",
        subject=subject[:200],
        description=f"{description}\n\n{note}".strip(),
        module=ticket.module,
        product_version=ticket.product_version,
        criticality=ticket.criticality,
        channel=Channel.PORTAL,
        language=ticket.language,
        visibility=ticket.visibility,
    )
    request = DeploymentRequest.objects.create(
        patch=patch, source_ticket=ticket, request_ticket=new, requested_by=acting_user
    )
    record_event(
        ticket,
        "deployment_requested",
        acting_user,
        field="ticket",
        to_value=new.reference,
        data={"patch_id": patch.pk, "request_ticket_id": new.pk},
    )
    return request
