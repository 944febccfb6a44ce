"""A small fixed-window rate limiter on Django's cache (the sign-in policy of
`palier.accounts.signin` counts with it).

Keys are hashed so that neither an address nor a typed identifier is stored in clear in the
cache. The limiter counts attempts whether or not the account exists, so its answer never
tells an attacker which accounts are real.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_seconds: int


# The sign-in budgets are palier.accounts.signin's (one policy for every door). These
# only bound how many reset mails one account or one address can have sent.
RESET_PER_ACCOUNT = Limit("reset-account", 3, 60 * 60)
RESET_PER_ADDRESS = Limit("reset-address", 10, 60 * 60)


def client_address(request: HttpRequest) -> str:
    """The caller's address.

    Behind the reverse proxy that PALIER_BEHIND_PROXY declares, REMOTE_ADDR is the proxy's
    own address for everyone: keyed on it, thirty failed sign-ins from anywhere would lock
    the whole desk out. The proxy appends the address it saw to X-Forwarded-For (nginx's
    `$proxy_add_x_forwarded_for`), so its last entry is the caller; the entries before it
    are whatever the caller sent and are never read. The header is read only on requests
    that come from the proxy (PALIER_TRUSTED_PROXIES, or a Unix socket): a caller reaching
    gunicorn directly would otherwise pick a new address for every attempt.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.PALIER_BEHIND_PROXY and (not remote or remote in settings.PALIER_TRUSTED_PROXIES):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return remote or "unknown"


def limit_cache() -> BaseCache:
    """The shared "ratelimit" cache when configured (the database), else the default one."""
    try:
        return caches["ratelimit"]
    except InvalidCacheBackendError:
        return caches["default"]


def _key(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]
    return f"palier:rl:{limit.scope}:{digest}"


def is_limited(limit: Limit, value: str) -> bool:
    return (limit_cache().get(_key(limit, value)) or 0) >= limit.max_hits


def hit(limit: Limit, value: str) -> int:
    """Count one attempt; returns the count in the current window."""
    key = _key(limit, value)
    cache = limit_cache()
    # add() starts the window only if none is running, so the window does not slide. The
    # database cache's incr() is read-then-write: two racing attempts may count once, a
    # slack of a few attempts that a limit of this size tolerates.
    cache.add(key, 0, timeout=limit.window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=limit.window_seconds)
        return 1


def reset(limit: Limit, value: str) -> None:
    limit_cache().delete(_key(limit, value))
