"""Outgoing webhooks: where ticket events are posted, and the log of each delivery.

A webhook's signing secret is derived from the desk's secret key and the webhook (and a
generation number that rotation raises): nothing secret is stored in the database.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Ticket events a webhook can ask for (an empty list: every event). Other apps add kinds
# over time; a webhook with no list receives those too.
EVENT_KINDS = (
    "created", "refused", "accepted_anyway", "status", "decision", "diagnosis", "field",
    "assigned", "reply", "customer_reply", "note", "reopened", "followed", "unfollowed",
    "attachment", "consent_requested", "estimate_accepted", "estimate_declined",
    "time_logged", "invoiced", "defect_linked", "patch_available", "deployment_requested",
    "mail_bounced",
)  # fmt: skip


class Webhook(models.Model):
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        default=list, blank=True, help_text=_("The ticket events to send; empty: all of them.")
    )
    active = models.BooleanField(default=True)
    secret_generation = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def secret(self) -> str:
        """The signing secret: HMAC of the desk's secret key, this webhook and generation."""
        message = f"palier-webhook:{self.pk}:{self.secret_generation}".encode()
        return (
            "whsec_" + hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
        )

    def wants(self, kind: str) -> bool:
        return self.active and (not self.events or kind in self.events)


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will try again")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, given up")


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField(null=True, blank=True)
    event_kind = models.CharField(max_length=24)
    ticket_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    state = models.CharField(
        max_length=9, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    history = models.JSONField(default=list, blank=True)  # the attempts: at, status, error, ms
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["webhook", "-id"], name="delivery_webhook_id"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="retrying"),
                name="delivery_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="delivery_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.event_kind} ({self.state})"
