"""Errors that business actions raise, each with a stable code the API and the web show."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a business rule. `status` is the HTTP status the API answers."""

    code = "invalid_request"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: dict | list | None = None
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class InvalidFields(DomainError):
    """Values a model refuses (Django's `full_clean`): answered like the API's own field
    checks, 422 `validation_error` with a list of {field, message, type}."""

    code = "validation_error"
    status = 422

    def __init__(self, message: str, errors: dict[str, list]):
        super().__init__(message, details=field_errors(errors))


def field_errors(errors: dict[str, list]) -> list[dict]:
    """Django's `ValidationError.error_dict` as the API lists a field's errors."""
    return [
        {"field": "" if field == "__all__" else field, "message": str(m), "type": e.code or ""}
        for field, errs in errors.items()
        for e in errs
        for m in e.messages
    ]


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403


class Conflict(DomainError):
    """The object changed since the caller read it, or is locked (e.g. invoiced)."""

    code = "conflict"
    status = 409
