"""The one sign-in policy of every door: who is locked out, what is counted, what is logged.

Every place where a secret is tried — the sign-in form (which `/admin/login/` leads to), the
second step of a two-factor sign-in, the password confirmation that creates an API token —
and the password-reset form share one budget per account and one per address: an account
or an address locked out on one door is locked out on all of them, and each refusal writes
the same log line (logger `palier.signin`).
"""

from __future__ import annotations

import hashlib
import logging
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.web import ratelimit

logger = logging.getLogger("palier.signin")

TOO_MANY = _("Too many attempts. Please wait a few minutes and try again.")

# Per account: slows guessing one password; per address: slows spraying many accounts.
PER_ACCOUNT = ratelimit.Limit("login-account", 5, 15 * 60)
PER_ADDRESS = ratelimit.Limit("login-address", 30, 15 * 60)


class Door(StrEnum):
    SIGN_IN = "sign_in"  # /login/, and /admin/login/ which leads there
    SECOND_FACTOR = "second_factor"  # the code, passkey or recovery code after the password
    PASSWORD_RESET = "password_reset"
    TOKEN_CREATION = "token_creation"  # the password confirmation before a new API token
    SECURITY_CHANGE = "security_change"  # ... before removing a second factor
    SINGLE_SIGN_ON = "single_sign_on"


class Locked(Exception):
    """The account or the address has used up its attempts for now."""


def username_for(identifier: str) -> str:
    """Map an email address to its account's username; anything else is taken as a
    username. An unknown address is passed on unchanged so that authenticate() still runs
    the password hasher (same timing whether or not the account exists)."""
    identifier = identifier.strip()
    if "@" not in identifier:
        return identifier
    matches = list(
        get_user_model()
        .objects.filter(email__iexact=identifier)
        .values_list("username", flat=True)[:2]
    )
    return matches[0] if len(matches) == 1 else identifier


def account_key(identifier: str) -> str:
    """One account, one budget: the account an email or a username resolves to, so that
    alternating an account's email and its username does not double its attempts."""
    return username_for(identifier).casefold()


def _logged_account(account: str) -> str:
    # A typed identifier that names no account may be a password typed in the wrong field:
    # the log keeps only a digest of it.
    if get_user_model().objects.filter(username__iexact=account).exists():
        return account
    return "unknown:" + hashlib.sha256(account.encode()).hexdigest()[:12]


def _log(event: str, door: Door, account: str, address: str, level: int) -> None:
    logger.log(
        level,
        "sign-in %s door=%s account=%s address=%s",
        event,
        door,
        _logged_account(account),
        address,
    )


def is_locked(request: HttpRequest, account: str) -> bool:
    address = ratelimit.client_address(request)
    return ratelimit.is_limited(PER_ACCOUNT, account) or ratelimit.is_limited(PER_ADDRESS, address)


def check(request: HttpRequest, account: str, door: Door) -> None:
    """Raise `Locked` (and log it) if this account or this caller may not try now."""
    if is_locked(request, account):
        _log("locked", door, account, ratelimit.client_address(request), logging.WARNING)
        raise Locked


def failed(request: HttpRequest, account: str, door: Door) -> None:
    """Count one wrong secret against the account and the caller's address."""
    address = ratelimit.client_address(request)
    ratelimit.hit(PER_ACCOUNT, account)
    ratelimit.hit(PER_ADDRESS, address)
    _log("failed", door, account, address, logging.WARNING)


def attempted(request: HttpRequest, account: str, door: Door) -> None:
    """Count a request that tries no secret but costs something (a reset mail) against the
    caller's address only: asking for reset links must not lock the account's owner out."""
    address = ratelimit.client_address(request)
    ratelimit.hit(PER_ADDRESS, address)
    _log("attempt", door, account, address, logging.INFO)


def succeeded(request: HttpRequest, account: str, door: Door) -> None:
    _log("succeeded", door, account, ratelimit.client_address(request), logging.INFO)
