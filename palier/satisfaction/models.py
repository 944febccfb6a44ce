"""Customer satisfaction: one survey per resolved request, answered once (1 to 5 and a
comment), and the follow-up a low score opens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnsweredVia(models.TextChoices):
    LINK = "link", _("Link in the email")
    PORTAL = "portal", _("Portal")


class Survey(models.Model):
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="survey")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surveys"
    )
    # Denormalized from the ticket, for the dashboard's filters without a join.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    language = models.CharField(max_length=8)
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=8, choices=AnsweredVia.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        indexes = [
            # "no second survey for this contact within the quiet period"
            models.Index(fields=["contact", "-sent_at"], name="survey_contact_sent"),
            models.Index(fields=["sent_at"], name="survey_sent"),
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"survey of {self.ticket_id}: {self.score or '—'}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUp(models.Model):
    """A low score: someone calls the customer back. The team lead of the ticket's assignee
    takes it; without a team, the managers do (assigned_to empty)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="satisfaction_follow_ups",
    )
    status = models.CharField(
        max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="followup_status_id")]

    def __str__(self) -> str:
        return f"follow-up of {self.survey_id} ({self.status})"
