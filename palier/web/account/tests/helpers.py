"""Builders for the sign-in tests: sign in through the real form, add a second factor
through the real screens, and compute the codes an authenticator app would show."""

from __future__ import annotations

import re
import time
from binascii import unhexlify

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from palier.accounts.twofactor import TOTP_KEY_SESSION

PASSWORD = "palier-demo"


def sign_in(client: Client, identifier: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": identifier, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def code_for(key: str, *, at: float | None = None) -> str:
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enrol_app(client: Client) -> tuple[str, list[str]]:
    """Add an authenticator app through /account/two-factor/; returns its key and the
    recovery codes shown once (empty when it was not the first factor)."""
    client.get("/account/two-factor/")
    key = client.session[TOTP_KEY_SESSION]
    response = client.post("/account/two-factor/", {"code": code_for(key), "name": "phone"})
    assert response.status_code == 302, response.content.decode()[:2000]
    codes: list[str] = []
    if "/recovery-codes/" in response["Location"]:
        page = client.get(response["Location"]).content.decode()
        codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
    return key, codes


def next_code(device: TOTPDevice) -> str:
    """A code of the time step after the device's last one (a code is accepted once)."""
    device.refresh_from_db()
    return code_for(device.key, at=(device.last_t + 1) * device.step + 1)


def verified_client(identifier: str, device: TOTPDevice) -> Client:
    """A browser signed in with the password and the app's next code."""
    client = Client()
    sign_in(client, identifier)
    response = client.post("/login/verify/", {"code": next_code(device)})
    assert response.status_code == 302 and "/login/" not in response["Location"]
    return client
