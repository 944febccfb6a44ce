"""A contact accepts an estimate in the portal and the ticket moves on (real Chromium)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from palier.billing.actions import do_propose_estimate
from palier.billing.tests.helpers import open_ticket
from palier.tickets.models import Ticket
from palier.tickets.states import CUSTOMER_STATUS_LABELS, Status

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]


def test_a_contact_accepts_an_estimate_in_the_portal_and_the_ticket_moves_on(
    world, live_server, browser
):
    ticket = open_ticket(world.customer_a, world.contact_a)
    do_propose_estimate(
        ticket,
        acting_user=world.consultant,
        hours=Decimal("3"),
        text="Add the delivery zone column to the order list.",
    )
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.contact_a.username)
    page.fill("input[name=password]", "palier-demo")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/portal/requests/{ticket.pk}/")
    assert page.locator(".badge").first.inner_text().strip() != ""
    panel = page.locator("#consent")  # the request page includes billing's consent panel
    assert "CHF 555.00" in panel.inner_text()
    page.click("#consent-accept")
    page.wait_for_url(f"**/portal/requests/{ticket.pk}/")
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    with translation.override(world.contact_a.language):
        label = str(CUSTOMER_STATUS_LABELS[Status.IN_PROGRESS])
    assert page.locator(".badge").first.inner_text().strip() == label
