"""Writing articles: drafts, review, publication by a manager, history, conflicts."""

from __future__ import annotations

import pytest

from palier.knowledge.actions import (
    do_archive,
    do_create_article,
    do_draft_from_ticket,
    do_edit_translation,
    do_publish,
    do_submit_for_review,
)
from palier.knowledge.models import ArticleStatus, ArticleVersion
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message, do_transition


def _draft(user, **kw):
    return do_create_article(
        acting_user=user, language="en", title="Closing a month", body="Run the closing.", **kw
    )


def test_an_agent_drafts_and_sends_for_review_a_manager_publishes(world):
    t = _draft(world.agent)
    assert t.status == ArticleStatus.DRAFT and not t.is_live
    t = do_submit_for_review(t, acting_user=world.agent)
    with pytest.raises(NotAllowed):
        do_publish(t, acting_user=world.agent)
    t = do_publish(t, acting_user=world.manager)
    assert t.status == ArticleStatus.PUBLISHED and t.is_live
    assert (t.published_title, t.published_body) == ("Closing a month", "Run the closing.")


def test_contacts_may_not_write_articles(world):
    with pytest.raises(NotAllowed):
        _draft(world.contact_a)


def test_every_change_leaves_a_version_in_the_history(world):
    t = _draft(world.agent)
    t = do_edit_translation(
        t.article, "en", acting_user=world.agent, title="Closing a month", body="Run it twice."
    )
    t = do_submit_for_review(t, acting_user=world.agent)
    t = do_publish(t, acting_user=world.manager)
    t = do_archive(t, acting_user=world.manager)
    history = list(
        ArticleVersion.objects.filter(translation=t)
        .order_by("id")
        .values_list("number", "status", "body")
    )
    assert history == [
        (1, "draft", "Run the closing."),
        (2, "draft", "Run it twice."),
        (3, "review", "Run it twice."),
        (4, "published", "Run it twice."),
        (5, "archived", "Run it twice."),
    ]


def test_an_edit_over_a_newer_version_is_refused(world):
    t = _draft(world.agent)
    do_edit_translation(t.article, "en", acting_user=world.agent, title="A", body="B")
    with pytest.raises(Conflict):
        do_edit_translation(
            t.article, "en", acting_user=world.agent, title="C", body="D", expected_version=1
        )


@pytest.mark.parametrize(
    ("title", "body", "language"), [("", "text", "en"), ("Title", " ", "en"), ("T", "b", "es")]
)
def test_an_article_needs_a_title_a_text_and_a_known_language(world, title, body, language):
    with pytest.raises(DomainError):
        do_create_article(acting_user=world.agent, language=language, title=title, body=body)


def test_only_a_draft_goes_to_review_and_a_published_text_is_not_published_twice(world):
    t = do_publish(_draft(world.agent), acting_user=world.manager)
    with pytest.raises(Conflict):
        do_submit_for_review(t, acting_user=world.agent)
    with pytest.raises(Conflict):
        do_publish(t, acting_user=world.manager)


def test_keys_are_unique_slugs_of_the_title(world):
    a = _draft(world.agent).article
    b = _draft(world.agent).article
    assert (a.key, b.key) == ("closing-a-month", "closing-a-month-2")


def test_a_resolved_ticket_becomes_a_staff_only_draft_with_the_public_answers(world):
    ticket = make_ticket(
        world.contact_a, subject="Wie storniere ich eine Rechnung?", description="Bitte helfen."
    )
    do_add_message(
        ticket, acting_user=world.agent, body="Öffnen Sie die Rechnung und wählen Sie Stornieren."
    )
    do_add_message(
        ticket, acting_user=world.agent, body="Interne Notiz: Kunde ungeduldig.", internal=True
    )
    with pytest.raises(Conflict):
        do_draft_from_ticket(ticket, acting_user=world.agent)
    ticket.refresh_from_db()
    do_transition(ticket, "resolved", acting_user=world.agent)
    ticket.refresh_from_db()
    t = do_draft_from_ticket(ticket, acting_user=world.agent)
    assert (t.language, t.status, t.title) == (ticket.language, "draft", ticket.subject)
    assert t.article.visibility == "staff" and t.article.source_ticket == ticket
    assert "wählen Sie Stornieren" in t.body and "Bitte helfen" in t.body
    assert "ungeduldig" not in t.body
