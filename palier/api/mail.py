"""Mail quarantine for staff: list what could not be processed, read it, reprocess it."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from palier.accounts.permissions import Permission
from palier.api.doors import needs
from palier.api.schemas import ERRORS
from palier.lib.pagination import keyset_page
from palier.mailgateway.actions import do_reprocess
from palier.mailgateway.models import RawMessage
from palier.mailgateway.queries import access_raw_message_by_id, quarantined_messages

router = Router(tags=["mail"])


class RawMessageOut(Schema):
    id: int
    state: str
    outcome: str
    error_code: str
    error: str
    sender: str
    subject: str
    source: str
    message_id: str
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


def _detail(raw: RawMessage) -> dict:
    from palier.mailgateway.parsing import header_list

    return {
        **{f: getattr(raw, f) for f in RawMessageOut.model_fields},
        "full_text": raw.full_text,
        "headers": header_list(bytes(raw.raw)),
    }


@router.get("/mail/quarantine", response={200: RawMessagePageOut, **ERRORS})
def list_quarantine(request, cursor: str | None = None, limit: int = 50, error_code: str = ""):
    """Messages that could not be processed, newest first (staff only)."""
    qs = quarantined_messages(request.auth, error_code=error_code)
    page = keyset_page(qs, sort="-created", cursor=cursor, limit=max(1, min(limit, 200)))
    return {"items": page.items, "next_cursor": page.next_cursor}


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
