"""Who reads which article: every persona against every visibility, on every way in (the
article page, the help centre's list, its search, the suggestions beside a new request)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from palier.knowledge.queries import access_article_by_key, readings, search_articles

VISIBLE = {
    # persona: the shelf's articles it reads
    "anonymous": {"everyone", "english_only"},
    "contact_a": {"everyone", "customers", "english_only"},
    "contact_b": {"everyone", "customers", "english_only"},
    "contact_expired": {"everyone", "english_only"},
    "agent": {"everyone", "customers", "staff", "english_only"},
    "manager": {"everyone", "customers", "staff", "english_only"},
}
ARTICLES = ["everyone", "customers", "staff", "draft", "english_only"]


def _persona(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_each_persona_reads_exactly_the_articles_its_access_opens(world, shelf, persona):
    user = _persona(world, persona)
    keys = {getattr(shelf, name).key: name for name in ARTICLES}
    listed = {keys[r.article.key] for r in readings(user, "en") if r.article.key in keys}
    assert listed == VISIBLE[persona]
    for name in ARTICLES:
        article = getattr(shelf, name)
        if name in VISIBLE[persona]:
            assert access_article_by_key(user, article.key, "en").article == article
        else:
            with pytest.raises(Exception) as exc:
                access_article_by_key(user, article.key, "en")
            assert exc.typename == "Http404"


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_search_never_finds_what_the_persona_may_not_read(world, shelf, persona):
    user = _persona(world, persona)
    keys = {getattr(shelf, name).key: name for name in ARTICLES}
    # "invoice" is in the public, staff-only and draft articles; "periods" in the contract one.
    found = {
        keys[r.article.key] for r in search_articles(user, "invoice", "en") if r.article.key in keys
    }
    assert found == {"everyone", "staff"} & VISIBLE[persona]
    found = {keys[r.article.key] for r in search_articles(user, "periods", "en")}
    assert found == {"customers"} & VISIBLE[persona]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("contact_expired", 404), ("contact_a", 200), ("agent", 200)],
)
def test_the_contract_article_page_answers_by_access(client, world, shelf, persona, status):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    response = client.get(reverse("web:knowledge:article", args=[shelf.customers.key]))
    assert response.status_code == status


def test_a_contact_gets_not_found_for_a_staff_only_article_and_a_draft(client, world, shelf):
    client.force_login(world.contact_a)
    for article in (shelf.staff, shelf.draft):
        response = client.get(reverse("web:knowledge:article", args=[article.key]))
        assert response.status_code == 404


def test_suggestions_beside_a_new_request_respect_access(client, world, shelf):
    client.force_login(world.contact_a)
    url = reverse("web:knowledge:suggest")
    html = client.get(
        url, {"subject": "Printing an invoice fails with error 4711"}
    ).content.decode()
    assert 'data-article="reverse-invoice"' in html
    assert "known-workaround-4711" not in html  # staff only
    assert "Eine verbuchte Rechnung stornieren" in html  # contact_a reads German


def test_the_suggestion_partial_is_for_contacts_only(client, world, shelf):
    response = client.get(reverse("web:knowledge:suggest"), {"subject": "invoice reversal"})
    assert response.status_code == 302  # to sign in
    client.force_login(world.agent)
    response = client.get(reverse("web:knowledge:suggest"), {"subject": "invoice reversal"})
    assert response.status_code == 302  # staff are sent to their workspace


def test_a_contact_of_an_expired_contract_gets_public_suggestions_only(client, world, shelf):
    client.force_login(world.contact_expired)
    html = client.get(
        reverse("web:knowledge:suggest"), {"subject": "year-end closing of the periods, invoice"}
    ).content.decode()
    assert "closing-checklist" not in html
    assert 'data-article="reverse-invoice"' in html
