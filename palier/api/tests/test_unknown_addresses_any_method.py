"""Any method at an address of the API that has no endpoint, or that only reads, answers
JSON: a CSRF refusal (the site's HTML page) never stands in for the API's own answer."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/nope", 404, "not_found"),
        ("/api/v1/openapi.json", 405, "method_not_allowed"),
        ("/api/v1/", 405, "method_not_allowed"),
    ],
)
def test_a_write_to_an_address_without_an_endpoint_answers_json(db, method, path, status, code):
    client = Client(enforce_csrf_checks=True)  # as curl or a script: no CSRF cookie
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["error"]["code"] == code


def test_the_documents_still_answer_a_read(db):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/").status_code == 200
