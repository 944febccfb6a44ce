"""The support policy and its FAQ, shipped in four languages, installed once."""

from __future__ import annotations

from palier.knowledge.actions import do_edit_translation
from palier.knowledge.defaults import DEFAULT_ARTICLES, install_default_articles
from palier.knowledge.models import Article, ArticleTranslation
from palier.knowledge.queries import access_article_by_key, search_articles


def _fresh():
    Article.objects.filter(key__in=DEFAULT_ARTICLES).delete()
    return install_default_articles()


def test_the_policy_and_its_faq_are_published_in_four_languages_for_everyone(db):
    assert _fresh() == 4
    for key in DEFAULT_ARTICLES:
        article = Article.objects.get(key=key)
        assert article.visibility == "everyone"
        live = set(
            ArticleTranslation.objects.filter(
                article=article, published_at__isnull=False
            ).values_list("language", flat=True)
        )
        assert live == {"en", "fr", "de", "it"}


def test_installing_again_changes_nothing_and_keeps_a_desks_edits(world):
    _fresh()
    article = Article.objects.get(key="why-ticket")
    do_edit_translation(
        article, "fr", acting_user=world.agent, title="Pourquoi ?", body="Parce que."
    )
    assert install_default_articles() == 0
    assert Article.objects.filter(key__in=DEFAULT_ARTICLES).count() == 4
    assert ArticleTranslation.objects.get(article=article, language="fr").title == "Pourquoi ?"


def test_a_visitor_finds_the_faq_in_their_language(db):
    _fresh()
    from django.contrib.auth.models import AnonymousUser

    found = search_articles(AnonymousUser(), "facturable", "fr")
    assert found[0].article.key == "why-billable"
    assert found[0].title == "Pourquoi la solution à mon problème est-elle facturable\u202f?"
    reading = access_article_by_key(AnonymousUser(), "why-level-2", "it")
    assert reading.title == "Perché la mia richiesta è passata al livello 2?"
