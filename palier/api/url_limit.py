"""An API address longer than the API takes answers a JSON 414, not gunicorn's HTML page.

gunicorn reads request lines up to 8190 bytes, the most it allows (`palier serve` sets
`--limit-request-line 8190`; its default, 4094, cut long searches and lists of ids).
Beyond that gunicorn answers an HTML 414 by itself: no application sees the request. Below
it, this middleware answers API addresses (path and query) over MAX_API_URL_BYTES with the
API's JSON error, so that a client of the API meets JSON up to the server's own limit.
docs/configuration.md, "Limits".
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

# Under gunicorn's 8190 by the method and protocol around the address ("OPTIONS ", " HTTP/1.1").
MAX_API_URL_BYTES = 8000


class ApiUrlLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            length = len(request.get_full_path().encode())
            if length > MAX_API_URL_BYTES:
                return _too_long(request, length)
        return self.get_response(request)


def _too_long(request: HttpRequest, length: int) -> HttpResponse:
    from palier.api.auth import profile_language
    from palier.api.errors import error_body
    from palier.api.responses import json_response

    language = profile_language(request.META) or translation.get_language_from_request(request)
    with translation.override(language):
        message = _(
            "The address is too long: at most %(limit)d bytes of path and query. Send fewer "
            "or shorter parameters."
        ) % {"limit": MAX_API_URL_BYTES}
    body = error_body("uri_too_long", message, {"limit_bytes": MAX_API_URL_BYTES, "length": length})
    response = json_response(body, status=414)
    response["Content-Length"] = str(len(response.content))  # answered before CommonMiddleware
    return response
