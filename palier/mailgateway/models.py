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
    """How a processed message ended. The first three are a customer's message on a ticket;
    the last three are records of machine mail (identified by its headers), kept with their
    raw bytes. A message that fits none of them is in the quarantine, never dropped."""

    NEW_TICKET = "new_ticket", _("New ticket")
    REPLY = "reply", _("Added to a ticket")
    REFUSED = "refused", _("Kept on a refused request")
    BOUNCE = "bounce", _("Delivery report on our mail, noted on its ticket")
    AUTO_REPLY = "auto_reply", _("Automatic reply or bulk mail, kept")
    DROPPED_OWN = "dropped_own", _("Our own mail come back, kept")


# What a person does with each: the customer's message is on a ticket, or a record is kept.
CUSTOMER_OUTCOMES = frozenset({Outcome.NEW_TICKET, Outcome.REPLY, Outcome.REFUSED})
RECORD_OUTCOMES = frozenset({Outcome.BOUNCE, Outcome.AUTO_REPLY, Outcome.DROPPED_OWN})


class QuarantineReason(models.TextChoices):
    """Why a message waits for a person, and what that person can do (`actions.py`)."""

    UNPARSEABLE = "unparseable", _("Not a mail the desk can read")
    PROCESSING_ERROR = "processing_error", _("Processing failed")
    AMBIGUOUS_SENDER = "ambiguous_sender", _("The sender is unclear")
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
    STAFF_SENDER = "staff_sender", _("Sent by a staff member")
    SUSPECTED_AUTO_REPLY = "suspected_auto_reply", _("Looks like an automatic reply")
    OWN_ADDRESS = "own_address", _("Claims to come from the desk's own address")


class RawMessage(models.Model):
    """One inbound message, stored durably before parsing. `dedup_key` is the sha256 of its
    bytes without the trace headers of a redelivery (`identity.py`): delivering the same
    message again creates nothing new, and a different one reusing its Message-ID is a new
    row with `reused_message_id` set."""

    dedup_key = models.CharField(max_length=255, unique=True)
    message_id = models.TextField(blank=True)
    message_id_hash = models.CharField(max_length=64, blank=True)
    reused_message_id = models.BooleanField(
        default=False, help_text=_("Another stored message has the same Message-ID.")
    )
    sha256 = models.CharField(max_length=64)
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
    # Files are attached after the ticket, a few per short transaction: how many the mail
    # brings, and how many were handled (attached, or refused and noted) so far.
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    released_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When staff had it processed as a customer's message.")
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "-id"], name="rawmessage_state_id"),
            models.Index(fields=["ticket", "id"], name="rawmessage_ticket_id"),
            models.Index(fields=["message_id_hash"], name="rawmessage_message_id_hash"),
            models.Index(fields=["outcome", "-id"], name="rawmessage_outcome_id"),
            # The sweep's look-up of mail whose files are not all attached: a tiny index.
            models.Index(
                fields=["id"],
                condition=models.Q(files_done__lt=models.F("files_total")),
                name="rawmessage_files_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.sender} {self.subject[:40]}"

    @property
    def raw(self) -> bytes:
        """The message as it was delivered (read from `RawBytes` on first use)."""
        return bytes(self.stored.data)


class RawBytes(models.Model):
    """The bytes of an inbound message, exactly as delivered: written once, never updated.
    Apart from the row processing updates, because SQLite rewrites a whole row on any update
    (a 10 MB mail's row was rewritten by each of its state changes)."""

    raw_message = models.OneToOneField(
        RawMessage, on_delete=models.CASCADE, primary_key=True, related_name="stored"
    )
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.raw_message_id} ({len(self.data)} bytes)"


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Handed to the SMTP server, outcome not yet written (outbound._send_one).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")
    # An attempt may have reached the server but its outcome was never written: not sent
    # again on its own (the recipient would get it twice); a person decides.
    UNCERTAIN = "uncertain", _("Perhaps sent: to check")


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
    # When the attempt in progress (state SENDING) began: past its lease (config.send_lease()), that
    # attempt is taken as unfinished and the mail as perhaps sent (UNCERTAIN).
    sending_since = models.DateTimeField(null=True, blank=True)

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
