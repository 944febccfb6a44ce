"""The help centre in a real browser: articles suggested while a contact types a request."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.knowledge.models import Deflection
from palier.knowledge.tests.helpers import publish
from palier.testing.factories import module
from palier.tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


def test_a_contact_typing_a_request_is_offered_the_article_that_answers_it(
    portal_page, world, shoot, csp_violations
):
    publish(
        world.manager,
        "reverse-invoice",
        "customers",
        {
            "en": ("Reversing a posted invoice", "Open the invoice and choose Reverse posting."),
            "de": ("Verbuchte Rechnung stornieren", "Öffnen Sie die Rechnung, dann Stornieren."),
        },
        module=module("Finance"),
    )
    publish(
        world.manager,
        "printer-workaround",
        "staff",
        {"en": ("Printer workaround for invoices", "Internal: clear the printer cache.")},
    )
    world.contact_a.language = "en"
    world.contact_a.save(update_fields=["language"])
    page = portal_page(world.contact_a)
    page.goto("/portal/requests/new/")
    box = page.locator("#article-suggestions")
    assert "Describe your request" in box.inner_text()

    page.locator("input[name=subject]").press_sequentially("How do I reverse an invoice", delay=20)
    suggestion = page.locator("#article-suggestions [data-article=reverse-invoice]")
    suggestion.wait_for()
    assert page.locator("#article-suggestions [data-article=printer-workaround]").count() == 0
    suggestion.locator("summary").click()
    assert "Reverse posting" in suggestion.inner_text()
    shoot(page, "portal-new-request-suggestion-en")

    suggestion.locator("button", has_text="This answered my question").click()
    page.wait_for_url("**/portal/")
    assert "No request was sent" in page.locator(".flash").inner_text()
    deflection = Deflection.objects.get()
    assert deflection.article.key == "reverse-invoice"
    assert deflection.query == "How do I reverse an invoice"
    assert not Ticket.objects.exists()
    assert csp_violations == []


def test_an_agent_puts_an_article_into_the_reply_in_the_customers_language(
    browser, live_server, world, shoot
):
    from palier.testing.factories import make_ticket
    from palier.web.tests.conftest import PASSWORD

    publish(
        world.manager,
        "reverse-invoice",
        "everyone",
        {
            "en": ("Reversing a posted invoice", "Open the invoice and choose Reverse posting."),
            "fr": ("Extourner une facture", "Ouvrez la facture et choisissez Extourner."),
        },
        module=module("Finance"),
    )
    ticket = make_ticket(world.contact_b, subject="Comment extourner une facture ?")  # French
    violations: list[str] = []
    context = browser.new_context(locale="en", base_url=live_server.url)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", world.agent.email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.locator("#triage-panel").wait_for()
    item = page.locator("#article-insert-results [data-article=reverse-invoice]")
    item.wait_for()
    item.locator("button", has_text="Insert the text").click()
    reply = page.locator("#composer textarea[name=body]").input_value()
    assert "Extourner une facture" in reply and "Ouvrez la facture" in reply
    item.locator("button", has_text="Insert the link").click()
    reply = page.locator("#composer textarea[name=body]").input_value()
    assert "/help/articles/reverse-invoice/" in reply
    shoot(page, "agent-ticket-article-inserted")
    context.close()
    assert violations == []
