"""The REST API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger

from palier.api.auth import AUTH, profile_language
from palier.api.customers import router as customers_router
from palier.api.errors import error_body, install_error_handlers
from palier.api.meta import router as meta_router
from palier.api.parsing import JsonParser
from palier.api.responses import CONTENT_TYPE, Renderer, json_response
from palier.api.tickets import router as tickets_router


def _without_body(response: HttpResponse) -> HttpResponse:
    """The GET answer as HEAD gives it (RFC 9110, 9.3.2): the same status and headers, and
    the length the body would have had, without the body."""
    if response.streaming:
        response.streaming_content = iter(())
    else:
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def _json_method_not_allowed(view: Callable) -> Callable:
    """Ninja answers a wrong method with a plain-text 405; our clients expect JSON errors.
    Ninja knows no HEAD either: a HEAD runs the GET of its path, and answers without body."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
            allowed = response.get("Allow", "")
            if "GET" in allowed.split(", "):
                allowed += ", HEAD"
            # Ninja refuses the method before any authentication has read the token.
            language = profile_language(request.META) or translation.get_language()
            with translation.override(language):
                message = _("%(method)s is not allowed here.") % {"method": request.method}
            body = error_body(
                "method_not_allowed",
                message,
                {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            )
            response = json_response(body, status=405)
            response["Allow"] = allowed
        return _without_body(response) if head else response

    return wrapped


# The API's own views below change nothing and read no session: no CSRF check, whose refusal
# is the site's HTML page (a POST to an unknown address answered 403 HTML, not a JSON 404).
@csrf_exempt
def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    # No view reads the token here: its user's language, as for a wrong method.
    language = profile_language(request.META) or translation.get_language()
    with translation.override(language):
        message = _("There is no API endpoint at this address.")
    return json_response(error_body("not_found", message), status=404)


@csrf_exempt
def _index(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: where the documentation is, instead of an HTML 404."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    base = request.path.rstrip("/")
    return json_response(
        {
            "name": "Palier API",
            "version": "1",
            "docs": f"{base}/docs",
            "openapi": f"{base}/openapi.json",
        }
    )


@csrf_exempt
def _openapi_document(request: HttpRequest, **kwargs) -> HttpResponse:
    """The document written by the API's encoder (ninja's view says no charset and escapes
    every accent). Read only: another method is a 405 (made JSON by _json_method_not_allowed)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return json_response(api.get_openapi_schema(path_params=kwargs))


# Text the API refuses to store (PostgreSQL refuses NUL; api/parsing.py refuses it first).
NO_NUL = "^[^\\u0000]*$"
MAX_INT = 2**63 - 1


def _state_enforced_limits(node: object) -> None:
    """Write into the OpenAPI document the limits api/parsing.py enforces on every request:
    integers within 64 bits and text without NUL characters."""
    if isinstance(node, list):
        for item in node:
            _state_enforced_limits(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "integer":
        node.setdefault("minimum", -MAX_INT)
        node.setdefault("maximum", MAX_INT)
    elif kind == "string" and "enum" not in node and "format" not in node:
        if "pattern" not in node:
            node["pattern"] = NO_NUL
        elif node["pattern"] != NO_NUL:
            node.setdefault("allOf", []).append({"pattern": NO_NUL})
    for key, value in node.items():
        if key not in ("example", "examples", "default", "enum", "const"):
            _state_enforced_limits(value)


class PalierAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        _state_enforced_limits(schema.get("paths", {}))
        _state_enforced_limits(schema.get("components", {}))
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    pattern.callback = _index
                elif pattern.name == "openapi-json":
                    pattern.callback = _openapi_document
                pattern.callback = _json_method_not_allowed(pattern.callback)
        # Last: any other address under /api/v1/ answers a JSON 404, not the site's HTML page.
        return [*urls, re_path(r"^(?P<rest>.*)$", _unknown_path)]


api = PalierAPI(
    title="Palier API",
    version="1",
    description=(
        "Support desk API. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `palier token create USERNAME`). Errors are JSON: "
        '`{"error": {"code": ..., "message": ..., "details": ...}}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI comes from ninja's static files ("ninja" is an installed app): no CDN. No
    # validator badge either: it would call validator.swagger.io, which the CSP forbids.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    parser=JsonParser(),
    renderer=Renderer(),
)
install_error_handlers(api)
api.add_router("", meta_router)
api.add_router("", customers_router)
api.add_router("", tickets_router)
api.add_router("", "palier.api.billing.router")
api.add_router("", "palier.api.engineering.router")
api.add_router("", "palier.api.sla.router")
api.add_router("", "palier.api.mail.router")
api.add_router("", "palier.api.people.router")
api.add_router("", "palier.api.catalogue.router")
api.add_router("", "palier.api.exports.router")
api.add_router("", "palier.api.webhooks.router")
api.add_router("", "palier.api.audit.router")
