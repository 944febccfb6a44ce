"""What the agent workspace keeps besides tickets: saved queue views and who is looking."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A queue filter an agent keeps, for themselves or for the whole team."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    shared = models.BooleanField(default=False, help_text=_("Shown to the whole team."))
    query = models.CharField(max_length=1000, help_text=_("The queue page's query string."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "name"], name="savedview_owner_name"),
            models.Index(fields=["shared", "name"], name="savedview_shared_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TicketPresence(models.Model):
    """The last heartbeat of a staff member on a ticket page."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "-last_seen"], name="presence_ticket_seen")]
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="presence_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.ticket_id}"
