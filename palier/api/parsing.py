"""Request parsing for the API: JSON only, and no text a database would choke on.

PostgreSQL refuses NUL characters in text, and an id beyond 64 bits overflows both
databases: each would surface as a 500, so they are refused here, before any view runs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from palier.lib.errors import DomainError

MAX_DEPTH = 32
MAX_INT = 2**63 - 1
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
# Query parameters that name an id or a count; any other may hold digits as plain text.
_NUMERIC_KEYS = ("id", "limit", "offset")


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


class InvalidText(DomainError):
    code = "invalid_characters"


class NotAnObject(DomainError):
    code = "validation_error"
    status = 422


class NumberOutOfRange(DomainError):
    code = "number_out_of_range"
    status = 422


def _out_of_range(text: str) -> bool:
    digits = text.strip().lstrip("+-").lstrip("0") or "0"
    return len(digits) > 19 or int(digits) > MAX_INT


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise DomainError(_("The request body is nested too deeply."), code="too_deep")
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidText(_("Text may not contain NUL characters."))
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise NumberOutOfRange(_("A number is beyond the 64-bit range."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(
                _("Send the request body as JSON (Content-Type: application/json)."),
                details={"content_type": content_type},
            )
        data = json.loads(request.body)
        if not isinstance(data, dict):
            # Every body this API describes is an object: an array or a number is refused
            # here, before ninja would read it as an object of defaults.
            raise NotAnObject(_("The request body must be a JSON object."))
        _check(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            _check(key)
            _check(values)
            if key in _NUMERIC_KEYS or key.endswith(("_id", "_ids")):
                for value in values:
                    if _INTEGER.fullmatch(value) and _out_of_range(value):
                        raise NumberOutOfRange(
                            _("%(field)s is beyond the 64-bit range.") % {"field": key}
                        )
        return super().parse_querydict(data, list_fields, request)
