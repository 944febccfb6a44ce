"""The API's JSON: one encoder for every answer, and answers built straight from presenter dicts.

Every answer is written by orjson (`dumps`), the API's renderer included: the standard
library's encoder took a third of a 50-ticket list's CPU (about 1 ms of 3.3, half of it in the
instants' `default` hook). The text is the same JSON as before, value for value: instants keep
Django's form (milliseconds, `Z` for UTC), and whatever orjson does not know (decimals, lazy
translations, pydantic models, ...) goes to ninja's own encoder. What orjson refuses (an
integer beyond 64 bits, a lone surrogate, a key that is not text) is written by the standard
library, as before: an odd value never turns an answer into a 500. One difference, on
purpose: a float that is not a number is written `null`, where the standard library wrote
`NaN` or `Infinity`, which is not JSON.

A view that returns a dict has django-ninja validate it into its response schema and dump it
again: for a 50-ticket page that is ~100 nested validations, a third of the request's time.
The presenters (api/presenters.py) already build exactly the schema's fields, so the hot
endpoints (ticket list, detail, creation) render their dicts directly (`json_response`) and
keep the schema for the OpenAPI document. api/tests/test_response_shapes.py checks that those
answers still validate against their schemas, key for key.

Answers made outside ninja's renderer (Django's error handlers, the middlewares, the index,
the OpenAPI document) go through `json_response` too: Django's JsonResponse says no charset
and escapes every accent (api/tests/test_json_charset.py).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

MEDIA_TYPE = "application/json"
CONTENT_TYPE = f"{MEDIA_TYPE}; charset=utf-8"


def _instant(o: dt.datetime) -> str:
    """Django's form of an instant: ISO 8601, milliseconds, `Z` for UTC."""
    text = o.isoformat()
    if o.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


class _Encoder(NinjaJSONEncoder):
    """Ninja's encoder (Django's below it), with the instants written first."""

    def default(self, o: Any) -> Any:
        if type(o) is dt.datetime:
            return _instant(o)
        return super().default(o)


# What orjson hands back (instants passed through, decimals, lazy text...): the same hook.
_default = _Encoder().default


def dumps(data: object) -> bytes:
    """`data` as JSON bytes (UTF-8)."""
    try:
        return orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except orjson.JSONEncodeError:
        # orjson's own limits (64-bit integers, surrogates, keys that are not text, as the
        # OpenAPI document's status codes); a value neither encoder knows raises TypeError
        # here again, as it always did. Written as orjson writes: compact, UTF-8.
        text = json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode()
        except UnicodeEncodeError:
            # A lone surrogate has no UTF-8: its escape is the only JSON for it.
            return json.dumps(data, cls=_Encoder, separators=(",", ":")).encode()


class Renderer(BaseRenderer):
    """The API's renderer (api/main.py): every ninja answer through `dumps`."""

    media_type = MEDIA_TYPE

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return dumps(data)


def json_response(data: object, status: int = 200) -> HttpResponse:
    """An answer under /api/, whoever makes it (a view, an error handler, a middleware):
    written by `dumps` and saying its charset, as ninja's answers through `Renderer`."""
    return HttpResponse(dumps(data), status=status, content_type=CONTENT_TYPE)
