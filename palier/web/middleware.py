"""Language: the user's chosen language wins, then the user's profile, then the browser."""

from __future__ import annotations

from collections.abc import Callable

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
        user = getattr(request, "user", None)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if (
            not chosen
            and user is not None
            and user.is_authenticated
            and getattr(user, "language", "") in supported
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


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
