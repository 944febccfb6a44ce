"""Writes on webhooks (managers only, audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change, snapshot
from palier.lib.errors import DomainError
from palier.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from palier.webhooks.ssrf import check_url_shape

FIELDS = ["url", "description", "events", "active", "secret_generation"]


def _check(hook: Webhook) -> None:
    check_url_shape(hook.url)
    unknown = [e for e in hook.events if not isinstance(e, str) or not e.isidentifier()]
    if unknown:
        raise DomainError(_("Unknown event kinds."), code="unknown_events", details=unknown)
    hook.events = sorted(set(hook.events))


@transaction.atomic
def do_create_webhook(*, acting_user: User, url: str, description: str = "",
                      events: list[str] | None = None) -> Webhook:  # fmt: skip
    check_allowed(acting_user, Permission.WEBHOOK_WRITE)
    hook = Webhook(url=url.strip(), description=description.strip(), events=events or [],
                   created_by=acting_user)  # fmt: skip
    _check(hook)
    hook.save()
    record_change("webhook.created", hook, acting_user=acting_user, after=snapshot(hook, FIELDS))
    return hook


@transaction.atomic
def do_update_webhook(hook: Webhook, *, acting_user: User, **changes: Any) -> Webhook:
    check_allowed(acting_user, Permission.WEBHOOK_WRITE)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    before = snapshot(hook, FIELDS)
    for name in ("url", "description", "events", "active"):
        if name in changes and changes[name] is not None:
            setattr(
                hook,
                name,
                changes[name].strip() if isinstance(changes[name], str) else changes[name],
            )
    _check(hook)
    hook.save()
    record_change("webhook.updated", hook, acting_user=acting_user, before=before,
                  after=snapshot(hook, FIELDS))  # fmt: skip
    return hook


@transaction.atomic
def do_rotate_secret(hook: Webhook, *, acting_user: User) -> Webhook:
    """A new signing secret: the old one stops signing at once."""
    check_allowed(acting_user, Permission.WEBHOOK_WRITE)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    hook.secret_generation += 1
    hook.save(update_fields=["secret_generation"])
    record_change("webhook.secret_rotated", hook, acting_user=acting_user,
                  after={"secret_generation": hook.secret_generation})  # fmt: skip
    return hook


@transaction.atomic
def do_retry_delivery(delivery: WebhookDelivery, *, acting_user: User) -> WebhookDelivery:
    """Send a failed delivery again now (its count of attempts starts afresh)."""
    check_allowed(acting_user, Permission.WEBHOOK_WRITE)
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state not in (DeliveryState.FAILED, DeliveryState.RETRYING):
        raise DomainError(_("Only a failed delivery is sent again."), code="not_failed")
    delivery.state, delivery.attempts = DeliveryState.PENDING, 0
    delivery.save(update_fields=["state", "attempts"])
    from palier.lib.tasks import enqueue_with_transaction
    from palier.webhooks.tasks import deliver_webhook

    enqueue_with_transaction(deliver_webhook, delivery.pk)
    return delivery
