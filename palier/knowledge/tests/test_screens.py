"""The knowledge-base screens: help centre, staff editing, agent's partials; query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palier.knowledge.models import Article, ArticleTranslation
from palier.testing.factories import make_customer, make_ticket, make_user
from palier.tickets.actions import do_transition


@pytest.fixture
def en(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_help_centre_groups_articles_by_module_for_a_visitor(client, shelf, en):
    html = client.get(reverse("web:knowledge:home")).content.decode()
    assert "Finance" in html and "Logistics" in html
    assert "Reversing a posted invoice" in html
    assert "Year-end closing checklist" not in html and "Workaround for error 4711" not in html


def test_the_help_centre_searches(client, shelf, en):
    html = client.get(reverse("web:knowledge:home"), {"q": "warehouses"}).content.decode()
    assert "Moving stock between warehouses" in html and "Reversing" not in html


def test_the_help_centre_page_costs_a_fixed_number_of_queries(
    client, world, shelf, en, django_assert_max_num_queries
):
    client.force_login(world.contact_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:knowledge:home")).status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("web:knowledge:home"), {"q": "invoice"})


def test_the_suggestion_partial_costs_a_fixed_number_of_queries(
    client, world, shelf, django_assert_max_num_queries
):
    client.force_login(world.contact_a)
    text = "Die Rechnung ist verbucht, wie kann ich sie stornieren? invoice stock warehouses"
    with django_assert_max_num_queries(9):
        response = client.get(reverse("web:knowledge:suggest"), {"subject": text})
    assert response.content.decode().count('class="article-item suggestion"') == 3


def test_a_short_text_asks_for_nothing_yet(client, world, shelf, en, django_assert_max_num_queries):
    client.force_login(world.contact_a)
    with django_assert_max_num_queries(4):
        html = client.get(reverse("web:knowledge:suggest"), {"subject": "Rech"}).content.decode()
    assert "article-item" not in html and "Describe your request" in html


@pytest.mark.parametrize("name", ["manage", "new"])
@pytest.mark.parametrize(("persona", "status"), [("agent", 200), ("contact_a", 404)])
def test_the_manage_screens_are_for_staff(client, world, shelf, name, persona, status, en):
    client.force_login(getattr(world, persona))
    assert client.get(reverse(f"web:knowledge:{name}")).status_code == status


def test_an_agent_writes_a_draft_a_translation_and_sends_it_for_review(client, world, en):
    client.force_login(world.agent)
    response = client.post(
        reverse("web:knowledge:new"),
        {
            "language": "en",
            "title": "Printing labels",
            "body": "Choose a printer.",
            "visibility": "customers",
            "module": "",
        },
    )
    article = Article.objects.get(translations__title="Printing labels")
    assert response["Location"] == reverse("web:knowledge:detail", args=[article.key])
    client.post(
        reverse("web:knowledge:edit", args=[article.key, "fr"]),
        {"title": "Imprimer des étiquettes", "body": "Choisissez une imprimante."},
    )
    client.post(reverse("web:knowledge:move", args=[article.key, "fr", "submit"]))
    client.post(reverse("web:knowledge:move", args=[article.key, "fr", "publish"]))  # refused
    fr = ArticleTranslation.objects.get(article=article, language="fr")
    assert fr.status == "review" and not fr.is_live
    client.force_login(world.manager)
    client.post(reverse("web:knowledge:move", args=[article.key, "fr", "publish"]))
    fr.refresh_from_db()
    assert fr.is_live
    html = client.get(reverse("web:knowledge:detail", args=[article.key])).content.decode()
    assert "Imprimer des étiquettes" in html and 'id="article-history"' in html


def test_the_article_settings_form_refuses_an_unknown_visibility(client, world, shelf, en):
    client.force_login(world.agent)
    response = client.post(
        reverse("web:knowledge:detail", args=[shelf.everyone.key]), {"visibility": "world"}
    )
    assert (
        response.status_code == 200
        and "world" not in Article.objects.get(pk=shelf.everyone.pk).visibility
    )


def test_the_insert_partial_offers_only_what_the_customer_may_read_in_their_language(
    client, world, shelf, django_assert_max_num_queries
):
    ticket = make_ticket(world.contact_b, subject="Invoice printing error 4711")  # French desk
    client.force_login(world.agent)
    url = reverse("web:knowledge:insert", args=[ticket.pk])
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert "Extourner une facture comptabilisée" in html  # in the customer's language
    assert "known-workaround-4711" not in html  # staff only: never into a reply
    assert "/help/articles/reverse-invoice/" in html


def test_an_expired_customers_reply_gets_no_contract_article(client, world, shelf):
    expired = make_customer("gone", end_days=-1)
    contact = make_user("gone.contact", customer=expired)
    ticket = make_ticket(world.contact_a, subject="closing periods")
    ticket.customer, ticket.contact = expired, contact
    ticket.save(update_fields=["customer", "contact"])
    client.force_login(world.agent)
    html = client.get(
        reverse("web:knowledge:insert", args=[ticket.pk]), {"q": "periods"}
    ).content.decode()
    assert "closing-checklist" not in html


def test_the_agents_partials_are_not_for_contacts(client, world, shelf):
    ticket = make_ticket(world.contact_a)
    client.force_login(world.contact_a)
    for name in ("insert", "triage"):
        assert client.get(reverse(f"web:knowledge:{name}", args=[ticket.pk])).status_code == 404


def test_an_agent_turns_a_resolved_ticket_into_a_draft(client, world, en):
    ticket = make_ticket(world.contact_a, subject="Stornieren einer Rechnung")
    do_transition(ticket, "resolved", acting_user=world.agent)
    client.force_login(world.agent)
    response = client.post(reverse("web:knowledge:from_ticket", args=[ticket.pk]))
    article = Article.objects.get(source_ticket=ticket)
    assert response["Location"] == reverse("web:knowledge:edit", args=[article.key, "de"])


def test_the_portal_explanation_links_the_article_that_says_why(client, world):
    ticket = make_ticket(world.contact_a, request_type="feature", subject="Neue Spalte")
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "/help/articles/why-level-2/" in html
    assert "/help/articles/why-billable/" in html
    assert "/help/articles/why-ticket/" in html
