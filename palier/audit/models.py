"""The audit log: who changed which record, when, from where, before and after.

Append-only: rows are inserted by `palier.audit.log.record_change` and never updated or
deleted. The model and its querysets refuse it, and so does the database: triggers refuse
UPDATE and DELETE on PostgreSQL and SQLite (migration 0002; docs/security.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An audit row cannot be changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries are append-only")

    def delete(self):
        raise AppendOnly("audit entries are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("audit entries are append-only")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    ADMIN = "admin", _("Administration")
    COMMAND = "command", _("Command")
    WORKER = "worker", _("Worker")
    MAIL = "mail", _("Mail")
    IMPORT = "import", _("Import")


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # a person with history is deactivated, never deleted
        null=True,
        blank=True,
        related_name="+",
    )
    # As the actor was named at the time, and how the change came in.
    actor_name = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object"),
            models.Index(fields=["actor", "-id"], name="audit_actor"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnly("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are append-only")
