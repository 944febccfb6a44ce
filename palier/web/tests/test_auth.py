"""Sign-in, sign-out, password reset and their rate limits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    limit_cache().clear()
    yield
    limit_cache().clear()


def _sign_in(client: Client, identifier: str, password: str = "palier-demo"):
    return client.post(reverse("web:login"), {"username": identifier, "password": password})


def test_login_page_renders_with_csrf_and_csp_and_no_inline_script(client):
    response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert 'name="htmx-config"' in html and '"includeIndicatorStyles": false' in html


def test_contact_signs_in_with_email_and_lands_on_the_portal(client, world):
    response = _sign_in(client, "ANNA.A@example.com")
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse("web:portal:home")


def test_contact_signs_in_with_username(client, world):
    assert _sign_in(client, "anna.a").status_code == 302


def test_session_key_changes_at_sign_in_and_dies_at_sign_out(client, world):
    client.get(reverse("web:login"))
    client.session.save()
    before = client.session.session_key
    _sign_in(client, "anna.a")
    during = client.session.session_key
    assert during and during != before
    from palier.accounts.sessions import SessionStore

    assert SessionStore().exists(during)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert not SessionStore().exists(during)
    assert client.get(reverse("web:portal:home")).status_code == 302


def test_sign_out_by_get_is_refused(client, world):
    client.force_login(world.contact_a)
    assert client.get(reverse("web:logout")).status_code == 405


def test_wrong_password_and_unknown_account_get_the_same_answer(client, world):
    wrong = _sign_in(client, "anna.a@example.com", "nope")
    unknown = _sign_in(client, "nobody@example.com", "nope")
    assert wrong.status_code == unknown.status_code == 200
    assert "The email or password is not correct." in wrong.content.decode()
    assert "The email or password is not correct." in unknown.content.decode()


@pytest.mark.parametrize("identifier", ["anna.a@example.com", "ghost@example.com"])
def test_sign_in_is_limited_per_account_even_with_the_right_password(client, world, identifier):
    for _ in range(5):
        _sign_in(client, identifier, "wrong")
    response = _sign_in(client, identifier)
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_alternating_email_and_username_shares_one_account_budget(client, world):
    for n in range(5):
        _sign_in(client, "anna.a@example.com" if n % 2 else "anna.a", "wrong")
    response = _sign_in(client, "anna.a")
    assert "Too many attempts" in response.content.decode()


def test_sign_in_is_limited_per_address_across_accounts(client, world):
    for n in range(30):
        _sign_in(client, f"spray{n}@example.com", "wrong")
    response = _sign_in(client, "anna.a")
    assert "Too many attempts" in response.content.decode()
    other_address = Client(REMOTE_ADDR="10.9.9.9")
    assert _sign_in(other_address, "anna.a").status_code == 302


def test_behind_the_proxy_each_caller_has_its_own_address_budget(world, settings):
    """Behind nginx every request comes from 127.0.0.1: the caller is the address the proxy
    appended to X-Forwarded-For, not anything the caller wrote in front of it."""
    settings.PALIER_BEHIND_PROXY = True
    sprayer = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(30):
        _sign_in(sprayer, f"spray{n}@example.com", "wrong")
    assert "Too many attempts" in _sign_in(sprayer, "anna.a").content.decode()
    # Writing another address in front does not escape the limit.
    spoofing = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.7")
    assert "Too many attempts" in _sign_in(spoofing, "anna.a").content.decode()
    # Another caller through the same proxy signs in.
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert _sign_in(colleague, "anna.a").status_code == 302


def test_a_caller_bypassing_the_proxy_cannot_pick_its_address(world, settings):
    settings.PALIER_BEHIND_PROXY = True
    for n in range(30):
        direct = Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        _sign_in(direct, f"spray{n}@example.com", "wrong")
    direct = Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert "Too many attempts" in _sign_in(direct, "anna.a").content.decode()


def test_without_a_proxy_x_forwarded_for_is_ignored(world, settings):
    settings.PALIER_BEHIND_PROXY = False
    for n in range(30):
        _sign_in(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), f"spray{n}@x.org", "wrong")
    fresh_header = Client(HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert "Too many attempts" in _sign_in(fresh_header, "anna.a").content.decode()


def test_password_reset_mails_a_working_link(client, world):
    response = client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-better-secret-42", "new_password2": "a-much-better-secret-42"},
    )
    assert done.status_code == 302
    assert _sign_in(Client(), "anna.a", "a-much-better-secret-42").status_code == 302


def test_password_reset_answers_the_same_for_unknown_addresses(client, world):
    known = client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    unknown = client.post(reverse("web:password_reset"), {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_password_reset_is_limited_per_account_without_saying_so(client, world):
    for _ in range(5):
        response = client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
        assert response.status_code == 302
    assert len(mail.outbox) == 3


def test_invalid_reset_email_is_shown_next_to_the_field(client):
    response = client.post(reverse("web:password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


def test_user_language_is_the_default_and_the_switch_overrides_it(client, world):
    client.force_login(world.contact_b)  # French
    page = client.get(reverse("web:portal:home"), HTTP_ACCEPT_LANGUAGE="de")
    assert page.content.decode().count('<html lang="fr">') == 1
    client.post(reverse("web:set_language"), {"language": "it", "next": "/portal/"})
    page = client.get(reverse("web:portal:home"))
    assert '<html lang="it">' in page.content.decode()


def test_anonymous_visitor_gets_the_browser_language(client):
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9")
    assert '<html lang="de">' in page.content.decode()


def test_form_fields_are_linked_to_their_errors_for_screen_readers(client):
    html = client.post(reverse("web:password_reset"), {"email": "nope"}).content.decode()
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_email_error"' in html


def test_not_found_page_uses_the_layout(client, world, english):
    client.force_login(world.contact_a)
    response = client.get("/portal/requests/999999/")
    assert response.status_code == 404
    assert "This page does not exist, or you do not have access to it." in response.content.decode()


def test_csrf_failure_is_a_friendly_page():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("web:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "The form expired or was sent from another site." in response.content.decode()


def test_limits_are_kept_in_the_database_shared_by_all_workers(client, world):
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connection

    assert isinstance(limit_cache(), DatabaseCache)
    _sign_in(client, "anna.a", "wrong")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM palier_ratelimit_cache")
        assert cursor.fetchone()[0] == 2  # one row per account, one per address


def test_field_partial_with_a_missing_field_renders_nothing():
    from django.template.loader import render_to_string

    assert render_to_string("web/partials/field.html", {"field": ""}).count("<input") == 0
