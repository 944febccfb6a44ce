"""Invitations: a set-password link sent by mail, expiring and single-use.

The link's secret is made by the worker when it sends the mail, and only its hash is kept:
no one reading the database (or an outbox of sent mail) can use a link.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    USED = "used", _("Used")
    VOID = "void", _("Replaced or withdrawn")
    FAILED = "failed", _("Could not be sent")


OPEN_STATES = (InvitationState.PENDING, InvitationState.SENT)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        max_length=8, choices=InvitationState.choices, default=InvitationState.PENDING
    )
    key_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="invitation_user_id")]

    def __str__(self) -> str:
        return f"{self.user} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
