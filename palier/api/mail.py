"""Mail for staff: the quarantine (read, reprocess, release), and the automatic replies and
delivery reports kept without a ticket."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from palier.accounts.permissions import Permission
from palier.api.doors import needs
from palier.api.schemas import ERRORS, PageLimit
from palier.lib.pagination import keyset_page
from palier.mailgateway.actions import do_release, do_reprocess
from palier.mailgateway.labels import row_labels
from palier.mailgateway.models import RawMessage
from palier.mailgateway.queries import (
    access_raw_message_by_id,
    quarantined_messages,
    unmatched_records,
)

router = Router(tags=["mail"])


class RawMessageOut(Schema):
    id: int
    state: str
    outcome: str
    error_code: str
    error: str
    reason: str  # the error code's label, in the reader's language
    outcome_label: str
    can_release: bool  # staff may have it processed as a customer's message
    sender: str
    subject: str
    source: str
    message_id: str
    reused_message_id: bool
    size: int
    attempts: int
    received_at: dt.datetime
    ticket_id: int | None


class RawMessageDetailOut(RawMessageOut):
    full_text: str
    headers: list[list[str]]


class RawMessagePageOut(Schema):
    items: list[RawMessageOut]
    next_cursor: str | None


def _row(raw: RawMessage) -> dict:
    plain = {
        f: getattr(raw, f)
        for f in RawMessageOut.model_fields
        if f not in ("reason", "outcome_label", "can_release")
    }
    return {**plain, **row_labels(raw)}


def _detail(raw: RawMessage) -> dict:
    from palier.mailgateway.parsing import header_list

    return {**_row(raw), "full_text": raw.full_text, "headers": header_list(bytes(raw.raw))}


def _page(qs, cursor: str | None, limit: int) -> dict:
    page = keyset_page(qs, sort="-created", cursor=cursor, limit=limit)
    return {"items": [_row(raw) for raw in page.items], "next_cursor": page.next_cursor}


@router.get("/mail/quarantine", response={200: RawMessagePageOut, **ERRORS})
def list_quarantine(
    request, cursor: str | None = None, limit: PageLimit = 50, error_code: str = ""
):
    """Messages waiting for a person, newest first, each with its reason (staff only)."""
    return _page(quarantined_messages(request.auth, error_code=error_code), cursor, limit)


@router.get("/mail/unmatched", response={200: RawMessagePageOut, **ERRORS})
def list_unmatched(request, cursor: str | None = None, limit: PageLimit = 50):
    """Automatic replies and delivery reports kept with no ticket to note them on."""
    return _page(unmatched_records(request.auth), cursor, limit)


@router.get("/mail/messages/{raw_id}", response={200: RawMessageDetailOut, **ERRORS})
def get_raw_message(request, raw_id: int):
    return _detail(access_raw_message_by_id(request.auth, raw_id))


@router.post(
    "/mail/messages/{raw_id}/reprocess",
    response={200: RawMessageDetailOut, **ERRORS},
    openapi_extra=needs(Permission.MAIL_REPROCESS),
)
def reprocess(request, raw_id: int):
    """Send a quarantined message through the pipeline again, e.g. after adding its sender
    as a contact."""
    raw = access_raw_message_by_id(request.auth, raw_id)
    return _detail(do_reprocess(raw, acting_user=request.auth))


@router.post(
    "/mail/messages/{raw_id}/release",
    response={200: RawMessageDetailOut, **ERRORS},
    openapi_extra=needs(Permission.MAIL_REPROCESS),
)
def release(request, raw_id: int):
    """A person wrote it: a suspected (quarantined) or recognised automatic reply becomes a
    customer's message: a new ticket, or a message on its ticket."""
    raw = access_raw_message_by_id(request.auth, raw_id)
    return _detail(do_release(raw, acting_user=request.auth))
