"""Mail as it came in and went out: the raw inbound message, kept before anything is parsed,
and every outbound message with each attempt to send it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RawState(models.TextChoices):
    STORED = "stored", _("Stored, not yet processed")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")


class Outcome(models.TextChoices):
    NEW_TICKET = "new_ticket", _("New ticket")
    REPLY = "reply", _("Added to a ticket")
    REFUSED = "refused", _("Kept on a refused request")
    BOUNCE = "bounce", _("Bounce noted on a ticket")
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender, kept")
    DROPPED_OWN = "dropped_own", _("Our own mail, dropped")
    AUTO_REPLY = "auto_reply", _("Automatic reply, kept")


class RawMessage(models.Model):
    """One inbound message, stored durably before parsing. `dedup_key` is the Message-ID, or the
    sha256 of the bytes when there is none: delivering it again creates nothing new."""

    dedup_key = models.CharField(max_length=255, unique=True)
    message_id = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=40, help_text=_("imap:<mailbox>, lmtp, smtp or stdin"))
    received_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=12, choices=RawState.choices, default=RawState.STORED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    error = models.TextField(blank=True, help_text=_("Why it is quarantined."))
    error_code = models.CharField(max_length=40, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    full_text = models.TextField(
        blank=True, help_text=_("The whole text, quoted history included.")
    )
    auto_submitted = models.BooleanField(default=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "-id"], name="rawmessage_state_id"),
            models.Index(fields=["ticket", "id"], name="rawmessage_ticket_id"),
            models.Index(fields=["message_id"], name="rawmessage_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.sender} {self.subject[:40]}"


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class OutboundMessage(models.Model):
    """A mail we send. Its Message-ID is how a reply finds its ticket again."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32)
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    recipient = models.CharField(max_length=320)
    subject = models.CharField(max_length=300)
    raw = models.BinaryField()
    state = models.CharField(
        max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="outbound_ticket_id"),
            models.Index(
                fields=["recipient", "kind", "created_at"], name="outbound_recipient_kind"
            ),
            models.Index(fields=["state", "id"], name="outbound_state_id"),
        ]
        constraints = [
            # One mail per event and recipient, however often the worker retries the handler.
            models.UniqueConstraint(
                fields=["event", "recipient"], name="outbound_unique_event_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class DeliveryAttempt(models.Model):
    outbound = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.outbound_id} {'ok' if self.ok else self.error[:40]}"
