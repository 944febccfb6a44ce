"""The language switch: the page changes at once and the profile remembers it for mails."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.accounts.actions import do_set_language
from palier.accounts.models import User
from palier.lib.errors import DomainError


def test_the_switch_saves_a_signed_in_contacts_language_to_the_profile(client, world):
    client.force_login(world.contact_b)  # French in the profile
    response = client.post("/language/", {"language": "it", "next": "/portal/"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert User.objects.get(pk=world.contact_b.pk).language == "it"
    assert "Nuova richiesta" in client.get("/portal/").content.decode()


def test_staff_language_is_saved_too(client, world):
    client.force_login(world.agent)
    client.post("/language/", {"language": "de", "next": "/desk/"})
    assert User.objects.get(pk=world.agent.pk).language == "de"


def test_an_unknown_language_changes_nothing(client, world):
    client.force_login(world.contact_b)
    response = client.post("/language/", {"language": "xx", "next": "/portal/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=world.contact_b.pk).language == "fr"


def test_an_anonymous_visitor_gets_the_cookie_only(client, world):
    response = client.post("/language/", {"language": "de", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert response["Location"] == "/login/"


def test_the_switch_refuses_a_foreign_redirect_and_a_get(client, world):
    client.force_login(world.contact_b)
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/language/?language=de").status_code == 405
    assert User.objects.get(pk=world.contact_b.pk).language == "de"


def test_the_switch_is_protected_against_cross_site_posts(world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.contact_b)
    assert csrf_client.post("/language/", {"language": "de"}).status_code == 403
    assert User.objects.get(pk=world.contact_b.pk).language == "fr"


@pytest.mark.django_db
def test_do_set_language_refuses_a_language_the_desk_does_not_speak(world):
    with pytest.raises(DomainError) as refused:
        do_set_language(world.contact_a, "es")
    assert refused.value.code == "unknown_language"


@pytest.mark.parametrize("language", ["fr", "de", "it", "en"])
def test_the_menu_names_each_language_in_itself(client, world, language):
    """A French reader looking for English finds "English", not "Anglais"."""
    client.force_login(world.contact_b)
    client.post("/language/", {"language": language, "next": "/portal/"})
    html = client.get("/portal/").content.decode()
    menu = html.split('id="lang-select"', 1)[1].split("</select>", 1)[0]
    for name in ("English", "Français", "Deutsch", "Italiano"):
        assert f">{name}</option>" in menu
