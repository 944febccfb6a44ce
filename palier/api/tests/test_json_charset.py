"""Every JSON answer under /api/ is written one way: `Content-Type: application/json;
charset=utf-8` and the API's encoder (api/responses.dumps: compact, UTF-8, never `\\u00e9`),
whoever answers it: the API's views, ninja, Django's error handlers or a middleware."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.test import Client

from palier.api.responses import CONTENT_TYPE, dumps
from palier.lib.body_limit import BodyLimitMiddleware


def written_by_the_api(content_type: str, content: bytes) -> dict:
    assert content_type == CONTENT_TYPE
    data = json.loads(content)
    assert content == dumps(data), content[:200]
    return data


def a_french_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    error = written_by_the_api(response["Content-Type"], response.content)["error"]
    assert error["code"] == code
    message = error["message"]
    assert not message.isascii(), message  # translated, with its accents written as UTF-8
    assert message.encode() in response.content
    return message


@pytest.fixture
def french(db):
    return Client(HTTP_ACCEPT_LANGUAGE="fr")


def test_an_unknown_api_address_is_written_as_the_api_writes(french):
    a_french_error(french.get("/api/v1/no/such/thing"), 404, "not_found")


def test_an_address_outside_the_api_version_is_written_as_the_api_writes(french):
    a_french_error(french.get("/api/v2/tickets"), 404, "not_found")


def test_a_wrong_method_is_written_as_the_api_writes(world, api):
    client = api(world.agent).client
    response = client.delete("/api/v1/me", HTTP_ACCEPT_LANGUAGE="fr")
    a_french_error(response, 405, "method_not_allowed")


def test_a_host_not_allowed_is_written_as_the_api_writes(french):
    a_french_error(french.get("/api/v1/me", HTTP_HOST="evil.example"), 400, "bad_request")


def test_an_address_too_long_is_written_as_the_api_writes(french):
    response = french.get("/api/v1/tickets", {"q": "x" * 9000})
    a_french_error(response, 414, "uri_too_long")


def test_a_body_over_the_server_limit_is_written_as_the_api_writes():
    headers: list = []

    def start_response(status, response_headers, exc_info=None):
        headers.extend(response_headers)

    def never(environ, start_response):  # pragma: no cover - the limit answers first
        raise AssertionError("the desk was reached")

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/tickets",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(10**9),
        "HTTP_ACCEPT_LANGUAGE": "fr",
        "wsgi.input": io.BytesIO(b""),
    }
    content = b"".join(BodyLimitMiddleware(never)(environ, start_response))
    data = written_by_the_api(dict(headers)["Content-Type"], content)
    assert data["error"]["code"] == "payload_too_large"
    assert "requête" in data["error"]["message"]
    assert dict(headers)["Content-Length"] == str(len(content))


def test_an_idempotency_refusal_is_written_as_the_api_writes(world, api):
    client = api(world.agent).client
    response = client.post(
        "/api/v1/tickets",
        "{}",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="é",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    written_by_the_api(response["Content-Type"], response.content)


def test_the_api_index_and_its_openapi_document_are_written_as_the_api_writes(french):
    index = french.get("/api/v1/")
    assert index.status_code == 200
    assert written_by_the_api(index["Content-Type"], index.content)["name"] == "Palier API"
    document = french.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert written_by_the_api(document["Content-Type"], document.content)["openapi"]


def test_no_api_answer_is_built_by_another_encoder():
    """The class of fault: an answer under /api/ made by Django's JsonResponse or by
    json.dumps says no charset and escapes every accent. They go through
    api/responses.json_response (or the renderer) instead."""
    root = Path(__file__).resolve().parents[2]
    answering = [
        *sorted((root / "api").glob("*.py")),
        root / "urls.py",
        root / "lib" / "body_limit.py",
        root / "web" / "replay.py",
    ]
    offenders = [
        str(path.relative_to(root))
        for path in answering
        if path.name != "responses.py"
        and any(word in path.read_text() for word in ("JsonResponse", "json.dumps"))
    ]
    assert offenders == []
