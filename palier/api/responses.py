"""Answers built straight from presenter dicts.

A view that returns a dict has django-ninja validate it into its response schema and dump it
again: for a 50-ticket page that is ~100 nested validations, a third of the request's time.
The presenters (api/presenters.py) already build exactly the schema's fields, so the hot
endpoints (ticket list, detail, creation) render their dicts directly, with ninja's own
encoder, and keep the schema for the OpenAPI document. api/tests/test_response_shapes.py
checks that those answers still validate against their schemas, key for key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer

_RENDERER = JSONRenderer()
CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


class _Encoder(_RENDERER.encoder_class):  # type: ignore[name-defined]
    """Ninja's encoder, with the instants (two a ticket) written first: its own `default`
    asks five isinstance questions before it reaches Django's, which writes them so."""

    def default(self, o: Any) -> Any:
        if type(o) is dt.datetime:
            text = o.isoformat()
            if o.microsecond:
                text = text[:23] + text[26:]
            if text.endswith("+00:00"):
                text = text[:-6] + "Z"
            return text
        return super().default(o)


def json_response(data: object, status: int = 200) -> HttpResponse:
    content = json.dumps(data, cls=_Encoder, **_RENDERER.json_dumps_params)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)
