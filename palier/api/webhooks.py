"""Outgoing webhooks for ticket events (managers): where to post, the secret, the log."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from ninja import Router, Schema
from pydantic import Field, StringConstraints

from palier.accounts.permissions import Permission
from palier.api.doors import needs
from palier.api.schemas import ERRORS, Boolean, IdInUrl, In, PageLimit
from palier.webhooks import actions
from palier.webhooks.models import EVENT_KINDS, DeliveryState, Webhook, WebhookDelivery
from palier.webhooks.queries import (
    access_delivery_by_id,
    access_webhook_by_id,
    deliveries_of,
    visible_webhooks,
)

router = Router(tags=["webhooks"])

EventKind = StrEnum("EventKind", {k.upper(): k for k in EVENT_KINDS})
DeliveryStateCode = StrEnum("DeliveryStateCode", {s.upper(): s for s in DeliveryState.values})
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str] = Field(description="ticket event kinds; empty: every event")
    active: bool
    created_at: dt.datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        description="signs each delivery: Palier-Signature: t=<unix time>,v1=<hex "
        "HMAC-SHA256 of '<t>.<body>'>"
    )


class WebhookIn(In):
    url: Url
    description: Description = ""
    events: list[EventKind] = Field([], max_length=len(EVENT_KINDS))


class WebhookPatch(In):
    url: Url | None = None
    description: Description | None = None
    events: list[EventKind] | None = Field(None, max_length=len(EVENT_KINDS))
    active: Boolean | None = None


class AttemptOut(Schema):
    at: dt.datetime
    status: int | None
    error: str
    ms: int


class DeliveryOut(Schema):
    id: int
    event_id: int | None
    event_kind: str
    ticket_id: int | None
    state: DeliveryStateCode
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    history: list[AttemptOut]


def hook_out(hook: Webhook, *, secret: bool = False) -> dict:
    out = {
        "id": hook.pk,
        "url": hook.url,
        "description": hook.description,
        "events": hook.events,
        "active": hook.active,
        "created_at": hook.created_at,
    }
    if secret:
        out["secret"] = hook.secret
    return out


def delivery_out(d: WebhookDelivery) -> dict:
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_kind": d.event_kind,
        "ticket_id": d.ticket_id,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
        "history": d.history,
    }


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def list_webhooks(request):
    return [hook_out(h) for h in visible_webhooks(request.auth)[:200]]


@router.post(
    "/webhooks",
    response={201: WebhookWithSecret, **ERRORS},
    openapi_extra=needs(Permission.WEBHOOK_WRITE),
)
def create_webhook(request, payload: WebhookIn):
    """Post ticket events to an address; the answer carries the signing secret."""
    hook = actions.do_create_webhook(
        acting_user=request.auth,
        url=payload.url,
        description=payload.description,
        events=[e.value for e in payload.events],
    )
    return 201, hook_out(hook, secret=True)


@router.get("/webhooks/{webhook_id}", response={200: WebhookWithSecret, **ERRORS})
def get_webhook(request, webhook_id: IdInUrl):
    return hook_out(access_webhook_by_id(request.auth, webhook_id), secret=True)


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    openapi_extra=needs(Permission.WEBHOOK_WRITE),
)
def update_webhook(request, webhook_id: IdInUrl, payload: WebhookPatch):
    hook = access_webhook_by_id(request.auth, webhook_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("events") is not None:
        changes["events"] = [e.value if hasattr(e, "value") else e for e in changes["events"]]
    return hook_out(actions.do_update_webhook(hook, acting_user=request.auth, **changes))


@router.post(
    "/webhooks/{webhook_id}/secret",
    response={200: WebhookWithSecret, **ERRORS},
    openapi_extra=needs(Permission.WEBHOOK_WRITE),
)
def rotate_secret(request, webhook_id: IdInUrl):
    """A new signing secret; the old one stops at once."""
    hook = access_webhook_by_id(request.auth, webhook_id)
    return hook_out(actions.do_rotate_secret(hook, acting_user=request.auth), secret=True)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def list_deliveries(
    request,
    webhook_id: IdInUrl,
    before_id: IdInUrl | None = None,
    limit: PageLimit = 50,
):
    """The delivery log, newest first; page with `before_id` (the last id of a page)."""
    hook = access_webhook_by_id(request.auth, webhook_id)
    return [delivery_out(d) for d in deliveries_of(hook, before_id=before_id, limit=limit)]


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS},
    openapi_extra=needs(Permission.WEBHOOK_WRITE),
)
def retry_delivery(request, delivery_id: IdInUrl):
    """Send a failed delivery again now."""
    delivery = access_delivery_by_id(request.auth, delivery_id)
    actions.do_retry_delivery(delivery, acting_user=request.auth)
    delivery.refresh_from_db()
    return delivery_out(delivery)
