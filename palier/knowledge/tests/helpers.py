"""Builders of the knowledge tests: articles go through the real actions."""

from __future__ import annotations

from palier.knowledge.actions import do_create_article, do_edit_translation, do_publish
from palier.knowledge.models import Article


def publish(manager, key: str, visibility: str, texts: dict[str, tuple[str, str]], **kw):
    """An article published in each language of `texts` ({lang: (title, body)})."""
    (first_lang, (title, body)), *others = texts.items()
    t = do_create_article(
        acting_user=manager,
        language=first_lang,
        title=title,
        body=body,
        visibility=visibility,
        key=key,
        **kw,
    )
    do_publish(t, acting_user=manager)
    for lang, (title, body) in others:
        do_publish(
            do_edit_translation(t.article, lang, acting_user=manager, title=title, body=body),
            acting_user=manager,
        )
    return Article.objects.get(pk=t.article.pk)
