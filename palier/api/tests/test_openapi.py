"""The API describes itself: a valid OpenAPI document, and interactive docs that work offline
under our Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from openapi_spec_validator import validate

from palier.policy import Finding, Reason, Refusal, RequestType


@pytest.fixture
def schema(db) -> dict:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_the_openapi_document_is_valid(schema):
    validate(schema)
    assert schema["info"]["title"] == "Palier API"


def test_the_openapi_document_lists_the_ticket_endpoints_with_bearer_auth(schema):
    paths = schema["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/tickets/{ticket_id}/history",
        "/api/v1/tickets/{ticket_id}/diagnosis",
        "/api/v1/customers",
        "/api/v1/contracts",
    ):
        assert path in paths, path
    assert any(
        s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values()
    )
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_json_answer_documents_its_fields(schema):
    """A success answer's schema names its fields (a bare object documents nothing), except
    the billing report, whose sections are open-ended."""
    components = schema["components"]["schemas"]

    def described(node: dict) -> bool:
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        if node.get("type") == "array":
            return described(node["items"])
        if "anyOf" in node:
            return all(described(n) for n in node["anyOf"] if n.get("type") != "null")
        return bool(node.get("properties")) or node.get("type") not in ("object", None)

    bare = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            for status, answer in op.get("responses", {}).items():
                body = answer.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and body and not described(body):
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == ["GET /api/v1/reports/billing 200"], bare


def test_the_policys_codes_are_the_apis_enum_values(schema):
    components = schema["components"]["schemas"]
    enums = [set(s["enum"]) for s in components.values() if "enum" in s]
    for codes in (RequestType, Reason, Refusal, Finding):
        assert {c.value for c in codes} in enums, codes


def test_the_docs_page_uses_local_assets_and_no_inline_script(db):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for chunk in html.split("<script")[1:]:
        head, _, rest = chunk.partition(">")
        assert "src=" in head or 'type="application/json"' in head, head
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
def test_the_interactive_docs_render_offline_under_the_csp(live_server, browser):
    host = urlparse(live_server.url).netloc
    outside: list[str] = []
    problems: list[str] = []
    page = browser.new_page()

    def only_local(route):
        if urlparse(route.request.url).netloc == host or route.request.url.startswith("data:"):
            route.continue_()
        else:  # offline: nothing may leave the machine
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 15
    assert "Palier API" in page.locator(".info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/codes").first.click()
    page.wait_for_selector(".opblock.is-open", timeout=5_000)
    page.close()
    assert outside == []
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_the_api_root_points_to_its_documentation(db):
    r = Client().get("/api/v1/")
    assert r.status_code == 200
    assert r.json() == {
        "name": "Palier API",
        "version": "1",
        "docs": "/api/v1/docs",
        "openapi": "/api/v1/openapi.json",
    }
