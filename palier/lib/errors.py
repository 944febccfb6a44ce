"""Errors that business actions raise, each with a stable code the API and the web show."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a business rule. `status` is the HTTP status the API answers."""

    code = "invalid_request"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403


class Conflict(DomainError):
    """The object changed since the caller read it, or is locked (e.g. invoiced)."""

    code = "conflict"
    status = 409
