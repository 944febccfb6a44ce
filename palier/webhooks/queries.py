"""Reads on webhooks: managers only (a webhook's secret and log are theirs)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.webhooks.models import Webhook, WebhookDelivery


def visible_webhooks(user: User) -> QuerySet[Webhook]:
    check_allowed(user, Permission.WEBHOOK_WRITE)
    return Webhook.objects.order_by("id")


def access_webhook_by_id(user: User, webhook_id: int) -> Webhook:
    hook = visible_webhooks(user).filter(pk=webhook_id).first()
    if hook is None:
        raise Http404("webhook")
    return hook


def deliveries_of(hook: Webhook, *, before_id: int | None = None, limit: int = 50):
    qs = WebhookDelivery.objects.filter(webhook=hook).order_by("-id")
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs[:limit])


def access_delivery_by_id(user: User, delivery_id: int) -> WebhookDelivery:
    check_allowed(user, Permission.WEBHOOK_WRITE)
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("delivery")
    return delivery
