"""Browser sessions for the workspace's browser tests, closed when each test ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client


def new_session(browser: Any, live_server: Any, user: Any, viewport: dict | None = None) -> Any:
    """A browser context carrying a real session of `user`."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.fixture
def signed_in_as(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """`signed_in_as(user, viewport=None)` -> a browser context. Every context is closed as
    the test ends, before the live server and its database go: an open page's heartbeat
    would otherwise reach a server whose database is gone."""
    opened: list[Any] = []

    def open_context(user: Any, viewport: dict | None = None) -> Any:
        context = new_session(browser, live_server, user, viewport)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()
