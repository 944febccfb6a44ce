"""R&D defects of the standard product, the tickets they affect, and the patches that fix them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class DefectStatus(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    WONT_FIX = "wont_fix", _("Won't fix")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_DEFECT_STATUSES = frozenset(
    {DefectStatus.NEW, DefectStatus.CONFIRMED, DefectStatus.IN_PROGRESS}
)


class Patch(models.Model):
    """A product version that fixes defects; released once, when `released_at` is set."""

    version = models.OneToOneField(
        "customers.ProductVersion", on_delete=models.PROTECT, related_name="patch"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True, help_text=_("Extra text for the release notes."))
    # R&D's notes in other languages: {"fr": "...", "de": "...", "it": "..."} (blank: `notes`).
    notes_translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(self.version)

    def notes_in(self, language: str) -> str:
        return (self.notes_translations.get(language) or self.notes).strip()


class Defect(models.Model):
    product = models.ForeignKey("customers.Product", on_delete=models.PROTECT, related_name="+")
    module = models.ForeignKey(
        "customers.Module", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    # Titles for the release notes in other languages: {"fr": "...", "de": "..."}.
    title_translations = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    affected_versions = models.ManyToManyField(
        "customers.ProductVersion", blank=True, related_name="defects"
    )
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=12, choices=DefectStatus.choices, default=DefectStatus.NEW)
    fixed_in = models.ForeignKey(
        Patch, on_delete=models.PROTECT, null=True, blank=True, related_name="defects"
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-id"], name="defect_status_id"),
            models.Index(fields=["module", "status", "-id"], name="defect_module_status_id"),
            models.Index(fields=["product", "status", "-id"], name="defect_product_status_id"),
            models.Index(fields=["fixed_in"], name="defect_fixed_in"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"DEF-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DEFECT_STATUSES

    def title_in(self, language: str) -> str:
        return self.title_translations.get(language) or self.title


class DefectWord(models.Model):
    """The folded words of a defect's title and description: finds look-alike defects with an
    indexed lookup, the same way on SQLite and PostgreSQL."""

    defect = models.ForeignKey(Defect, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["word", "defect"], name="defect_word_unique")
        ]

    def __str__(self) -> str:
        return self.word


class DefectLink(models.Model):
    """A ticket affected by a defect (one defect, many tickets; a ticket has one defect)."""

    defect = models.ForeignKey(Defect, on_delete=models.PROTECT, related_name="links")
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="defect_link"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    # The patch this ticket's contact was told about: a retried release tells nobody twice.
    notified_patch = models.ForeignKey(
        Patch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["defect", "id"], name="defectlink_defect_id")]

    def __str__(self) -> str:
        return f"{self.defect_id} ↔ {self.ticket_id}"


class DeploymentRequest(models.Model):
    """A customer asked, from the patch message, for the patch to be deployed: a new ticket."""

    patch = models.ForeignKey(Patch, on_delete=models.PROTECT, related_name="deployments")
    source_ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    request_ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="deployment_request"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patch", "source_ticket"], name="deployment_once")
        ]

    def __str__(self) -> str:
        return f"{self.patch} for {self.source_ticket_id}"
