"""Posting ticket events to webhooks: signed, retried with a growing delay, logged.

The outbox runs `on_ticket_event` for every committed event; it records one delivery per
webhook that wants the event and queues it. The worker sends it (`send`), signing the body:

    Palier-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>

A receiver recomputes the HMAC and refuses a timestamp older than a few minutes (replays).
A failed attempt is tried again after 30 s, 1, 2, 4... minutes (at most 6 hours apart), up
to MAX_ATTEMPTS; `retry_due` (every 30 s) sends those whose time has come.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from palier.lib.tasks import backoff as retry_backoff
from palier.lib.tasks import enqueue_with_transaction
from palier.tickets.models import ticket_reference
from palier.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from palier.webhooks.ssrf import AddressRefused, Destination, resolve

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LONGEST_DELAY = dt.timedelta(hours=6)
TIMEOUT = 10
USER_AGENT = "Palier-Webhooks/1"


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, 4 min..."""
    return retry_backoff(attempts, LONGEST_DELAY)


def payload_of(event) -> dict:
    ticket = event.ticket
    return {
        "event": f"ticket.{event.kind}",
        "event_id": event.pk,
        "occurred_at": event.at.isoformat(),
        "ticket": {
            "id": ticket.pk,
            "reference": ticket_reference(ticket.pk, ticket.created_at),
            "customer": {"id": ticket.customer_id, "name": ticket.customer.name},
            "subject": ticket.subject,
            "status": ticket.status,
            "type": ticket.type,
            "level": ticket.level,
            "billable": ticket.billable,
            "criticality": ticket.criticality,
        },
        "change": {
            "field": event.field,
            "from": event.from_value,
            "to": event.to_value,
            "internal": event.internal,
        },
        "actor": {"id": event.actor_id, "name": str(event.actor)} if event.actor_id else None,
    }


def on_ticket_event(event) -> None:
    """The outbox's handler: one delivery per webhook that wants this event."""
    _deliver(event, list(Webhook.objects.filter(active=True)))


def on_ticket_events(events) -> None:
    """The same for the worker's claim of events: the active webhooks read once."""
    active = list(Webhook.objects.filter(active=True))
    if active:
        for event in events:
            _deliver(event, active)


def _deliver(event, active: list[Webhook]) -> None:
    hooks = [h for h in active if h.wants(event.kind)]
    if not hooks:
        return
    body = payload_of(event)
    for hook in hooks:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=hook,
                    event_id=event.pk,
                    event_kind=event.kind,
                    ticket_id=event.ticket_id,
                    payload=body,
                )
        except IntegrityError:
            continue  # this event was handed to this webhook before
        from palier.webhooks.tasks import deliver_webhook

        enqueue_with_transaction(deliver_webhook, delivery.pk)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address checked beforehand, with the host's name for TLS (SNI and the
    certificate check)."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout,
                         context=ssl.create_default_context())  # fmt: skip
        self._address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(destination: Destination, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST to the checked address; no redirect is followed. Returns status and the start
    of the answer."""
    if destination.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPS(destination, TIMEOUT)
    else:
        connection = http.client.HTTPConnection(
            destination.address, destination.port, timeout=TIMEOUT
        )
    default_port = 443 if destination.scheme == "https" else 80
    host = (
        destination.host
        if destination.port == default_port
        else f"{destination.host}:{destination.port}"
    )
    try:
        connection.request("POST", destination.path, body=body, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, response.read(500).decode("utf-8", "replace")
    finally:
        connection.close()


def send(delivery_id: int) -> str:
    """One attempt at a delivery (the worker's task)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        delivery.state = DeliveryState.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["state", "attempts"])
    hook = delivery.webhook
    body = json.dumps(delivery.payload, sort_keys=True, ensure_ascii=False).encode()
    started = time.monotonic()
    status, error, permanent = None, "", False
    try:
        destination = resolve(hook.url)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Palier-Event": delivery.payload.get("event", ""),
            "Palier-Delivery": str(delivery.pk),
            "Palier-Signature": sign(hook.secret, int(time.time()), body),
        }
        status, answer = post(destination, body, headers)
        if not 200 <= status < 300:
            error = f"HTTP {status}: {answer[:200]}"
    except AddressRefused as exc:
        error, permanent = exc.message, True
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    _record(delivery, status, error, permanent, int((time.monotonic() - started) * 1000))
    return delivery.state


def _record(delivery: WebhookDelivery, status, error: str, permanent: bool, ms: int) -> None:
    now = timezone.now()
    delivery.history = [
        *delivery.history[-9:],
        {"at": now.isoformat(), "status": status, "error": error[:300], "ms": ms},
    ]
    delivery.last_status, delivery.last_error = status, error[:500]
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryState.DELIVERED, now, None,
        )  # fmt: skip
    elif permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    else:
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "history", "last_status", "last_error", "state", "delivered_at", "next_attempt_at",
        ]
    )  # fmt: skip


def retry_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Queue again the failed deliveries whose next attempt is due; returns how many."""
    from palier.webhooks.tasks import deliver_webhook

    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(state=DeliveryState.RETRYING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in due:
        with transaction.atomic():
            # Claimed by a conditional update: two schedulers never queue one delivery twice.
            if WebhookDelivery.objects.filter(pk=pk, state=DeliveryState.RETRYING).update(
                state=DeliveryState.PENDING
            ):
                enqueue_with_transaction(deliver_webhook, pk)
                queued += 1
    return queued
