"""Language: the user's chosen language wins, then the user's profile, then the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control


class UserLanguageMiddleware:
    """Runs after AuthenticationMiddleware. Django's LocaleMiddleware already picked the
    language cookie (set by the language switch) or the browser's Accept-Language; when no
    cookie was set, a signed-in user's profile language replaces the browser's guess."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = profile_language(request, getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def profile_language(request: HttpRequest, user: Any) -> str | None:
    """The signed-in `user`'s profile language when no language was chosen with the switch
    (its cookie): it replaces the browser's guess; None when LocaleMiddleware's choice
    stands (a chosen language, nobody signed in, or a profile language not offered)."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return None
    if user is None or not user.is_authenticated:
        return None
    language = getattr(user, "language", "")
    return language if language in {code for code, _name in settings.LANGUAGES} else None


class NoStoreMiddleware:
    """A page or API answer for a signed-in user (session or API token) is theirs alone:
    `Cache-Control: no-store`, so no browser cache, shared proxy or back button keeps it
    after they sign out (docs/security.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
