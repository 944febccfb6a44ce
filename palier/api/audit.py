"""The audit log for managers and administrators: who changed which record, when, from
where, before and after, newest first; filtered by object and by person."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from palier.accounts.permissions import Permission
from palier.api.doors import needs
from palier.api.schemas import ERRORS, IdFilter, PageLimit
from palier.audit import queries
from palier.audit.models import AuditEntry, Channel
from palier.lib.errors import DomainError

router = Router(tags=["audit"])


class AuditObjectOut(Schema):
    type: str = Field(description="The record's kind, e.g. customers.contract")
    type_label: str
    id: str
    repr: str


class AuditChangeOut(Schema):
    field: str
    label: str
    before: Any = Field(None, description="The value before (absent for a new record)")
    after: Any = Field(None, description="The value after (absent for a deleted record)")
    before_text: str
    after_text: str


class AuditActorOut(Schema):
    id: int | None
    name: str


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: AuditActorOut
    channel: Channel
    channel_label: str
    address: str | None
    action: str = Field(description="What happened, e.g. contract.update")
    action_label: str
    object: AuditObjectOut
    changes: list[AuditChangeOut]


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None


def entry_out(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": {"id": entry.actor_id, "name": entry.actor_name},
        "channel": entry.channel,
        "channel_label": queries.channel_label(entry),
        "address": entry.address,
        "action": entry.action,
        "action_label": queries.action_label(entry),
        "object": {
            "type": entry.object_type,
            "type_label": queries.type_label(entry.object_type),
            "id": entry.object_id,
            "repr": entry.object_repr,
        },
        "changes": [vars(c) for c in queries.changes(entry)],
    }


ObjectType = Annotated[str, Field(max_length=64, pattern=r"^[a-z_]+\.[a-z_]+$")]
ObjectId = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get(
    "/audit",
    response={200: AuditPageOut, **ERRORS},
    openapi_extra=needs(Permission.AUDIT_READ),
)
def audit_log(
    request,
    object_type: ObjectType | None = None,
    object_id: ObjectId | None = None,
    actor_id: IdFilter | None = None,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: PageLimit = 50,
):
    """Managers: changes to customers, contracts, customizations, rates, users, roles,
    tokens, service tiers and calendars, newest first. `object_type` (and `object_id`)
    narrow it to one record, `actor_id` to one person's changes."""
    if object_id is not None and not object_type:
        # An object id alone names no record (ids repeat across types): refused, not ignored.
        raise DomainError(
            _("object_id narrows an object_type: give both."), code="object_type_required"
        )
    page = queries.list_entries(
        request.auth,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [entry_out(e) for e in page.items], "next_cursor": page.next_cursor}
