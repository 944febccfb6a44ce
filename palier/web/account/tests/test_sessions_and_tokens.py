"""Sessions a user sees and ends, idle staff sessions, reset links, API tokens that expire
or only read, and a deactivated user locked out at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from palier.accounts.actions import do_create_token
from palier.accounts.models import ApiToken, UserSession
from palier.audit.models import AuditEntry
from palier.web.account.tests.helpers import sign_in
from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limit_cache().clear()
    yield
    limit_cache().clear()


def test_a_reset_link_lives_one_hour(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/password-reset/", {"email": "anna.a@example.com"})
    link = re.search(r"http://testserver(/password-reset/\S+)", mail.outbox[0].body).group(1)
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert Client().get(link, follow=True).context["validlink"]
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        page = Client().get(link, follow=True)
        assert not page.context["validlink"]
        assert "no longer valid" in page.content.decode()


def test_a_staff_session_ends_after_the_idle_time(world, settings):
    settings.PALIER_STAFF_IDLE_MINUTES = 30
    start = timezone.now()
    staff, contact = Client(), Client()
    with time_machine.travel(start, tick=False):
        sign_in(staff, "lena.agent")
        sign_in(contact, "anna.a")
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert staff.get("/desk/").status_code == 200  # activity restarts the clock
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert staff.get("/desk/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        response = staff.get("/desk/", follow=True)
        assert response.redirect_chain[0][0] == "/login/?next=%2Fdesk%2F"
        assert "signed out after a period of inactivity" in response.content.decode()
        assert staff.get("/api/v1/tickets").status_code == 401
        # A contact's session is not a staff session: no idle limit.
        assert contact.get("/portal/").status_code == 200


def english(client: Client) -> Client:
    """Pages in English whatever the persona's language: the assertions read English."""
    client.cookies["django_language"] = "en"
    return client


def test_a_user_sees_their_sessions_and_ends_one(world):
    laptop = english(Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="198.51.100.7"))
    phone = Client(HTTP_USER_AGENT=CHROME_MAC, REMOTE_ADDR="203.0.113.5")
    sign_in(laptop, "anna.a")
    sign_in(phone, "anna.a")
    sign_in(Client(), "armin.a")  # someone else's session is not listed
    page = laptop.get("/account/").content.decode()
    assert "Firefox on Windows" in page and "198.51.100.7" in page
    assert "Chrome on macOS" in page and "203.0.113.5" in page
    assert page.count("this session") == 1
    assert phone.session.session_key not in page  # a session key is its password
    sid = re.search(r'/account/sessions/([0-9a-f]{20})/end/"', page).group(1)
    laptop.post(f"/account/sessions/{sid}/end/")
    assert phone.get("/portal/").status_code == 302  # signed out
    assert laptop.get("/portal/").status_code == 200
    entry = AuditEntry.objects.get(action="sessions.ended")
    assert entry.before["sessions"][0]["address"] == "203.0.113.5"


def test_ending_all_other_sessions_keeps_this_one(world):
    clients = [english(Client()) for _ in range(3)]
    for c in clients:
        sign_in(c, "anna.a")
    response = clients[0].post("/account/sessions/end-others/", follow=True)
    assert "2 other sessions were ended." in response.content.decode()
    assert [c.get("/portal/").status_code for c in clients] == [200, 302, 302]


def test_a_session_id_of_someone_else_ends_nothing(world):
    anna, armin = Client(), Client()
    sign_in(anna, "anna.a")
    sign_in(armin, "armin.a")
    page = armin.get("/account/").content.decode()
    from palier.web.account.views import session_id

    response = armin.post(f"/account/sessions/{session_id(anna.session.session_key)}/end/")
    assert response.status_code == 404
    assert anna.get("/portal/").status_code == 200
    assert "sessions/" not in page.split("this session")[0][-300:]


def test_the_security_page_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = Client()
    sign_in(client, "lena.agent")
    for n in range(5):
        do_create_token(world.agent, name=f"t{n}")
        sign_in(Client(), "lena.agent")
    with django_assert_max_num_queries(12):
        assert client.get("/account/").status_code == 200


