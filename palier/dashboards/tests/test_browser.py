"""A manager's main flow on the dashboard in a real browser (Debian's Chromium): choose a
customer, read the intake chart, follow a bar to the requests behind it, export the table.
The strict CSP holds: no violation is reported while the charts render."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
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


def test_a_manager_filters_follows_a_bar_to_its_requests_and_exports(
    world, desk, live_server, browser
):
    context = signed_in(browser, live_server, world.manager)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/dashboards/")
    assert page.locator("#panel-intake svg title").first.text_content() == (
        "Requests in by channel and level"
    )
    page.select_option("#dashboard-filters select[name=customer]", label="Bellevue SA")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**/dashboards/?*customer=*")
    bars = page.locator("#chart-intake a")
    assert bars.count() == 1  # Bellevue's one e-mailed request, at level 1
    assert bars.first.get_attribute("aria-label") == "Email, Level 1: 1"
    bars.first.focus()  # a bar is a link the keyboard reaches
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboards/tickets/?*panel=intake*")
    rows = page.locator("#drilldown tbody tr")
    assert rows.count() == 1 and desk.diagnosed.reference in rows.first.inner_text()
    page.go_back()
    with page.expect_download() as download:
        page.click("#panel-intake >> text=CSV")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[:2] == ["Channel,Level 1,Level 2,Refused,Total", "Email,1,0,0,1"]
    assert problems == []
    context.close()
