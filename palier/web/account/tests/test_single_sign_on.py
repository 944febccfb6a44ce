"""Single sign-on against a real OpenID Connect provider on loopback (node's oidc-provider):
the desk's client (authlib) does discovery, PKCE, the code exchange and the ID token's
checks for real. Nobody is created; only verified addresses of existing accounts open."""

from __future__ import annotations

import urllib.parse

import pytest
import requests
from django.test import Client

from palier.accounts.models import ExternalIdentity
from palier.audit.models import AuditEntry
from palier.testing.oidc import start_provider, stop_provider
from palier.web.account.tests.helpers import enrol_app, next_code
from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/login/sso/idp/callback/"
ACCOUNTS = {
    "anna-at-idp": {"email": "Anna.A@example.com", "email_verified": True, "name": "Anna"},
    "lena-at-idp": {"email": "lena.agent@example.com", "email_verified": True},
    "maria-at-idp": {"email": "maria.manager@example.com", "email_verified": True},
    "unverified": {"email": "anna.a@example.com", "email_verified": False},
    "no-claim": {"email": "anna.a@example.com"},
    "stranger": {"email": "stranger@alpenkaese.ch", "email_verified": True},
    "recycled": {"email": "anna.a@example.com", "email_verified": True},
}


@pytest.fixture(scope="module")
def provider():
    started = start_provider([CALLBACK], ACCOUNTS)
    yield started
    stop_provider(started)


@pytest.fixture
def idp(provider, settings):
    limit_cache().clear()
    settings.PALIER_OIDC_PROVIDERS = {"idp": provider.settings()}
    return provider


def through_the_provider(client: Client, provider, account: str, next_url: str = "/"):
    """Start at the desk, follow the provider's redirects as a browser would (the person is
    signed in there as `account`), and come back to the desk's callback."""
    provider.sign_in_as(account)
    start = client.get("/login/sso/idp/", {"next": next_url})
    assert start.status_code == 302
    location = start["Location"]
    assert location.startswith(provider.issuer + "/auth?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    at_provider = requests.Session()
    for _ in range(10):
        answer = at_provider.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        location = urllib.parse.urljoin(location, answer.headers["Location"])
        if location.startswith("http://testserver/"):
            break
    return client.get(location.removeprefix("http://testserver"))


def test_the_sign_in_page_offers_the_provider(client, idp):
    page = client.get("/login/?next=/portal/").content.decode()
    assert 'href="/login/sso/idp/?next=/portal/"' in page and "Sign in with Test ID" in page


def test_a_contact_with_a_verified_address_signs_in_and_is_bound(client, world, idp):
    response = through_the_provider(client, idp, "anna-at-idp", "/portal/requests/")
    assert response.status_code == 302 and response["Location"] == "/portal/requests/"
    assert client.get("/portal/").status_code == 200
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.subject) == (world.contact_a, "anna-at-idp")
    assert AuditEntry.objects.filter(action="external_identity.bound").count() == 1


@pytest.mark.parametrize("account", ["unverified", "no-claim"])
def test_an_unverified_address_opens_nothing(client, world, idp, account):
    response = through_the_provider(client, idp, account)
    assert response.status_code == 403
    assert "Test ID did not confirm that this email address is yours." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()


def test_an_unknown_address_opens_nothing_even_in_a_customers_domain(client, world, idp):
    world.customer_a.email_domain = "alpenkaese.ch"
    world.customer_a.save()
    from palier.accounts.models import User

    users = User.objects.count()
    response = through_the_provider(client, idp, "stranger")
    assert response.status_code == 403
    assert "No account at this desk uses the address Test ID confirmed." in (
        response.content.decode()
    )
    assert User.objects.count() == users and "_auth_user_id" not in client.session


def test_another_person_showing_a_bound_address_is_refused(world, idp):
    through_the_provider(Client(), idp, "anna-at-idp")
    response = through_the_provider(Client(), idp, "recycled")
    assert response.status_code == 403
    assert "already bound to another Test ID account" in response.content.decode()


def test_a_provider_for_staff_does_not_open_a_contacts_account(client, world, idp, settings):
    settings.PALIER_OIDC_PROVIDERS = {"idp": idp.settings(**{"for": "staff"})}
    response = through_the_provider(client, idp, "anna-at-idp")
    assert response.status_code == 403
    assert "Your account does not sign in through Test ID." in response.content.decode()
    assert through_the_provider(Client(), idp, "lena-at-idp", "/desk/")["Location"] == "/desk/"


def test_staff_with_a_second_factor_are_still_asked_for_it(world, idp):
    setup = Client()
    setup.force_login(world.agent)
    enrol_app(setup)
    client = Client()
    response = through_the_provider(client, idp, "lena-at-idp", "/desk/")
    assert response["Location"] == "/login/verify/?next=%2Fdesk%2F"
    assert client.get("/desk/")["Location"].startswith("/login/verify/")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=world.agent)
    assert client.post("/login/verify/?next=/desk/", {"code": next_code(device)})["Location"] == (
        "/desk/"
    )


def test_a_provider_that_enforces_mfa_counts_as_the_second_factor(world, idp, settings):
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager"})
    settings.PALIER_OIDC_PROVIDERS = {"idp": idp.settings(mfa=True)}
    client = Client()
    assert through_the_provider(client, idp, "maria-at-idp", "/billing/")["Location"] == (
        "/billing/"
    )
    assert client.get("/billing/").status_code == 200


def test_a_required_role_through_a_plain_provider_must_add_a_factor(world, idp, settings):
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager"})
    client = Client()
    response = through_the_provider(client, idp, "maria-at-idp", "/billing/")
    assert response["Location"] == "/account/two-factor/?next=%2Fbilling%2F"


def test_a_forged_callback_opens_nothing(client, world, idp):
    client.get("/login/sso/idp/")
    response = client.get("/login/sso/idp/callback/", {"code": "made-up", "state": "made-up"})
    assert response.status_code == 502 and "_auth_user_id" not in client.session


def test_a_deactivated_bound_account_opens_nothing(world, idp):
    through_the_provider(Client(), idp, "anna-at-idp")
    world.contact_a.is_active = False
    world.contact_a.save(update_fields=["is_active"])
    client = Client()
    assert through_the_provider(client, idp, "anna-at-idp").status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_unknown_provider_is_not_found(client, idp):
    assert client.get("/login/sso/nope/").status_code == 404


def test_locked_out_by_passwords_the_provider_does_not_open_the_account(world, idp):
    from palier.web.account.tests.helpers import sign_in

    for _ in range(5):
        sign_in(Client(), "anna.a", "wrong")
    client = Client()
    response = through_the_provider(client, idp, "anna-at-idp")
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
