"""Searching the articles: the tickets' engine, the reader's language first, and only the
text as published."""

from __future__ import annotations

from django.urls import reverse

from palier.knowledge.actions import do_archive, do_edit_translation, do_publish
from palier.knowledge.models import ArticleTranslation
from palier.knowledge.queries import access_article_by_key, search_articles


def _keys(found):
    return [r.article.key for r in found]


def test_words_match_by_prefix_and_without_accents(world, shelf):
    assert _keys(search_articles(world.agent, "comptabilisee", "fr")) == ["reverse-invoice"]
    assert _keys(search_articles(world.agent, "EXTOURN", "fr")) == ["reverse-invoice"]


def test_every_word_must_match_unless_any_word_is_asked(world, shelf):
    assert search_articles(world.agent, "invoice warehouses", "en") == []
    found = _keys(search_articles(world.agent, "invoice warehouses", "en", any_word=True))
    assert {"reverse-invoice", "stock-transfer"} <= set(found)


def test_the_reader_gets_the_article_in_their_language_whatever_language_matched(world, shelf):
    (hit,) = search_articles(world.contact_b, "posted invoice", "fr")  # matched in English
    assert (hit.translation.language, hit.fallback) == ("fr", False)
    assert hit.title == "Extourner une facture comptabilisée"


def test_articles_matching_in_the_readers_language_come_first(world, shelf):
    found = search_articles(world.agent, "invoice stornieren warehouses", "de", any_word=True)
    assert found[0].article.key == "reverse-invoice"  # matched in German
    assert found[0].translation.language == "de"


def test_a_missing_translation_falls_back_visibly(client, world, shelf):
    reading = access_article_by_key(world.contact_b, "stock-transfer", "fr")
    assert (reading.translation.language, reading.fallback) == ("en", True)
    client.force_login(world.contact_b)
    html = client.get(reverse("web:knowledge:article", args=["stock-transfer"])).content.decode()
    assert 'id="translation-fallback"' in html
    assert "Moving stock between warehouses" in html


def test_a_new_draft_leaves_the_published_text_to_readers_until_it_is_published(world, shelf):
    article = shelf.everyone
    draft = do_edit_translation(
        article,
        "en",
        acting_user=world.agent,
        title="Cancelling an invoice",
        body="Use the cancellation wizard.",
    )
    assert access_article_by_key(world.contact_a, article.key, "en").title == (
        "Reversing a posted invoice"
    )
    assert search_articles(world.contact_a, "wizard", "en") == []
    do_publish(draft, acting_user=world.manager)
    assert (
        access_article_by_key(world.contact_a, article.key, "en").title == "Cancelling an invoice"
    )
    assert _keys(search_articles(world.contact_a, "wizard", "en")) == [article.key]
    assert search_articles(world.contact_a, "Reverse posting", "en") == []


def test_an_archived_translation_leaves_the_index_and_readers_fall_back(world, shelf):
    fr = ArticleTranslation.objects.get(article=shelf.everyone, language="fr")
    do_archive(fr, acting_user=world.manager)
    assert search_articles(world.contact_b, "extourner", "fr") == []
    reading = access_article_by_key(world.contact_b, shelf.everyone.key, "fr")
    assert reading.fallback and reading.translation.language == "en"


def test_a_query_without_words_finds_nothing(world, shelf):
    assert search_articles(world.agent, "?! …", "en") == []
    assert search_articles(world.agent, "", "en", any_word=True) == []


def test_search_costs_a_fixed_number_of_queries(world, shelf, django_assert_max_num_queries):
    agent = world.agent
    with django_assert_max_num_queries(3):
        search_articles(agent, "invoice warehouses stock posted", "en", any_word=True)


def test_an_error_code_or_a_version_is_found_as_written(world, shelf):
    # PostgreSQL's parser read "err-404" as "err" and the number "-404", "11.3.1" as one
    # lexeme, while a search looks for the words (err, 404; 11, 3, 1).
    from palier.knowledge.tests.helpers import publish

    publish(
        world.manager,
        "err-404",
        "everyone",
        {"en": ("Error ERR-404 when posting", "Fixed in version 11.3.1; see kb@vendor.ch.")},
    )
    for q in ("ERR-404", "404", "11.3.1", "kb@vendor.ch", "vendor"):
        assert _keys(search_articles(world.agent, q, "en")) == ["err-404"], q
