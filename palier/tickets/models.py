"""Tickets, their decisions, conversation and history."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.customers.models import Visibility
from palier.policy import Finding, Reason, Refusal, RequestType
from palier.tickets.states import CUSTOMER_STATUS_LABELS, OPEN_STATUSES, Status


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


CRITICALITY_DEFINITIONS = {
    Criticality.LOW: _("A question or a minor inconvenience; work goes on normally."),
    Criticality.MEDIUM: _("A function is impaired but a workaround exists."),
    Criticality.HIGH: _("An important function is unusable and no workaround exists."),
    Criticality.CRITICAL: _("Production is stopped or data is at risk for many users."),
}

REFERENCE_PREFIX = "PAL"
# Year and id in ASCII digits (Python's \d reads '２０２６' as 2026); at most 18 digits, so
# that any id read from a reference fits a bigint.
_REFERENCE = rf"{REFERENCE_PREFIX}-([0-9]{{4}})-([0-9]{{6,18}})"
_REFERENCE_RE = re.compile(rf"^\s*{_REFERENCE}\s*$", re.IGNORECASE)
_REFERENCE_IN_TEXT_RE = re.compile(rf"\b{_REFERENCE}\b", re.IGNORECASE)
# What a person typing a reference may write: the prefix, then digits, a dash, digits.
_REFERENCE_LIKE_RE = re.compile(rf"^\s*{REFERENCE_PREFIX}-\d+-\d+\s*$", re.IGNORECASE)


def reference_year(created_at: dt.datetime) -> int:
    """The year a ticket's reference shows: the desk's local year, whoever reads it (a
    ticket opened on 1 January at 00:30 in Zurich is of the new year, UTC's old one)."""
    return created_at.astimezone(timezone.get_default_timezone()).year


def ticket_reference(pk: int, created_at: dt.datetime | None) -> str:
    """PAL-2026-000123."""
    year = reference_year(created_at) if created_at else 0
    return f"{REFERENCE_PREFIX}-{year:04d}-{pk:06d}"


def reference_filter(text: str) -> models.Q | None:
    """The ticket that a reference such as PAL-2026-000123 names: its id, opened in its
    year; None when `text` is no reference. PAL-2025-000123 does not find ticket 123 of 2026."""
    match = _REFERENCE_RE.match(text or "")
    if match is None:
        return None
    return reference_q(int(match.group(1)), int(match.group(2)))


def looks_like_reference(text: str) -> bool:
    """Whether `text` was meant as a reference, well formed or not (PAL-2026-00001)."""
    return _REFERENCE_LIKE_RE.match(text or "") is not None


def references_in(text: str) -> list[tuple[int, int]]:
    """(year, ticket id) of each reference written anywhere in `text` (a mail's subject)."""
    return [(int(y), int(n)) for y, n in _REFERENCE_IN_TEXT_RE.findall(text or "")]


def reference_q(year: int, pk: int) -> models.Q:
    """Ticket `pk` if it was opened in `year` (the desk's year, as its reference shows)."""
    if not dt.MINYEAR < year < dt.MAXYEAR:
        return models.Q(pk__in=[])
    desk = timezone.get_default_timezone()
    return models.Q(
        pk=pk,
        created_at__gte=dt.datetime(year, 1, 1, tzinfo=desk),
        created_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=desk),
    )


def needs_qualification(request_type: str | None, status: str) -> bool:
    """A mailed request whose type an agent has still to set (a refused one waits for a
    manager first)."""
    return request_type is None and status != Status.REFUSED


def customer_status_label(status: str) -> str:
    """The status as the customer reads it (fewer, plainer words than the team's)."""
    return str(CUSTOMER_STATUS_LABELS[Status(status)])


