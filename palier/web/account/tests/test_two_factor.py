"""Two-factor sign-in: adding an app, the second step, recovery codes, trusted browsers,
the requirement for some roles, and the doors a pending session may not open."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from palier.accounts import twofactor
from palier.accounts.models import TrustedBrowser
from palier.audit.models import AuditEntry
from palier.web.account.tests.helpers import (
    code_for,
    enrol_app,
    next_code,
    sign_in,
    verified_client,
)
from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    limit_cache().clear()
    yield
    limit_cache().clear()


@pytest.fixture
def agent_with_app(world):
    """The level-1 agent with an authenticator app, signed out."""
    client = Client()
    client.force_login(world.agent)
    _key, codes = enrol_app(client)
    device = TOTPDevice.objects.get(user=world.agent)
    return device, codes


def test_adding_the_first_app_shows_ten_recovery_codes_once_and_is_audited(client, world):
    client.force_login(world.agent)
    page = client.get("/account/two-factor/").content.decode()
    assert 'src="data:image/svg+xml' in page and 'id="totp-secret"' in page
    _key, codes = enrol_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/account/two-factor/recovery-codes/")["Location"] == "/account/"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[:3] == [
        "two_factor.added",
        "two_factor.enabled",
        "two_factor.recovery_codes_renewed",
    ]


def test_a_wrong_first_code_adds_nothing(client, world):
    client.force_login(world.agent)
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not correct." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.agent).exists()


def test_the_password_alone_opens_only_the_second_step(world, agent_with_app):
    client = Client()
    response = sign_in(client, "lena.agent", next_url="/desk/")
    assert response["Location"] == "/login/verify/?next=%2Fdesk%2F"
    for path in ("/desk/", "/account/", "/admin/", "/billing/", "/account/two-factor/"):
        assert client.get(path)["Location"].startswith("/login/verify/?next="), path
    api = client.get("/api/v1/tickets")
    assert api.status_code == 401 and api.json()["error"]["code"] == "unauthenticated"


def test_the_app_code_opens_the_session_with_a_new_key(world, agent_with_app):
    device, _codes = agent_with_app
    client = Client()
    sign_in(client, "lena.agent", next_url="/desk/")
    pending_key = client.session.session_key
    response = client.post("/login/verify/?next=/desk/", {"code": next_code(device)})
    assert response["Location"] == "/desk/"
    assert client.session.session_key != pending_key
    assert client.get("/desk/").status_code == 200
    assert client.get("/api/v1/tickets").status_code == 200


def test_a_code_is_accepted_once(world, agent_with_app):
    device, _codes = agent_with_app
    first = Client()
    sign_in(first, "lena.agent")
    code = next_code(device)
    first.post("/login/verify/", {"code": code})
    second = Client()
    sign_in(second, "lena.agent")
    response = second.post("/login/verify/", {"code": code})
    assert "This code is not correct." in response.content.decode()


def test_a_recovery_code_opens_once_and_says_how_many_are_left(world, agent_with_app):
    _device, codes = agent_with_app
    client = Client()
    sign_in(client, "lena.agent")
    response = client.post("/login/verify/", {"code": codes[0].upper()}, follow=True)
    assert "9 are left" in response.content.decode()
    again = Client()
    sign_in(again, "lena.agent")
    response = again.post("/login/verify/", {"code": codes[0]})
    assert "This code is not correct." in response.content.decode()
    assert StaticToken.objects.filter(device__user=world.agent).count() == 9


def test_wrong_codes_lock_the_account_out_of_every_door(world, agent_with_app):
    device, _codes = agent_with_app
    client = Client()
    sign_in(client, "lena.agent")
    for _ in range(5):
        client.post("/login/verify/", {"code": "123456"})
    response = client.post("/login/verify/", {"code": next_code(device)}, follow=True)
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refused = sign_in(Client(), "lena.agent")
    assert refused.status_code == 200 and "Too many attempts" in refused.content.decode()


def test_locked_out_by_passwords_the_second_step_refuses_too(world, agent_with_app):
    device, _codes = agent_with_app
    client = Client()
    sign_in(client, "lena.agent")  # the password was right: the second step is pending
    for _ in range(5):
        sign_in(Client(), "lena.agent", "wrong")
    response = client.post("/login/verify/", {"code": next_code(device)}, follow=True)
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_trusted_browser_skips_the_second_step_until_forgotten(world, agent_with_app, settings):
    settings.PALIER_2FA_REMEMBER_DAYS = 30
    device, _codes = agent_with_app
    client = Client()
    sign_in(client, "lena.agent")
    client.post("/login/verify/", {"code": next_code(device), "trust_browser": "on"})
    assert client.cookies[twofactor.TRUST_COOKIE]["max-age"] == 30 * 24 * 3600
    client.post("/logout/")
    assert sign_in(client, "lena.agent")["Location"] == "/"
    assert client.get("/desk/").status_code == 200
    # Another person in the same browser is still asked.
    client.post("/logout/")
    other = Client()
    other.force_login(world.manager)
    enrol_app(other)
    client.cookies[twofactor.TRUST_COOKIE] = client.cookies[twofactor.TRUST_COOKIE].value
    assert sign_in(client, "maria.manager")["Location"].startswith("/login/verify/")
    client.post("/logout/")
    # Forgotten on the security page: asked again.
    browser = TrustedBrowser.objects.get(user=world.agent)
    keeper = verified_client("lena.agent", device)
    keeper.post(f"/account/two-factor/browsers/{browser.pk}/forget/")
    assert sign_in(client, "lena.agent")["Location"].startswith("/login/verify/")


def test_a_forged_trust_cookie_is_ignored(world, agent_with_app):
    client = Client()
    client.cookies[twofactor.TRUST_COOKIE] = "1:forged"
    assert sign_in(client, "lena.agent")["Location"].startswith("/login/verify/")


def test_a_required_role_without_a_factor_must_add_one_before_anything(world, settings):
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager", "admin"})
    client = Client()
    response = sign_in(client, "maria.manager", next_url="/billing/")
    assert response["Location"] == "/account/two-factor/?next=%2Fbilling%2F"
    for path in ("/desk/", "/account/", "/admin/", "/login/verify/"):
        assert client.get(path)["Location"].startswith("/account/two-factor/?next="), path
    page = client.get("/account/two-factor/?next=/billing/").content.decode()
    assert "Your role signs in with two factors." in page
    enrol_app(client)
    assert client.get("/billing/").status_code == 200
    # An agent's role is not required: the password alone still opens the desk.
    agent = Client()
    assert sign_in(agent, "lena.agent", next_url="/desk/")["Location"] == "/desk/"


def test_switching_the_requirement_on_reaches_sessions_already_open(world, settings):
    client = Client()
    sign_in(client, "maria.manager")
    assert client.get("/desk/").status_code == 200
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager"})
    assert client.get("/desk/")["Location"].startswith("/account/two-factor/")


def test_a_required_role_cannot_remove_its_last_factor(world, settings):
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager"})
    client = Client()
    sign_in(client, "maria.manager")
    enrol_app(client)
    device = TOTPDevice.objects.get(user=world.manager)
    response = client.post(
        f"/account/two-factor/app/{device.pk}/remove/", {"password": "palier-demo"}, follow=True
    )
    assert "add another one before removing this one" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_removing_the_last_factor_turns_it_off_with_the_password(world, agent_with_app):
    device, _codes = agent_with_app
    client = verified_client("lena.agent", device)
    wrong = client.post(
        f"/account/two-factor/app/{device.pk}/remove/", {"password": "nope"}, follow=True
    )
    assert "This password is not correct." in wrong.content.decode()
    client.post(f"/account/two-factor/app/{device.pk}/remove/", {"password": "palier-demo"})
    assert not TOTPDevice.objects.filter(user=world.agent).exists()
    assert not StaticToken.objects.filter(device__user=world.agent).exists()
    assert AuditEntry.objects.filter(action="two_factor.disabled").count() == 1
    assert sign_in(Client(), "lena.agent")["Location"] == "/"


def test_someone_elses_device_cannot_be_removed(client, world, agent_with_app):
    device, _codes = agent_with_app
    client.force_login(world.consultant)
    response = client.post(
        f"/account/two-factor/app/{device.pk}/remove/", {"password": "palier-demo"}
    )
    assert response.status_code == 404


def test_the_second_step_page_offers_what_the_user_has(world, agent_with_app):
    client = Client()
    sign_in(client, "lena.agent")
    page = client.get("/login/verify/").content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert 'data-passkey="verify"' not in page  # no passkey registered
    assert code_for  # the helper is what an app computes


def test_an_htmx_request_of_a_pending_session_is_told_to_load_the_second_step(
    world, agent_with_app
):
    client = Client()
    sign_in(client, "lena.agent")
    response = client.get("/desk/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"].startswith("/login/verify/?next=")
