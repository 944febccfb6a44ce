"""One sign-in policy for every door: the same budget, the same lock-out, the same log line."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db
PASSWORD = "palier-demo"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limit_cache().clear()
    yield
    limit_cache().clear()


def sign_in(client: Client, identifier: str, password: str = PASSWORD, path: str = "/login/"):
    return client.post(path, {"username": identifier, "password": password})


def lock_out(client: Client, identifier: str) -> None:
    for _ in range(5):
        sign_in(client, identifier, "wrong")


def test_the_admin_sign_in_is_the_desks_form(client, world):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # Posting a password to the admin's address signs nobody in.
    response = sign_in(client, "maria.manager", path="/admin/login/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_the_admin_door_refuses_a_foreign_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/login/?next=%2Fadmin%2F"


def test_signed_in_without_admin_rights_the_admin_door_goes_home(client, world):
    client.force_login(world.contact_a)
    assert client.get("/admin/login/")["Location"] == reverse("web:home")


def test_locked_out_on_the_sign_in_form_the_admin_leads_to_the_same_refusal(client, world):
    lock_out(client, "maria.manager@example.com")
    target = client.get("/admin/login/")["Location"]
    response = client.post(target, {"username": "maria.manager", "password": PASSWORD})
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_locked_out_an_account_gets_no_reset_mail(client, world):
    lock_out(client, "anna.a")
    response = client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_reset_done")
    assert mail.outbox == []


def test_an_address_locked_out_gets_no_reset_mail_for_any_account(world):
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(30):
        sign_in(sprayer, f"spray{n}@example.com", "wrong")
    sprayer.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    assert mail.outbox == []


def test_reset_requests_do_not_lock_the_owner_out(client, world):
    for _ in range(10):
        client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    assert sign_in(Client(), "anna.a").status_code == 302


def test_every_refusal_writes_the_same_log_line(client, world, caplog):
    caplog.set_level(logging.INFO, logger="palier.signin")
    sign_in(client, "anna.a@example.com", "wrong")
    sign_in(client, "nobody@example.com", "wrong")
    lock_out(client, "anna.a")
    sign_in(client, "anna.a")
    client.post(reverse("web:password_reset"), {"email": "anna.a@example.com"})
    lines = [r.getMessage() for r in caplog.records if r.name == "palier.signin"]
    assert lines[0] == "sign-in failed door=sign_in account=anna.a address=127.0.0.1"
    assert lines[1].startswith("sign-in failed door=sign_in account=unknown:")
    assert "nobody" not in lines[1]
    assert "sign-in locked door=sign_in account=anna.a address=127.0.0.1" in lines
    assert lines[-1] == "sign-in locked door=password_reset account=anna.a address=127.0.0.1"