def test_a_token_created_on_the_screen_is_shown_once_and_audited(world):
    client = Client()
    sign_in(client, "lena.agent")
    response = client.post(
        "/account/tokens/",
        {"name": "ERP export", "access": "read", "expires": "30", "password": "palier-demo"},
        follow=True,
    )
    raw = re.search(r'id="new-token">(pal_[\w-]+)<', response.content.decode()).group(1)
    assert raw not in client.get("/account/").content.decode()  # once
    token = ApiToken.objects.get(user=world.agent)
    assert token.read_only and token.name == "ERP export"
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    entry = AuditEntry.objects.get(action="token.created")
    assert entry.actor == world.agent and entry.after["read_only"] is True
    assert entry.channel == "web"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/tickets").status_code == 200


def test_creating_a_token_needs_the_password_and_counts_against_the_sign_in(world):
    client = Client()
    sign_in(client, "lena.agent")
    for _ in range(5):
        response = client.post(
            "/account/tokens/",
            {"name": "x", "access": "write", "expires": "never", "password": "guess"},
        )
        assert "This password is not correct." in response.content.decode()
    response = client.post(
        "/account/tokens/",
        {"name": "x", "access": "write", "expires": "never", "password": "palier-demo"},
    )
    assert "Too many attempts" in response.content.decode()
    assert not ApiToken.objects.filter(user=world.agent).exists()
    # Locked out here, locked out of the sign-in form too.
    assert "Too many attempts" in sign_in(Client(), "lena.agent").content.decode()


def test_a_read_only_token_is_refused_on_every_write_with_a_clear_code(world):
    _token, raw = do_create_token(world.manager, read_only=True)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/tickets").status_code == 200
    customer = world.customer_a.pk
    writes = [
        ("post", "/api/v1/tickets"),
        ("patch", f"/api/v1/customers/{customer}"),
        ("delete", "/api/v1/time-entries/1"),
    ]
    for method, path in writes:
        response = getattr(api, method)(path, {"name": "X"}, content_type="application/json")
        assert response.status_code == 403, method
        error = response.json()["error"]
        assert error["code"] == "read_only_token"
        assert error["message"] == "This API token may only read; create a token that may write."


def test_an_expired_token_opens_nothing(world):
    _token, raw = do_create_token(world.contact_a, expires_at=timezone.now() + dt.timedelta(days=1))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/tickets").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert api.get("/api/v1/tickets").status_code == 401


def test_a_token_is_revoked_on_the_screen_and_stops_at_once(world):
    token, raw = do_create_token(world.contact_a, name="script")
    client = Client()
    sign_in(client, "anna.a")
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/tickets").status_code == 401
    assert AuditEntry.objects.filter(action="token.revoked", actor=world.contact_a).exists()
    # Someone else's token cannot be revoked.
    other, _raw = do_create_token(world.contact_b)
    assert client.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404


def test_a_deactivated_user_loses_sessions_and_tokens_at_once(world):
    _token, raw = do_create_token(world.agent)
    browser = Client()
    sign_in(browser, "lena.agent")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert browser.get("/desk/").status_code == 200 and api.get("/api/v1/me").status_code == 200
    world.agent.is_active = False
    world.agent.save(update_fields=["is_active"])
    assert browser.get("/desk/").status_code == 302
    assert browser.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me").status_code == 401


def test_sessions_carry_their_owner_and_go_with_them(world):
    client = Client()
    sign_in(client, "anna.a")
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.user == world.contact_a and row.address == "127.0.0.1"
    assert row.signed_in_at is not None and row.last_seen is not None


def test_locked_out_by_passwords_no_token_can_be_created_either(world):
    signed_in = Client()
    sign_in(signed_in, "lena.agent")
    for _ in range(5):
        sign_in(Client(), "lena.agent", "wrong")
    response = signed_in.post(
        "/account/tokens/",
        {"name": "x", "access": "read", "expires": "30", "password": "palier-demo"},
    )
    assert "Too many attempts" in response.content.decode()
    assert not ApiToken.objects.filter(user=world.agent).exists()
