"""Answers built straight from presenter dicts.

A view that returns a dict has django-ninja validate it into its response schema and dump it
again: for a 50-ticket page that is ~100 nested validations, a third of the request's time.
The presenters (api/presenters.py) already build exactly the schema's fields, so the hot
endpoints (ticket list, detail, creation) render their dicts directly, with ninja's own
encoder, and keep the schema for the OpenAPI document. api/tests/test_response_shapes.py
checks that those answers still validate against their schemas, key for key.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja.renderers import JSONRenderer

_RENDERER = JSONRenderer()
CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def json_response(data: object, status: int = 200) -> HttpResponse:
    content = json.dumps(data, cls=_RENDERER.encoder_class, **_RENDERER.json_dumps_params)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)
