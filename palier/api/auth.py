"""API authentication: a bearer token (`palier token create USERNAME`) or the web session."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from palier.accounts import twofactor
from palier.accounts.queries import access_user_by_token
from palier.lib.errors import NotAllowed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def profile_language(meta: Mapping[str, str]) -> str | None:
    """The language of the bearer token's user when the request names none (no
    Accept-Language), for the answers given before the token is read (replays, the body
    limit); None when the request names one, or the token names nobody."""
    if "HTTP_ACCEPT_LANGUAGE" in meta:
        return None
    scheme, _space, token = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = access_user_by_token(token.strip())
    supported = {code for code, _name in settings.LANGUAGES}
    if user is None or user.language not in supported:
        return None
    return user.language


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = access_user_by_token(token)
        if user is None:
            return None
        request.user = user
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            # The locale middleware ran before the token named the user: without a
            # header, answer in the language of the user's profile.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if user.token_read_only and request.method not in SAFE_METHODS:
            raise NotAllowed(
                _("This API token may only read; create a token that may write."),
                code="read_only_token",
                details={"method": request.method},
            )
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in web user (htmx calls from the desk); CSRF is checked by ninja. A
    session that still owes its second factor opens nothing here either."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user and user.is_active and twofactor.is_open(request):
            return user
        return None


AUTH = [TokenAuth(), ActiveSessionAuth()]
