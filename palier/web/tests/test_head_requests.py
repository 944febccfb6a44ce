"""HEAD answers as GET does on every web page: the same status and headers, no body.

Monitors, link checkers and some proxies ask HEAD first; a 405 (require_GET) or a 400 (a
view that took every method but GET for a POST) told them a page was broken.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from palier.testing.factories import make_ticket

pytestmark = [pytest.mark.django_db]


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _methods(view) -> list[str] | None:
    """The methods a require_http_methods decorator (require_GET, require_safe, ...) around
    `view` lets through, or None when none restricts them."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return list(cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def test_no_web_view_that_answers_get_refuses_head():
    refusing = [
        route
        for route, view in _patterns(get_resolver())
        if not route.startswith(("api", "admin"))
        and (methods := _methods(view)) is not None
        and "GET" in methods
        and "HEAD" not in methods
    ]
    assert refusing == []


def _same(client, path: str, **params) -> None:
    get = client.get(path, params)
    head = client.head(path, params)
    assert get.status_code == 200, path
    assert head.status_code == get.status_code, path
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]


def test_head_on_the_desks_triage_and_pages_answers_as_get(client, world):
    ticket = make_ticket(world.contact_a, "malfunction", "Printing the delivery note fails")
    client.force_login(world.agent)
    for path in (
        f"/help/desk/triage/{ticket.pk}/",
        f"/help/desk/insert/{ticket.pk}/",
        "/help/",
        "/desk/",
        "/desk/new/",
        f"/desk/tickets/{ticket.pk}/",
    ):
        _same(client, path)


def test_head_on_the_portals_pages_answers_as_get(client, world):
    client.force_login(world.contact_a)
    for path in ("/portal/requests/new/preview/", "/help/suggest/", "/portal/requests/new/"):
        _same(client, path)
    _same(client, "/help/suggest/", subject="How do I reverse a posted invoice")
