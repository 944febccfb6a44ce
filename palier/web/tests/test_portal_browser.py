"""The customer portal in a real browser: Debian's Chromium through Playwright."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import formats, translation

from palier.testing.factories import make_customization
from palier.tickets.actions import do_add_message, do_transition
from palier.tickets.models import Ticket
from palier.web.tests.helpers import open_request

# available_apps makes the flush after each test TRUNCATE ... CASCADE (PostgreSQL refuses a
# plain TRUNCATE of tickets under ticket_search's foreign key); the fixture empties the
# search index, which the flush does not know.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_contact_opens_a_feature_request_and_sees_it_is_billable_before_and_after(
    portal_page, world, shoot, csp_violations
):
    _speaks(world.contact_a, "en")
    page = portal_page(world.contact_a)
    page.click("text=New request")
    page.wait_for_url("**/portal/requests/new/")
    preview = page.locator("#decision-preview")
    assert "Choose the type" in preview.inner_text()

    page.check("input[name=type][value=feature]")  # htmx asks the server's policy
    page.wait_for_selector("#decision-preview[data-tone=billable]")
    text = page.locator("#decision-preview").inner_text()
    assert "Handled by Consulting, billable at CHF 185.00/h" in text
    assert "accept an estimate before work starts" in text

    page.select_option("select[name=module]", label="Sales")
    page.fill("input[name=subject]", 'Add a column "Delivery zone" to the order list')
    page.fill("textarea[name=description]", "Our dispatchers need the zone on every line.")
    shoot(page, "portal-new-request-en")
    page.click("button[name=action][value=send]")
    page.wait_for_url("**/portal/requests/*/")

    ticket = Ticket.objects.get()
    assert (ticket.level, ticket.billable, ticket.reason) == (2, True, "feature_request")
    panel = page.locator("#explanation").inner_text()
    assert "Handled by Consulting (level 2), billable" in panel
    assert "Why level 2?" in panel and "Why billable?" in panel
    assert "CHF 185.00 per hour" in panel
    shoot(page, "portal-request-en")
    assert csp_violations == []


def test_preview_turns_included_back_when_the_type_changes(portal_page, world):
    _speaks(world.contact_a, "en")
    custom = make_customization(world.customer_a, "Sales", 'Order line: column "Zone"', "vendor")
    page = portal_page(world.contact_a)
    page.goto("/portal/requests/new/")
    page.check("input[name=type][value=malfunction]")
    page.wait_for_selector("#decision-preview[data-tone=included]")
    page.select_option("select[name=customization]", value=str(custom.pk))
    page.wait_for_selector("#decision-preview[data-tone=billable]")
    page.check("input[name=type][value=usage]")
    page.wait_for_selector("#decision-preview[data-tone=included]")
    assert "built by our staff" in page.locator("#decision-preview").inner_text()


def test_contact_of_an_expired_customer_is_told_the_end_date(portal_page, world, shoot):
    _speaks(world.contact_expired, "en")
    end = world.customer_expired.contracts.get().end
    with translation.override("en"):
        end_text = formats.date_format(end, "DATE_FORMAT")
    page = portal_page(world.contact_expired)
    notice = page.locator("#entitlement-refusal").inner_text()
    assert f"Your maintenance contract ended on {end_text}." in notice
    assert page.locator("a.button", has_text="New request").count() == 0
    page.goto("/portal/requests/new/")
    assert end_text in page.locator("#entitlement-refusal").inner_text()
    assert page.locator("input[name=subject]").count() == 0
    shoot(page, "portal-expired-en")


def test_contact_of_customer_b_cannot_open_customer_a_request(portal_page, world):
    ticket = open_request(world.contact_a, "Alpenkäse private matter", visibility="shared")
    page = portal_page(world.contact_b)
    response = page.goto(f"/portal/requests/{ticket.pk}/")
    assert response.status == 404
    assert "Alpenkäse private matter" not in page.content()
    page.goto("/portal/requests/")
    assert "Alpenkäse private matter" not in page.content()


def test_contact_replies_and_closes_with_the_keyboard_only(portal_page, world):
    _speaks(world.contact_a, "en")
    ticket = open_request(world.contact_a, "Printing fails")
    do_add_message(ticket, acting_user=world.agent, body="Which printer do you use?")
    do_transition(ticket, "waiting_customer", acting_user=world.agent)
    page = portal_page(world.contact_a)
    page.goto(f"/portal/requests/{ticket.pk}/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("textarea[name=body]")
    page.keyboard.type("The HP in the warehouse.")
    page.keyboard.press("Tab")  # to the file input
    page.keyboard.press("Tab")  # to the send button
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your reply was sent.")
    assert "The HP in the warehouse." in page.locator(".conversation").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Close the request')")
    page.wait_for_selector("text=The request is now: Closed.")


def test_main_pages_in_english_and_french_with_the_language_switch(
    portal_page, world, shoot, csp_violations
):
    _speaks(world.contact_a, "en")
    ticket = open_request(world.contact_a, "Printing the delivery note fails")
    do_add_message(ticket, acting_user=world.agent, body="Could you send us the error log?")
    do_transition(ticket, "waiting_customer", acting_user=world.agent)
    open_request(
        world.contact_a, "Add a delivery zone column", request_type="feature", visibility="shared"
    )
    open_request(
        world.contact_a2,
        "How do I reverse a posted invoice?",
        request_type="usage",
        module_name="Finance",
        visibility="shared",
    )
    page = portal_page(world.contact_a)
    for language in ("en", "fr"):
        if language == "fr":
            page.select_option("#lang-select", "fr")  # submits itself (palier.js)
            page.wait_for_selector("html[lang=fr]")
        shoot(page, f"portal-home-{language}")
        page.goto("/portal/requests/")
        shoot(page, f"portal-requests-{language}")
        page.goto("/portal/requests/new/")
        page.check("input[name=type][value=malfunction]")
        page.wait_for_selector("#decision-preview[data-tone=included]")
        shoot(page, f"portal-new-request-preview-{language}")
        page.goto(f"/portal/requests/{ticket.pk}/")
        shoot(page, f"portal-request-{language}")
        page.goto("/portal/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert csp_violations == []


def test_home_is_readable_on_a_phone(portal_page, world, shoot):
    _speaks(world.contact_a, "en")
    ticket = open_request(world.contact_a, "Printing the delivery note fails")
    page = portal_page(world.contact_a, mobile=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    shoot(page, "portal-home-phone-en")
    page.goto("/portal/requests/new/")
    page.check("input[name=type][value=usage]")
    page.wait_for_selector("#decision-preview[data-tone=included]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "portal-new-request-phone-en")
    for path in ("/portal/requests/", f"/portal/requests/{ticket.pk}/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shoot(page, "portal-request-phone-en")


def test_sign_in_page_and_language_from_the_browser(browser, live_server, shoot):
    context = browser.new_context(locale="de-CH", base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    shoot(page, "login-de")
    context.close()


def test_the_form_works_without_javascript(browser, live_server, world):
    _speaks(world.contact_a, "en")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", world.contact_a.username)
    page.fill("#id_password", "palier-demo")
    page.click("main form button[type=submit]")
    page.goto("/portal/requests/new/")
    page.check("input[name=type][value=training]")
    page.fill("input[name=subject]", "Train our two new accountants")
    page.fill("textarea[name=description]", "Closing the year.")
    page.click("button[name=action][value=preview]")  # visible without JavaScript
    assert "Handled by Consulting" in page.locator("#decision-preview").inner_text()
    assert page.input_value("input[name=subject]") == "Train our two new accountants"
    page.click("button[name=action][value=send]")
    page.wait_for_url("**/portal/requests/*/")
    assert Ticket.objects.get().reason == "information_or_training"
    context.close()


@pytest.mark.parametrize("mobile", [True, False], ids=["phone", "desktop"])
def test_what_waits_for_the_customer_is_at_the_top_on_every_width(
    portal_page, world, shoot, mobile
):
    """An estimate to accept and a question to answer come before the request's facts and
    conversation, on a phone too (the accept button sat ~1,800 px down, under the reply)."""
    from decimal import Decimal

    from palier.billing.actions import do_propose_estimate

    _speaks(world.contact_a, "de")
    estimate = open_request(world.contact_a, "Add a zone column", request_type="feature")
    for number in range(4):  # a conversation long enough to push the aside down
        do_add_message(estimate, acting_user=world.contact_a, body=f"Detail {number}. " * 30)
    do_propose_estimate(
        estimate, acting_user=world.consultant, hours=Decimal("3"), text="Add the column."
    )
    question = open_request(world.contact_a, "Printing the delivery note fails")
    do_add_message(question, acting_user=world.agent, body="Which printer do you use?")
    do_transition(question, "waiting_customer", acting_user=world.agent, reason="Asked.")

    page = portal_page(world.contact_a, language="de", mobile=mobile)
    page.goto(f"/portal/requests/{estimate.pk}/")
    height = page.viewport_size["height"]
    accept = page.locator("#consent-accept")
    assert accept.bounding_box()["y"] + accept.bounding_box()["height"] <= height
    facts = page.locator("#request-title").locator("xpath=..").bounding_box()
    assert accept.bounding_box()["y"] < facts["y"]
    assert page.locator("#consent-accept").count() == 1
    assert "{#" not in page.locator("main").inner_text()
    shoot(page, f"portal-consent-top-{'phone' if mobile else 'desktop'}-de")

    page.goto(f"/portal/requests/{question.pk}/")
    waiting = page.locator("#waiting-for-you")
    assert waiting.is_visible()
    assert waiting.bounding_box()["y"] + waiting.bounding_box()["height"] <= height
    assert "Antwort" in waiting.inner_text()
    waiting.get_by_role("link").click()
    page.wait_for_function(
        "(() => { const r = document.querySelector('#reply textarea').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; })()"
    )
