"""Browser-test fixtures: Debian's Chromium driven by Playwright against live_server.

Use `browser` (one Chromium per test session), `portal_page(user, language=...)` for a page
signed in through the real sign-in form, and `shoot(page, name)` to save a screenshot under
artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
PASSWORD = "palier-demo"  # palier.testing.factories.make_user's default


@pytest.fixture
def csp_violations() -> list[str]:
    """Console messages about the Content-Security-Policy, collected from every page."""
    return []


@pytest.fixture
def portal_page(
    browser: Any, live_server: Any, csp_violations: list[str], settings: Any, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    settings.MEDIA_ROOT = tmp_path
    contexts = []

    def open_page(user: Any, *, language: str = "en", mobile: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, locale=language, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                csp_violations.append(msg.text)
                if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
                else None
            ),
        )
        page.goto("/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/portal/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def english(client: Any, settings: Any) -> None:
    """Pages in English whatever the persona's language: the assertions read English text.
    (The language choice itself is tested in test_auth.py without this fixture.)"""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
