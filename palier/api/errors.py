"""Every API error is JSON: {"error": {"code": ..., "message": ..., "details": ...}}."""

from __future__ import annotations

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from palier.api.responses import json_response
from palier.api.validation_messages import validation_message
from palier.lib.errors import DomainError, field_errors

# What a 404 names, in the caller's language: the code raises `Http404("ticket")` in English.
NOT_FOUND_OBJECTS = {
    "action": pgettext_lazy("not found", "action"),
    "article": pgettext_lazy("not found", "article"),
    "attachment": pgettext_lazy("not found", "attachment"),
    "browser": pgettext_lazy("not found", "browser"),
    "customer": pgettext_lazy("not found", "customer"),
    "defect": pgettext_lazy("not found", "defect"),
    "delivery": pgettext_lazy("not found", "delivery"),
    "device": pgettext_lazy("not found", "device"),
    "draft": pgettext_lazy("not found", "draft"),
    "estimate": pgettext_lazy("not found", "estimate"),
    "export format": pgettext_lazy("not found", "export format"),
    "file": pgettext_lazy("not found", "file"),
    "follow-up": pgettext_lazy("not found", "follow-up"),
    "format": pgettext_lazy("not found", "format"),
    "import": pgettext_lazy("not found", "import"),
    "invoice": pgettext_lazy("not found", "invoice"),
    "kind": pgettext_lazy("not found", "kind"),
    "language": pgettext_lazy("not found", "language"),
    "macro": pgettext_lazy("not found", "macro"),
    "message": pgettext_lazy("not found", "message"),
    "module": pgettext_lazy("not found", "module"),
    "page": pgettext_lazy("not found", "page"),
    "patch": pgettext_lazy("not found", "patch"),
    "person": pgettext_lazy("not found", "person"),
    "provider": pgettext_lazy("not found", "provider"),
    "recovery codes": pgettext_lazy("not found", "recovery codes"),
    "saved view": pgettext_lazy("not found", "saved view"),
    "session": pgettext_lazy("not found", "session"),
    "source": pgettext_lazy("not found", "source"),
    "step": pgettext_lazy("not found", "step"),
    "survey": pgettext_lazy("not found", "survey"),
    "table": pgettext_lazy("not found", "table"),
    "template": pgettext_lazy("not found", "template"),
    "ticket": pgettext_lazy("not found", "ticket"),
    "time entry": pgettext_lazy("not found", "time entry"),
    "token": pgettext_lazy("not found", "token"),
    "types": pgettext_lazy("not found", "types"),
    "version": pgettext_lazy("not found", "version"),
    "webhook": pgettext_lazy("not found", "webhook"),
    "object": pgettext_lazy("not found", "object"),
    "assignee": pgettext_lazy("not found", "assignee"),
    "contact": pgettext_lazy("not found", "contact"),
    "contract": pgettext_lazy("not found", "contract"),
    "customization": pgettext_lazy("not found", "customization"),
    "installation": pgettext_lazy("not found", "installation"),
    "product": pgettext_lazy("not found", "product"),
    "user": pgettext_lazy("not found", "user"),
}

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: dict | list | None = None) -> dict:
    body: dict = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def _validation_details(errors: list[dict]) -> list[dict]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", [])]
        # ninja's place of a body field: ("body", "payload", field...); only that prefix goes.
        for prefix in ("body", "payload"):
            if loc[:1] == [prefix]:
                loc = loc[1:]
        out.append(
            {
                "field": ".".join(loc),
                "message": validation_message(err),
                "type": err.get("type", ""),
            }
        )
    return out


def _without_body(errors: list[dict]) -> bool:
    """Whether ninja found no body at all for an endpoint whose body has a required field
    (an empty body reaches no parser, and the whole object is reported missing, unnamed)."""
    return any(
        err.get("type") == "missing" and tuple(err.get("loc", ())) == ("body", "payload")
        for err in errors
    )


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, message: str, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, exc.code, exc.message, exc.details or None)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError) -> HttpResponse:
        from palier.api.scoping import check_path_scope  # it imports every app's queries

        try:
            check_path_scope(request)
        except Exception as scoped:  # noqa: BLE001 (answered as the view would answer it)
            return api.on_exception(request, scoped)
        if _without_body(exc.errors):
            return respond(
                request,
                422,
                "validation_error",
                _("The request has no body: send its fields as a JSON object."),
            )
        return respond(
            request,
            422,
            "validation_error",
            _("The request has invalid or missing fields."),
            _validation_details(exc.errors),
        )

    @api.exception_handler(ValidationError)
    def model_validation_error(request, exc: ValidationError) -> HttpResponse:
        details = field_errors(exc.error_dict) if hasattr(exc, "error_dict") else None
        return respond(request, 422, "validation_error", "; ".join(exc.messages), details)

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404) -> HttpResponse:
        what = str(exc) or "object"
        what = NOT_FOUND_OBJECTS.get(what, what)
        message = _("No such %(what)s, or it is not yours to see.") % {"what": what}
        return respond(request, 404, "not_found", message)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc) -> HttpResponse:
        return respond(
            request,
            401,
            "unauthenticated",
            _("Send a valid API token: Authorization: Bearer <token>."),
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc) -> HttpResponse:
        return respond(request, 403, "forbidden", str(exc) or _("You may not do this."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc) -> HttpResponse:
        return respond(request, 413, "payload_too_large", _("The request body is too large."))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc: SuspiciousOperation) -> HttpResponse:
        # e.g. more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: the client's fault.
        if isinstance(exc, TooManyFieldsSent):
            return respond(
                request, 400, "too_many_fields", _("The request has too many parameters.")
            )
        return respond(request, 400, "bad_request", _("The request was refused as malformed."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError) -> HttpResponse:
        codes = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "payload_too_large",
            415: "unsupported_media_type",
            429: "rate_limited",
        }
        message = str(exc)
        # Our parser's refusals (media type, NUL characters) arrive wrapped by ninja.
        if isinstance(exc.__cause__, DomainError):
            return domain_error(request, exc.__cause__)
        if exc.status_code == 400 and "parse request body" in message:
            return respond(request, 400, "malformed_json", _("The request body is not valid JSON."))
        return respond(request, exc.status_code, codes.get(exc.status_code, "error"), message)

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(
            request, 500, "server_error", _("An unexpected error occurred; it was logged.")
        )


def outside_api_error(default_view, status: int, code: str, message: str):
    """A Django error handler (urls.py handler400/404/500) that answers API paths in JSON.

    Some errors happen before the API's own handlers: a Host header not in ALLOWED_HOSTS
    (400, checked by the middleware), an address outside /api/v1/ (404), a crash in a
    middleware (500). The rest of the site keeps Django's pages.
    """

    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if request.path.startswith("/api/"):
            return json_response(error_body(code, str(message)), status=status)
        if status == 500:
            return default_view(request)
        return default_view(request, exception)

    return view
