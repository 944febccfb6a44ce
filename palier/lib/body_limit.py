"""Request bodies capped before Django reads them (WSGI middleware, palier/wsgi.py).

`palier serve` and `palier demo` both run gunicorn on `palier.wsgi:application`, so both
pass through here. A body declared larger than its limit (`Content-Length`) is answered
413 at once, without reading a byte of it. A body whose length is not declared (chunked
transfer encoding) is read up to its limit and cut off there with a 413; one that fits is
handed to Django with its length, so that nothing sent within the limit is lost. Whatever
the server passes on, no more than the limit is ever read from the connection.

Limits (docs/security.md): `PALIER_MAX_UPLOAD_BYTES` for forms with files
(multipart/form-data), `PALIER_MAX_BODY_BYTES` (Django's DATA_UPLOAD_MAX_MEMORY_SIZE) for any
other body, JSON included.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

CHUNK = 64 * 1024
StartResponse = Callable[..., Any]


class BodyTooLarge(RequestDataTooBig):
    """Read past the limit: Django answers it as a bad request, which becomes the 413."""


class CappedInput:
    """`wsgi.input` that refuses to read past `limit` bytes, whatever was declared."""

    def __init__(self, stream: Any, limit: int):
        self._stream = stream
        self._left = limit + 1  # one byte more than allowed tells "too large" from "exactly"
        self.exceeded = False

    def _take(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left <= 0:
            self.exceeded = True
            raise BodyTooLarge("request body over its limit")
        return data

    def read(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        return self._take(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        return self._take(self._stream.readline(size))

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def limit_for(environ: dict) -> int:
    content_type = environ.get("CONTENT_TYPE", "").lower()
    if content_type.startswith("multipart/"):
        return settings.PALIER_MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _language(environ: dict) -> str:
    """The API's: Accept-Language, else the profile language of the API token's user, as
    the API's own answers (palier/api/auth.py). A page's: as every other page's
    (LocaleMiddleware and web.middleware.UserLanguageMiddleware)."""
    from django.db import DatabaseError
    from django.utils.translation.trans_real import (
        get_supported_language_variant,
        parse_accept_lang_header,
    )

    from palier.api.auth import profile_language  # the API's, loaded once Django is set up

    if not environ.get("PATH_INFO", "").startswith("/api/"):
        return _page_language(environ)
    for code, _q in parse_accept_lang_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")):
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    if environ.get("HTTP_AUTHORIZATION"):
        try:
            return profile_language(environ) or settings.LANGUAGE_CODE
        except DatabaseError:
            return settings.LANGUAGE_CODE  # a refusal in English rather than none
    return settings.LANGUAGE_CODE


def _page_language(environ: dict) -> str:
    """The language switch's cookie, else the signed-in user's profile language (their
    session, read as AuthenticationMiddleware reads it: two queries, for a 413 only), else
    the browser's Accept-Language."""
    from importlib import import_module

    from django.contrib.auth import get_user
    from django.core.handlers.wsgi import WSGIRequest

    from palier.web.middleware import profile_language

    try:
        request = WSGIRequest(environ)  # reads no byte of the body
    except Exception:  # noqa: BLE001 - an address Django refuses: a refusal all the same
        return settings.LANGUAGE_CODE
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        try:
            store = import_module(settings.SESSION_ENGINE).SessionStore
            request.session = store(request.COOKIES[settings.SESSION_COOKIE_NAME])
            language = profile_language(request, get_user(request))
        except Exception:  # noqa: BLE001 - a session that cannot be read: the browser's
            language = None
        if language:
            return language
    return translation.get_language_from_request(request)


def too_large(environ: dict, start_response: StartResponse, limit: int) -> Iterable[bytes]:
    megabytes = f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
    with translation.override(_language(environ)):
        message = _("The request is too large: at most %(mb)s MB may be sent at once.") % {
            "mb": megabytes
        }
        if environ.get("PATH_INFO", "").startswith("/api/"):
            # Written as every answer of the API is (and imported here: the API needs Django).
            from palier.api.errors import error_body
            from palier.api.responses import CONTENT_TYPE, dumps

            body = dumps(error_body("payload_too_large", message, {"limit_bytes": limit}))
            content_type = CONTENT_TYPE
        else:
            title = _("Too large")
            body = (
                f"<!doctype html><html lang='{translation.get_language()}'><meta charset='utf-8'>"
                f"<title>{escape(title)}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(message)}</p></html>"
            ).encode()
            content_type = "text/html; charset=utf-8"
    start_response(
        "413 Content Too Large",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


class BodyLimitMiddleware:
    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        limit = limit_for(environ)
        declared = (environ.get("CONTENT_LENGTH") or "").strip()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared.isdigit() and int(declared) > limit:
            return too_large(environ, start_response, limit)
        if chunked and not declared:
            try:
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = _buffer(environ, limit)
            except BodyTooLarge:
                return too_large(environ, start_response, limit)
        capped = CappedInput(environ["wsgi.input"], limit)
        environ["wsgi.input"] = capped
        answer: list = []

        def deferred(status: str, headers: list, exc_info: Any = None) -> Callable:
            answer[:] = [status, headers, exc_info]
            return _no_write

        try:
            result = self.app(environ, deferred)
        except BodyTooLarge:
            return too_large(environ, start_response, limit)
        if capped.exceeded:  # Django read past the limit (a server that gave it more)
            if hasattr(result, "close"):
                result.close()
            return too_large(environ, start_response, limit)
        start_response(*answer)
        return result


def _no_write(data: bytes) -> None:
    raise NotImplementedError("Palier answers through the response iterable only")


def _buffer(environ: dict, limit: int) -> tuple[Any, str]:
    """The chunked body, read up to `limit` into a spooled file (memory, then disk)."""
    source = CappedInput(environ["wsgi.input"], limit)
    buffered = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    total = 0
    try:
        while chunk := source.read(CHUNK):
            buffered.write(chunk)
            total += len(chunk)
    except BodyTooLarge:
        buffered.close()
        raise
    buffered.seek(0)
    return buffered, str(total)
