"""Two-factor sign-in in a real browser (Debian's Chromium through Playwright): an
authenticator app, a passkey on Chromium's virtual authenticator (DevTools' WebAuthn
domain), and a recovery code."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from palier.accounts.actions import do_add_totp, do_new_recovery_codes
from palier.web.account.tests.helpers import PASSWORD, code_for, next_code
from palier.web.ratelimit import limit_cache

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


@pytest.fixture
def csp_violations() -> list[str]:
    return []


@pytest.fixture
def staff_browser(browser, live_server, settings, csp_violations):
    """A fresh browser context on the live server, the desk's WebAuthn origin set to it."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    limit_cache().clear()
    context = browser.new_context(base_url=live_server.url, locale="en")
    page = context.new_page()
    page.on(
        "console",
        lambda msg: csp_violations.append(msg.text) if "Content Security" in msg.text else None,
    )
    yield context, page
    context.close()


def password_step(page, username: str, next_url: str = "/desk/") -> None:
    page.goto(f"/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")


def sign_out(page) -> None:
    page.click("header form[action='/logout/'] button")
    page.wait_for_url("**/login/")


def test_an_agent_adds_an_app_and_signs_in_with_its_code(staff_browser, world, csp_violations):
    _context, page = staff_browser
    password_step(page, "lena.agent")
    page.wait_for_url("**/desk/")
    page.click("a.whoami")
    page.click("text=Add a second factor")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    from base64 import b32decode

    key = b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("#id_code", code_for(key))
    page.click("text=Add the app")
    page.wait_for_url("**/account/two-factor/recovery-codes/**")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    page.click("text=I have kept them")
    page.wait_for_url("**/account/")
    assert "On: after your password" in page.inner_text("#two-factor")
    sign_out(page)

    password_step(page, "lena.agent")
    page.wait_for_url("**/login/verify/**")
    page.fill("#id_code", next_code(TOTPDevice.objects.get(user=world.agent)))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/desk/")
    assert csp_violations == []


def test_an_agent_adds_a_passkey_and_signs_in_with_it(staff_browser, world, csp_violations):
    context, page = staff_browser
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    password_step(page, "lena.agent")
    page.wait_for_url("**/desk/")
    page.goto("/account/two-factor/")
    page.click("text=Add a passkey or security key")
    page.wait_for_url("**/account/two-factor/recovery-codes/**")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=I have kept them")
    page.wait_for_url("**/account/")
    assert "Passkey or security key" in page.inner_text("#two-factor")
    sign_out(page)

    password_step(page, "lena.agent", next_url="/rnd/")
    page.wait_for_url("**/login/verify/**")
    page.click("text=Use a passkey or security key")
    page.wait_for_url("**/rnd/")
    assert page.url.endswith("/rnd/")
    assert csp_violations == []


def test_a_manager_signs_in_with_a_recovery_code(staff_browser, world, csp_violations):
    _context, page = staff_browser
    do_add_totp(world.manager, key="3132333435363738393031323334353637383930", last_t=0, name="x")
    codes = do_new_recovery_codes(world.manager)
    password_step(page, "maria.manager", next_url="/billing/")
    page.wait_for_url("**/login/verify/**")
    page.fill("#id_code", f"{codes[3][:4]}-{codes[3][4:]}")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/billing/")
    assert "You signed in with a recovery code; 9 are left." in page.inner_text(".flash")
    assert csp_violations == []