class Ticket(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_tickets",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    type = models.CharField(max_length=12, choices=_choices(RequestType), null=True, blank=True)
    suggested_type = models.CharField(max_length=12, choices=_choices(RequestType), blank=True)
    module = models.ForeignKey(
        "customers.Module",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    customization = models.ForeignKey(
        "customers.Customization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    product_version = models.ForeignKey(
        "customers.ProductVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    criticality = models.CharField(max_length=8, choices=Criticality.choices, default="medium")
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default="private")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    billable = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, choices=_choices(Reason), blank=True)
    decision = models.ForeignKey(
        "tickets.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every change."))

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Queues page by id (keyset) inside a filter: each index ends with id.
            # A foreign key that starts one of these has no index of its own (db_index=False):
            # every insert writes each index of this table.
            models.Index(fields=["status", "-id"], name="ticket_status_id"),
            models.Index(fields=["level", "status", "-id"], name="ticket_level_status_id"),
            models.Index(fields=["customer", "-id"], name="ticket_customer_id"),
            models.Index(fields=["contact", "-id"], name="ticket_contact_id"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee_status_id"),
            models.Index(fields=["module", "-id"], name="ticket_module_id"),
            models.Index(fields=["type", "-id"], name="ticket_type_id"),
            models.Index(fields=["criticality", "-id"], name="ticket_criticality_id"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_id"),
            # The "to qualify" queue (no type yet), counted and listed on every queue page:
            # without it the count read every open ticket to find the few unqualified ones.
            models.Index(
                fields=["status", "-id"],
                condition=models.Q(type__isnull=True),
                name="ticket_unqualified",
            ),
            # The dashboards count requests opened in a period (palier.dashboards).
            models.Index(fields=["created_at"], name="ticket_created_at"),
            # The dashboards' backlog: the open requests (a quarter of a desk's), counted by
            # status and age from the index alone, with the columns its filters read.
            models.Index(
                fields=["status", "created_at"],
                include=["customer", "module", "assignee", "level"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open",
            ),
            # The dashboards' level-2 work joins a period's time entries to their level-2
            # tickets (a quarter of a desk's) for the columns its rows and filters read.
            models.Index(
                fields=["id"],
                include=["customization", "customer", "module", "assignee"],
                condition=models.Q(level=2),
                name="ticket_level2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return ticket_reference(self.pk, self.created_at)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_qualification(self) -> bool:
        return needs_qualification(self.type, self.status)

    @property
    def customer_status_label(self) -> str:
        return customer_status_label(self.status)


class DecisionKind(models.TextChoices):
    INTAKE = "intake", _("At intake")
    CHANGE = "change", _("After a change of the request")
    DIAGNOSIS = "diagnosis", _("After diagnosis")
    OVERRIDE = "override", _("Accepted by a manager")
    # A past ticket brought from another tool: the policy was not applied to it.
    IMPORTED = "imported", _("Imported")


class Decision(models.Model):
    """One decision of the policy on a ticket, kept forever with its rules and facts."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    accepted = models.BooleanField()
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    billable = models.BooleanField(default=False)
    rnd = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, choices=_choices(Reason), blank=True)
    refusal = models.CharField(max_length=20, choices=_choices(Refusal), blank=True)
    refusal_date = models.DateField(null=True, blank=True)
    finding = models.CharField(max_length=30, choices=_choices(Finding), blank=True)
    rules = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="decision_ticket_id"),
            # The dashboards' diagnoses of a period (palier.dashboards.desk_panels.moves)
            # and refused requests (a few percent of the decisions: a partial index).
            models.Index(fields=["kind", "decided_at"], name="decision_kind_decided"),
            models.Index(
                fields=["ticket"],
                condition=models.Q(kind="intake", accepted=False),
                name="decision_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason or self.refusal}"


class Activity(models.TextChoices):
    MESSAGE = "message", _("Message")
    PHONE_CALL = "phone_call", _("Phone call")
    REMOTE_SESSION = "remote_session", _("Remote session")


class Message(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    body_html = models.TextField(blank=True, help_text=_("Sanitized HTML, when the source had it."))
    internal = models.BooleanField(
        default=False, help_text=_("Internal notes never reach a contact.")
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PORTAL)
    activity = models.CharField(max_length=16, choices=Activity.choices, default=Activity.MESSAGE)
    from_customer = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "internal", "id"], name="message_ticket_id")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{instance.sha256[:16]}"


class Attachment(models.Model):
    """A file sent with a ticket or message. Served only as a download to who may see it."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", db_index=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    internal = models.BooleanField(default=False)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "id"], name="attachment_ticket_id")]

    def __str__(self) -> str:
        return self.filename


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REFUSED = "refused", _("Refused")
    ACCEPTED_ANYWAY = "accepted_anyway", _("Accepted by a manager")
    STATUS = "status", _("Status changed")
    DECISION = "decision", _("Decision")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    FIELD = "field", _("Field changed")
    ASSIGNED = "assigned", _("Assigned")
    REPLY = "reply", _("Public reply")
    CUSTOMER_REPLY = "customer_reply", _("Customer reply")
    NOTE = "note", _("Internal note")
    REOPENED = "reopened", _("Reopened")
    FOLLOWED = "followed", _("Followed by a colleague")
    UNFOLLOWED = "unfollowed", _("No longer followed")


class TicketEvent(models.Model):
    """One change of a ticket: who, when, from, to and why."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=40, blank=True)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    internal = models.BooleanField(default=False, help_text=_("Hidden from contacts."))
    data = models.JSONField(default=dict, blank=True)
    # The outbox: set once the worker has run the event's side effects
    # (palier.tickets.notifications.dispatch_events).
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="event_ticket_id"),
            models.Index(fields=["kind", "-id"], name="event_kind_id"),
            # The worker's loop reads the oldest undispatched events: a small partial index.
            models.Index(
                fields=["id"],
                condition=models.Q(dispatched_at__isnull=True),
                name="event_undispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_value}→{self.to_value}"


class EventHandlerFailure(models.Model):
    """A side effect of an event whose handler raised (palier.tickets.notifications): kept
    with its error and run again by the worker's outbox loop until it succeeds (the row then
    goes) or its last attempt fails (`retry_at` empty: given up, kept for a person)."""

    event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, related_name="+")
    handler = models.CharField(max_length=200)  # module.qualname of the registered handler
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    failed_at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_handler_failure")
        ]
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=models.Q(retry_at__isnull=False),
                name="event_handler_retry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.handler} ({self.attempts})"


class TicketFollower(models.Model):
    """A contact who follows a colleague's shared request and is told of its public replies
    like the requester (palier.tickets.queries.ticket_recipients)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="followers", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_follower_unique")
        ]
        # The unique constraint serves "who follows this ticket"; this serves the portal's
        # "Followed" filter, which starts from the user.
        indexes = [models.Index(fields=["user", "ticket"], name="follower_user_ticket")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.ticket_id}"
