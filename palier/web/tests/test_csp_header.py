"""The Content-Security-Policy header: built once for plain answers (palier/web/csp.py),
the same as django-csp builds it on every answer."""

from __future__ import annotations

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse

from palier.web.csp import CSPMiddleware


def test_a_plain_answer_carries_the_policy_django_csp_builds(client):
    response = client.get("/api/v1/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_built_policy_follows_a_change_of_the_settings(client, settings):
    client.get("/api/v1/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = client.get("/api/v1/")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)
    assert "img-src 'self'" in response["Content-Security-Policy-Report-Only"]


def _answer(rf, make_response, *, nonce: bool = False, middleware_class=CSPMiddleware):
    middleware = middleware_class(lambda request: None)
    request = rf.get("/portal/")
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)  # a template asked for one
    return middleware.process_response(request, make_response())


def _own_header():
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _widened():
    response = HttpResponse()
    response._csp_update = {"img-src": ["https://example.org"]}
    return response


@pytest.mark.parametrize("make_response", [HttpResponse, _own_header, _widened])
@pytest.mark.parametrize("nonce", [False, True])
def test_every_answer_gets_the_headers_django_csp_gives_it(rf, make_response, nonce):
    ours = _answer(rf, make_response, nonce=nonce)
    theirs = _answer(rf, make_response, nonce=nonce, middleware_class=DjangoCSPMiddleware)
    for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
        assert ours.get(header) == theirs.get(header)


def test_an_answer_with_its_own_header_keeps_it(rf):
    assert _answer(rf, _own_header)["Content-Security-Policy"] == "default-src 'none'"


def test_a_view_that_widens_the_policy_gets_it_widened(rf):
    assert "https://example.org" in _answer(rf, _widened)["Content-Security-Policy"]
