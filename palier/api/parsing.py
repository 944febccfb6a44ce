"""Request parsing for the API: JSON only, and no text a database would choke on.

PostgreSQL refuses NUL characters in text, and an id beyond 64 bits overflows both
databases: each would surface as a 500, so they are refused here, before any view runs.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from palier.lib.errors import DomainError

MAX_DEPTH = 32


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


class InvalidText(DomainError):
    code = "invalid_characters"


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise DomainError("The request body is nested too deeply.", code="too_deep")
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidText("Text may not contain NUL characters.")
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
                "Send the request body as JSON (Content-Type: application/json).",
                details={"content_type": content_type},
            )
        data = json.loads(request.body)
        _check(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            _check(key)
            _check(values)
        return super().parse_querydict(data, list_fields, request)
