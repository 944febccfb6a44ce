"""API authentication: a bearer token (`palier token create USERNAME`) or the web session."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth

from palier.accounts.queries import access_user_by_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = access_user_by_token(token)
        if user is not None:
            request.user = user
            if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
                # The locale middleware ran before the token named the user: without a
                # header, answer in the language of the user's profile.
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in web user (htmx calls from the desk); CSRF is checked by ninja."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user and user.is_active else None


AUTH = [TokenAuth(), ActiveSessionAuth()]
