"""Every write to the knowledge base: drafts, review, publication, history, deflections."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.customers.models import Module, Product
from palier.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    ArticleVisibility,
    Deflection,
)
from palier.knowledge.search import index_translation, unindex_translation
from palier.lib.errors import Conflict, DomainError
from palier.tickets.queries import customer_language

LANGUAGE_CODES = ("en", "fr", "de", "it")
DEFLECTION_WINDOW = dt.timedelta(hours=1)


def _check_text(title: str, body: str, language: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise DomainError(_("An article needs a title and a text."), code="article_incomplete")
    if len(title) > 200:
        raise DomainError(_("A title has at most 200 characters."), code="article_incomplete")
    if language not in LANGUAGE_CODES:
        raise DomainError(_("Unknown language."), code="invalid_language")
    return title, body


def _version(t: ArticleTranslation, user: User | None, note: str = "") -> None:
    ArticleVersion.objects.create(
        translation=t,
        number=t.version,
        title=t.title,
        body=t.body,
        status=t.status,
        note=note[:200],
        edited_by=user,
    )


def unique_key(text: str) -> str:
    base = slugify(text)[:60] or "article"
    key, n = base, 1
    while Article.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def do_create_article(
    *,
    acting_user: User | None,
    language: str,
    title: str,
    body: str,
    visibility: str = ArticleVisibility.EVERYONE,
    product: Product | None = None,
    module: Module | None = None,
    key: str = "",
    source_ticket=None,
) -> ArticleTranslation:
    """A new article with its first translation, as a draft. `acting_user` None: the desk
    itself (default articles)."""
    if acting_user is not None:
        check_allowed(acting_user, Permission.ARTICLE_WRITE)
    title, body = _check_text(title, body, language)
    if visibility not in ArticleVisibility.values:
        raise DomainError(_("Unknown visibility."), code="invalid_visibility")
    if module is not None and product is None:
        product = module.product
    with transaction.atomic():
        article = Article.objects.create(
            key=key or unique_key(title),
            product=product,
            module=module,
            visibility=visibility,
            source_ticket=source_ticket,
            created_by=acting_user,
        )
        t = ArticleTranslation.objects.create(
            article=article, language=language, title=title, body=body, updated_by=acting_user
        )
        _version(t, acting_user, _("Created"))
    return t


def do_update_article(
    article: Article,
    *,
    acting_user: User,
    visibility: str,
    product: Product | None,
    module: Module | None,
) -> Article:
    check_allowed(acting_user, Permission.ARTICLE_WRITE)
    if visibility not in ArticleVisibility.values:
        raise DomainError(_("Unknown visibility."), code="invalid_visibility")
    if module is not None:
        product = module.product
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        article.visibility, article.product, article.module = visibility, product, module
        article.save(update_fields=["visibility", "product", "module"])
    return article


def do_edit_translation(
    article: Article,
    language: str,
    *,
    acting_user: User | None,
    title: str,
    body: str,
    note: str = "",
    expected_version: int | None = None,
) -> ArticleTranslation:
    """Save the working copy of one language (created if missing) as a draft; readers keep
    seeing the published text until the draft is published. `acting_user` None: the desk."""
    if acting_user is not None:
        check_allowed(acting_user, Permission.ARTICLE_WRITE)
    title, body = _check_text(title, body, language)
    with transaction.atomic():
        t = (
            ArticleTranslation.objects.select_for_update()
            .filter(article=article, language=language)
            .first()
        )
        if t is None:
            t = ArticleTranslation.objects.create(
                article=article, language=language, title=title, body=body, updated_by=acting_user
            )
            _version(t, acting_user, note or _("Translation added"))
            return t
        if expected_version is not None and t.version != expected_version:
            raise Conflict(_("Someone else changed this text meanwhile; reload it."))
        if (t.title, t.body) == (title, body) and t.status == ArticleStatus.DRAFT:
            return t
        t.title, t.body, t.status = title, body, ArticleStatus.DRAFT
        t.version += 1
        t.updated_by = acting_user
        t.save()
        _version(t, acting_user, note or _("Edited"))
    return t


def _move(t: ArticleTranslation, target: str, user: User | None, note: str) -> ArticleTranslation:
    with transaction.atomic():
        t = ArticleTranslation.objects.select_for_update().get(pk=t.pk)
        t.status = target
        t.version += 1
        t.updated_by = user
        fields = ["status", "version", "updated_by", "updated_at"]
        if target == ArticleStatus.PUBLISHED:
            t.published_title, t.published_body = t.title, t.body
            t.published_at = timezone.now()
            fields += ["published_title", "published_body", "published_at"]
            index_translation(t.pk, t.title, t.body)
        elif target == ArticleStatus.ARCHIVED:
            t.published_title, t.published_body, t.published_at = "", "", None
            fields += ["published_title", "published_body", "published_at"]
            unindex_translation(t.pk)
        t.save(update_fields=fields)
        _version(t, user, note)
    return t


def do_submit_for_review(t: ArticleTranslation, *, acting_user: User) -> ArticleTranslation:
    check_allowed(acting_user, Permission.ARTICLE_WRITE)
    if t.status != ArticleStatus.DRAFT:
        raise Conflict(_("Only a draft can be sent for review."))
    return _move(t, ArticleStatus.REVIEW, acting_user, _("Sent for review"))


def do_publish(t: ArticleTranslation, *, acting_user: User | None) -> ArticleTranslation:
    """Publish the working copy (a reviewed one, or a draft published by a manager)."""
    if acting_user is not None:
        check_allowed(acting_user, Permission.ARTICLE_PUBLISH)
    if t.status == ArticleStatus.PUBLISHED:
        raise Conflict(_("This text is already published."))
    return _move(t, ArticleStatus.PUBLISHED, acting_user, _("Published"))


def do_archive(t: ArticleTranslation, *, acting_user: User) -> ArticleTranslation:
    """Withdraw a translation: readers no longer see it (its history stays)."""
    check_allowed(acting_user, Permission.ARTICLE_PUBLISH)
    if t.status == ArticleStatus.ARCHIVED:
        raise Conflict(_("This text is already archived."))
    return _move(t, ArticleStatus.ARCHIVED, acting_user, _("Archived"))


def do_record_deflection(
    article: Article, *, contact: User, language: str, module: Module | None, query: str
) -> Deflection:
    """A contact's "this answered my question": counted, and no request is opened. The same
    contact saying it again of the same article within an hour counts once."""
    now = timezone.now()
    recent = Deflection.objects.filter(
        article=article, contact=contact, at__gte=now - DEFLECTION_WINDOW, at__lte=now
    ).first()
    if recent is not None:
        return recent
    return Deflection.objects.create(
        article=article,
        # A language we do not offer: the one the contact reads the desk in.
        language=language
        if language in LANGUAGE_CODES
        else customer_language(contact.customer, contact),
        module=module or article.module,
        customer_id=contact.customer_id,
        contact=contact,
        query=re.sub(r"\s+", " ", query or "").strip()[:300],
    )


def do_draft_from_ticket(ticket, *, acting_user: User) -> ArticleTranslation:
    """A draft article from a resolved ticket: its question, and the answers the customer
    read (internal notes stay out), in the ticket's language, staff only until reviewed."""
    from palier.tickets.models import Message
    from palier.tickets.states import Status

    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(_("Only a resolved ticket can become an article."))
    answers = (
        Message.objects.filter(ticket=ticket, internal=False, author__customer__isnull=True)
        .exclude(author__isnull=True)
        .order_by("id")
        .values_list("body", flat=True)
    )
    parts = [ticket.description.strip(), *[a.strip() for a in answers]]
    body = "\n\n".join(p for p in parts if p) or ticket.subject
    return do_create_article(
        acting_user=acting_user,
        language=ticket.language,
        title=ticket.subject,
        body=body,
        visibility=ArticleVisibility.STAFF,
        module=ticket.module,
        source_ticket=ticket,
    )
