"""What the agent workspace keeps besides tickets: saved queue views, who is looking, teams,
tags, macros and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class Team(models.Model):
    """Staff grouped under a lead. Macros are shared per team; dashboards and satisfaction
    follow-ups group people by it too (palier.workspace.queries.teams_of)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams_led",
        verbose_name=_("lead"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A word put on tickets (by hand or by a macro) to find them again."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class TicketTag(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "tag"], name="ticket_tag_unique")]
        # The unique constraint serves a ticket's tags; this serves "tickets with this tag".
        indexes = [models.Index(fields=["tag", "-ticket"], name="ticket_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.tag_id}"


class MacroScope(models.TextChoices):
    PERSONAL = "personal", _("Only me")
    TEAM = "team", _("My team")
    DESK = "desk", _("The whole desk")


class AssigneeEffect(models.TextChoices):
    KEEP = "", _("Leave as it is")
    ME = "me", _("Assign to me")
    NOBODY = "nobody", _("Unassign")
    USER = "user", _("Assign to a colleague")


class Macro(models.Model):
    """A canned reply or note in the four languages, with optional side effects. Its text
    may name only the variables of palier.workspace.macros.VARIABLES."""

    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(
        _("shared with"), max_length=10, choices=MacroScope.choices, default=MacroScope.PERSONAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="macros"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="macros"
    )
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Writes a note instead of a reply.")
    )
    # {"en": "...", "fr": "...", "de": "...", "it": "..."}: the customer's language is used.
    texts = models.JSONField(default=dict, blank=True)
    set_status = models.CharField(_("then set status"), max_length=20, blank=True)
    set_assignee = models.CharField(
        _("then assign"), max_length=8, choices=AssigneeEffect.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("colleague"),
    )
    add_tag = models.ForeignKey(
        Tag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        indexes = [
            models.Index(fields=["owner", "name"], name="macro_owner_name"),
            models.Index(fields=["team", "name"], name="macro_team_name"),
            models.Index(fields=["scope", "name"], name="macro_scope_name"),
        ]

    def __str__(self) -> str:
        return self.name


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    CONSENT_ANSWERED = "consent_answered", _("Estimate answered")
    SLA_WARNING = "sla_warning", _("Service target near or missed")
    MENTION = "mention", _("Mentioned in a note")


class Notification(models.Model):
    """Something a staff member should see, made from a ticket event by the worker
    (palier.workspace.notifications), never in request code."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "tickets.TicketEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "kind"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_id"),
            # The unread badge on every workspace page: a small partial index.
            models.Index(
                fields=["recipient", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.ticket_id}"


class NotificationSettings(models.Model):
    """A staff member's choices about notifications: the daily digest by mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    daily_digest = models.BooleanField(_("daily digest by mail"), default=False)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: digest {'on' if self.daily_digest else 'off'}"


class MenuStamp(models.Model):
    """One row whose `stamp` changes, by database triggers, whenever what the workspace's
    menus print changes: customers' names and codes, modules' names, staff members, saved views
    (migration 0003). A page reads it with its queue counts and keeps the menus it built
    for that stamp (palier.workspace.menus): every process sees a change on its next page,
    whatever program made it (an action, the admin, an import, a restore). The stamp is
    random, never a counter, so a database emptied or restored can never match menus built
    for another state."""

    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.stamp)
