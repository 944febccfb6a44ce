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
