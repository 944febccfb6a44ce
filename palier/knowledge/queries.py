"""Reads of the knowledge base that enforce who may see what.

- staff see every article, drafts included (in the manage screens);
- a contact whose customer holds an active maintenance contract today sees published
  articles for everyone and for customers with a contract;
- anyone else (a contact without an active contract, a visitor) sees published articles
  for everyone only. Staff-only articles never reach a contact.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from palier.knowledge.models import Article, ArticleTranslation, ArticleVisibility, Deflection
from palier.knowledge.search import ranked_translation_ids
from palier.lib.text import content_words, words
from palier.policy import check_entitlement

FALLBACK_ORDER = ("en", "fr", "de", "it")


def has_active_contract(customer, today: dt.date | None = None) -> bool:
    from palier.tickets.facts import contract_facts

    today = today or timezone.localdate()
    _contract, cfacts = contract_facts(customer, today)
    return check_entitlement(cfacts, today) is None


def visibilities_for(user, *, today: dt.date | None = None) -> list[str]:
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_staff_member:
            return list(ArticleVisibility.values)
        if user.is_contact and user.customer_id and has_active_contract(user.customer, today):
            return [ArticleVisibility.EVERYONE, ArticleVisibility.CUSTOMERS]
    return [ArticleVisibility.EVERYONE]


def readable_translations(visibilities: list[str]) -> QuerySet[ArticleTranslation]:
    """Published translations of the articles these visibilities open."""
    return ArticleTranslation.objects.filter(
        published_at__isnull=False, article__visibility__in=visibilities
    )


@dataclass(frozen=True)
class Reading:
    """An article as one reader reads it: in their language, or visibly in another."""

    article: Article
    translation: ArticleTranslation
    language: str  # the language asked for
    languages: tuple[str, ...]  # the languages it is published in

    @property
    def fallback(self) -> bool:
        return self.translation.language != self.language

    @property
    def title(self) -> str:
        return self.translation.published_title

    @property
    def body(self) -> str:
        return self.translation.published_body


def pick(translations: list[ArticleTranslation], language: str) -> ArticleTranslation | None:
    """The reader's language, else English, French, German, Italian in that order."""
    by_lang = {t.language: t for t in translations}
    for code in (language, *FALLBACK_ORDER):
        if code in by_lang:
            return by_lang[code]
    return None


def access_article_by_key(user, key: str, language: str) -> Reading:
    """An article the user may read, in their language if published in it; else 404."""
    translations = list(
        readable_translations(visibilities_for(user))
        .filter(article__key=key)
        .select_related("article", "article__module")
    )
    chosen = pick(translations, language)
    if chosen is None:
        raise Http404("article")
    return Reading(
        chosen.article, chosen, language, tuple(sorted(t.language for t in translations))
    )


def readings(user, language: str, *, module_id: int | None = None) -> list[Reading]:
    """Every article the user may read, one reading each, grouped later by product/module."""
    qs = readable_translations(visibilities_for(user)).select_related(
        "article", "article__module", "article__product"
    )
    if module_id is not None:
        qs = qs.filter(article__module_id=module_id)
    return _as_readings(list(qs.order_by("article_id", "id")), language)


def _as_readings(translations: list[ArticleTranslation], language: str) -> list[Reading]:
    grouped: dict[int, list[ArticleTranslation]] = defaultdict(list)
    for t in translations:
        grouped[t.article_id].append(t)
    found = []
    for group in grouped.values():
        chosen = pick(group, language)
        languages = tuple(sorted(t.language for t in group))
        found.append(Reading(chosen.article, chosen, language, languages))
    return found


def search_articles(
    user,
    query: str,
    language: str,
    *,
    limit: int = 10,
    any_word: bool = False,
    visibilities: list[str] | None = None,
) -> list[Reading]:
    """Articles matching `query` that the user may read, those matching in the reader's
    language first, then by relevance; each shown in the reader's language when it has one.

    Three queries whatever the size: the ranked matches, their translations (access
    applied), and the other published translations of the matched articles."""
    terms = content_words(query, min_length=3, limit=10) if any_word else words(query)
    ranked = ranked_translation_ids(terms, any_word=any_word)
    if not ranked:
        return []
    visible = visibilities_for(user) if visibilities is None else visibilities
    matched = {
        t.pk: t
        for t in readable_translations(visible)
        .filter(pk__in=ranked)
        .only("id", "article_id", "language")
    }
    order: list[int] = []
    best_in_reader: set[int] = set()
    for pk in ranked:
        t = matched.get(pk)
        if t is None:
            continue
        if t.language == language:
            best_in_reader.add(t.article_id)
        if t.article_id not in order:
            order.append(t.article_id)
    order.sort(key=lambda a: a not in best_in_reader)  # stable: relevance kept inside
    order = order[:limit]
    if not order:
        return []
    all_translations = list(
        readable_translations(visible)
        .filter(article_id__in=order)
        .select_related("article", "article__module")
    )
    by_article = {r.article.pk: r for r in _as_readings(all_translations, language)}
    return [by_article[a] for a in order if a in by_article]


def customer_visibilities(customer) -> list[str]:
    """What a customer's contacts may read: an agent inserts nothing else into a reply."""
    if has_active_contract(customer):
        return [ArticleVisibility.EVERYONE, ArticleVisibility.CUSTOMERS]
    return [ArticleVisibility.EVERYONE]


def staff_articles(*, status: str = "", module_id: int | None = None) -> QuerySet[Article]:
    """Every article for the manage screen, its translations prefetched."""
    qs = Article.objects.select_related("module", "product").prefetch_related("translations")
    if status:
        qs = qs.filter(translations__status=status).distinct()
    if module_id is not None:
        qs = qs.filter(module_id=module_id)
    return qs.order_by("module__name", "key")


@dataclass(frozen=True)
class DeflectionReport:
    months: list[dt.date]
    by_article: list[tuple[str, str, dict[dt.date, int], int]]  # key, title, per month, total
    by_module: list[tuple[str, dict[dt.date, int], int]]
    total: int


def deflection_report(language: str, *, months: int = 12, now=None) -> DeflectionReport:
    """How many questions each article and module answered without a ticket, per month."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first = today.year * 12 + today.month - 1 - (months - 1)  # months counted from year 0
    since = dt.date(first // 12, first % 12 + 1, 1)
    rows = (
        Deflection.objects.filter(at__date__gte=since)
        .annotate(month=TruncMonth("at"))
        .values("month", "article_id", "article__module__name")
        .annotate(n=Count("id"))
    )
    per_article: dict[int, Counter] = defaultdict(Counter)
    per_module: dict[str, Counter] = defaultdict(Counter)
    month_set = set()
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        month_set.add(month)
        per_article[row["article_id"]][month] += row["n"]
        per_module[row["article__module__name"] or ""][month] += row["n"]
    titles = {
        r.article.pk: (r.article.key, r.title)
        for r in _as_readings(
            list(
                ArticleTranslation.objects.filter(
                    article_id__in=per_article, published_at__isnull=False
                ).select_related("article")
            ),
            language,
        )
    }
    by_article = sorted(
        (
            (*titles.get(pk, (str(pk), str(pk))), dict(c), sum(c.values()))
            for pk, c in per_article.items()
        ),
        key=lambda row: -row[3],
    )
    by_module = sorted(
        ((name, dict(c), sum(c.values())) for name, c in per_module.items()),
        key=lambda row: -row[2],
    )
    total = sum(row[3] for row in by_article)
    return DeflectionReport(sorted(month_set), by_article, by_module, total)
