"""Two-factor sign-in: who must pass a second factor, the session's state, trusted browsers.

The first factor (the password, or a sign-in through an identity provider) signs the person
in; until the second is passed the session is *pending* and opens nothing but the second
step and signing out (`TwoFactorMiddleware`; the API's session door checks the same). A
person whose role must use two factors (PALIER_2FA_REQUIRED_ROLES) and has none yet is in
*setup*: only the pages that add one open. The state lives in the session, so checking it
costs no query.

Second factors are django-otp devices: an authenticator app (TOTP), a passkey or security
key (django-otp-webauthn), and recovery codes (a static device).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from palier.accounts.models import TrustedBrowser, User
from palier.accounts.sessions import ADDRESS_KEY, SINCE_KEY, send_to, stamp
from palier.web.ratelimit import client_address

STATE_KEY = "palier.2fa"
METHOD_KEY = "palier.2fa.method"
TRUST_COOKIE = "palier_trusted_browser"
TRUST_SALT = "palier.accounts.twofactor.trusted-browser"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODES = 10
TOTP_KEY_SESSION = "palier.totp_key"  # the authenticator app being added, until its first code


class State(StrEnum):
    VERIFIED = "verified"  # passed a second factor (or an identity provider that does)
    NOT_NEEDED = "not_needed"  # no factor, and the role does not require one
    PENDING = "pending"  # has a factor: must pass it
    SETUP = "setup"  # the role requires a factor and there is none yet


class Method(StrEnum):
    TOTP = "totp"
    PASSKEY = "passkey"
    RECOVERY = "recovery"
    TRUSTED_BROWSER = "trusted_browser"
    IDENTITY_PROVIDER = "identity_provider"
    ENROLMENT = "enrolment"  # the factor just added was proved by setting it up


def required_for(user: User) -> bool:
    return user.role in settings.PALIER_2FA_REQUIRED_ROLES


def totp_devices(user: User):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def passkeys(user: User):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True)


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes only stand in for them)."""
    return totp_devices(user).exists() or passkeys(user).exists()


def evaluate(user: User) -> State:
    if has_second_factor(user):
        return State.PENDING
    return State.SETUP if required_for(user) else State.NOT_NEEDED


def state(request: HttpRequest) -> State:
    """The signed-in session's state; read from the session, computed once if absent (a
    session from before two-factor sign-in existed, or made by a test's force_login)."""
    stored = request.session.get(STATE_KEY)
    if stored == State.NOT_NEEDED and required_for(request.user):
        stored = None  # the role's requirement was switched on since the sign-in
    if stored not in State.__members__.values():
        stored = evaluate(request.user)
        request.session[STATE_KEY] = str(stored)
    return State(stored)


def is_open(request: HttpRequest) -> bool:
    """Whether the signed-in session may use the desk (not waiting for a second factor)."""
    return state(request) in (State.VERIFIED, State.NOT_NEEDED)


def after_first_factor(request: HttpRequest, user: User, *, trusted_idp: bool = False) -> State:
    """Call right after `django.contrib.auth.login`: decide what the session still needs."""
    if trusted_idp:
        new = State.VERIFIED
        request.session[METHOD_KEY] = str(Method.IDENTITY_PROVIDER)
    else:
        new = evaluate(user)
        if new == State.PENDING and (browser := trusted_browser(request, user)) is not None:
            new = State.VERIFIED
            request.session[METHOD_KEY] = str(Method.TRUSTED_BROWSER)
            device = Device.from_persistent_id(browser.device_id)
            if device is not None:
                otp_login(request, device)
    request.session[STATE_KEY] = str(new)
    return new


def on_sign_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """`user_logged_in`: stamp the new session and decide what it still owes."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(SINCE_KEY, None)
    stamp(request)
    after_first_factor(request, user)


def mark_verified(request: HttpRequest, method: Method, device: Device | None = None) -> None:
    """The second factor was passed: open the session (with a new key, as at a sign-in)."""
    request.session.cycle_key()
    request.session[STATE_KEY] = str(State.VERIFIED)
    request.session[METHOD_KEY] = str(method)
    if device is not None:
        otp_login(request, device)


def method(request: HttpRequest) -> str:
    return request.session.get(METHOD_KEY, "")


# Trusted browsers: a signed cookie naming a TrustedBrowser row and holding its secret.


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def remember_browser(
    request: HttpRequest, response: HttpResponse, user: User, device: Device
) -> TrustedBrowser | None:
    days = settings.PALIER_2FA_REMEMBER_DAYS
    if not days:
        return None
    secret = secrets.token_urlsafe(32)
    address = request.session.get(ADDRESS_KEY) or client_address(request)
    browser = TrustedBrowser.objects.create(
        user=user,
        key_hash=_hash(secret),
        device_id=device.persistent_id,
        user_agent=request.headers.get("User-Agent", "")[:300],
        address=address if address and address != "unknown" else None,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    value = signing.dumps({"id": browser.pk, "k": secret}, salt=TRUST_SALT)
    response.set_cookie(
        TRUST_COOKIE,
        value,
        max_age=days * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return browser


def trusted_browser(request: HttpRequest, user: User) -> TrustedBrowser | None:
    value = request.COOKIES.get(TRUST_COOKIE)
    if not value:
        return None
    max_age = settings.PALIER_2FA_REMEMBER_DAYS * 24 * 3600
    try:
        data = signing.loads(value, salt=TRUST_SALT, max_age=max_age)
        pk, secret = int(data["id"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return TrustedBrowser.objects.filter(
        pk=pk,
        user=user,
        key_hash=_hash(secret),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


# The door: a pending session opens only the second step; one in setup only its pages.

_ALWAYS_OPEN = ("/logout/", "/language/", "/api/")


class TwoFactorMiddleware:
    """Keeps a session that still owes its second factor out of every page, the admin
    included. The API's session door (palier/api/auth.py) refuses it on its own terms."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get("_auth_user_id") and request.user.is_authenticated:
            current = state(request)
            if current in (State.PENDING, State.SETUP):
                # The second step's pages, or the pages that add a first second factor.
                name = (
                    "web:two_factor_verify"
                    if current == State.PENDING
                    else "web:account:two_factor_setup"
                )
                door = reverse(name)
                open_paths = (*_ALWAYS_OPEN, settings.STATIC_URL, door)
                if not request.path_info.startswith(open_paths):
                    query = urlencode({"next": request.get_full_path()})
                    return send_to(request, f"{door}?{query}")
        return self.get_response(request)
