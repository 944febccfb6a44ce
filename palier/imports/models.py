"""An import run (the file, its dry run, its progress and result), the table that maps a
tool's request types to the policy's, and the original keys of past tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.policy import RequestType


class RunState(models.TextChoices):
    CHECKED = "checked", _("Checked, nothing written yet")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    # Done, but rows or tickets were refused (or the file had problems): what `palier
    # import` ends with exit code 3 for.
    PARTIAL = "partial", _("Ended with refusals")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    kind = models.CharField(max_length=20)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    filename = models.CharField(max_length=255)
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.CHECKED)
    # The dry run: counts by outcome, the problems (line, column, message) and notes.
    planned = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # The run itself.
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-id"], name="import_run_newest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.state})"


class Source(models.TextChoices):
    JIRA = "jira", "Jira Service Management"
    ZENDESK = "zendesk", "Zendesk"
    CSV = "csv", _("Generic CSV")
    PALIER = "palier", _("Palier export")


class TypeMapping(models.Model):
    """A request type as another tool names it ("Bug", "Get IT help", "incident") and the
    policy's type it is imported as; empty: imported without a type."""

    source = models.CharField(max_length=10, choices=Source.choices)
    value = models.CharField(max_length=200)
    request_type = models.CharField(
        max_length=12,
        blank=True,
        choices=[(t.value, t.value) for t in RequestType],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "value"], name="type_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.value} → {self.request_type or '—'}"


class ImportedTicket(models.Model):
    """Where a past ticket came from: the tool and its key there (SD-123, Zendesk #4711).
    The key is also in the ticket's search text, so the desk's search finds it."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="imported_from"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    key = models.CharField(max_length=100)
    run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="imported_ticket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.key}"
