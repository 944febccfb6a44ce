"""The knowledge base: articles in fr/de/it/en, their versions, and the questions they answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleVisibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CUSTOMERS = "customers", _("Customers with a contract")
    STAFF = "staff", _("Staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    """One article; its text lives in one translation per language."""

    key = models.SlugField(max_length=80, unique=True, help_text=_("Stable name in links."))
    product = models.ForeignKey(
        "customers.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    module = models.ForeignKey(
        "customers.Module", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visibility = models.CharField(
        max_length=10, choices=ArticleVisibility.choices, default=ArticleVisibility.EVERYONE
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["visibility", "module"], name="article_visibility_module"),
            models.Index(fields=["module"], name="article_module"),
        ]

    def __str__(self) -> str:
        return self.key


class ArticleTranslation(models.Model):
    """An article in one language: drafted, reviewed and published on its own.

    `title`/`body`/`status` are the working copy; readers see `published_title`/`published_body`
    while `published_at` is set."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    # What readers see: the text as last published, while the working copy above is edited
    # and reviewed. Empty until the first publication; cleared when archived.
    published_title = models.CharField(max_length=200, blank=True)
    published_body = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_language_unique")
        ]
        indexes = [
            models.Index(fields=["status", "language"], name="translation_status_lang"),
            models.Index(fields=["article", "published_at"], name="translation_article_live"),
        ]

    def __str__(self) -> str:
        return f"{self.article.key} ({self.language})"

    @property
    def is_live(self) -> bool:
        return self.published_at is not None


class ArticleVersion(models.Model):
    """A saved state of a translation: every edit, submission and publication."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    note = models.CharField(max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["translation", "-id"], name="version_translation_id")]

    def __str__(self) -> str:
        return f"{self.translation} v{self.number}"


class Deflection(models.Model):
    """A contact said an article answered their question, and sent no request."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    module = models.ForeignKey(
        "customers.Module", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    query = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="deflection_at"),
            models.Index(fields=["article", "at"], name="deflection_article_at"),
        ]

    def __str__(self) -> str:
        return f"{self.article.key} {self.at:%Y-%m}"
