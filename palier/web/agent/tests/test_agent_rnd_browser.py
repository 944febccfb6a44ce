"""R&D in a real browser: an agent links a malfunction to a known defect; the customer, once
the patch is out, reads its notes and asks us to install it. Saves screenshots (en, de)."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.engineering.actions import do_release_patch
from palier.engineering.models import DefectLink, DeploymentRequest
from palier.engineering.tests.helpers import escalated, malfunction, planned_patch
from palier.web.agent.tests.test_agent_browser import SHOTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]


def _known_defects(world) -> list:
    titles = [
        "Delivery note print fails with error 4711",
        "Printing a delivery note with a discount line shows wrong totals",
        "Invoice print preview is blank for delivery addresses abroad",
    ]
    return [
        escalated(malfunction(world.contact_b, f"Erreur d'impression {i}"), world.agent, title=t)
        for i, t in enumerate(titles)
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_agent_links_a_malfunction_to_a_known_defect(live_server, signed_in_as, world, language):
    world.agent.language = language
    world.agent.save(update_fields=["language"])
    known = _known_defects(world)
    ticket = malfunction(
        world.contact_a,
        "Printing the delivery note fails with error 4711",
        description="Since this morning every delivery note print stops with error 4711.",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    panel = page.locator("#similar-defects")
    assert known[0].reference in panel.inner_text()
    page.click("#escalate summary")  # the form of a new defect is folded away
    assert page.is_visible("#escalate-form")
    page.screenshot(path=str(SHOTS / f"agent-ticket-rnd-{language}.png"), full_page=True)

    panel.locator(".defect-row").first.locator("button").click()
    page.wait_for_selector("#linked-defect")
    assert known[0].reference in page.inner_text("#linked-defect")
    assert not page.is_visible("#similar-defects")
    page.screenshot(path=str(SHOTS / f"agent-ticket-rnd-linked-{language}.png"), full_page=True)
    ticket.refresh_from_db()
    assert ticket.status == "with_rnd"
    assert DefectLink.objects.get(ticket=ticket).defect == known[0]


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_customer_reads_the_patch_and_asks_us_to_install_it(
    browser,
    live_server,
    signed_in_as,
    world,
    language,
):
    world.contact_a.language = language
    world.contact_a.save(update_fields=["language"])
    ticket, _defect, patch = planned_patch(
        world, "Printing the delivery note fails with error 4711"
    )
    do_release_patch(patch, acting_user=world.rnd)
    page = signed_in_as(world.contact_a).new_page()
    page.goto(f"{live_server.url}/portal/requests/{ticket.pk}/")
    notes = page.inner_text("#patch")
    assert "11.3.2" in notes and "Restart the print service after installing." in notes
    page.screenshot(path=str(SHOTS / f"portal-patch-{language}.png"), full_page=True)
    page.click("#ask-deployment")
    page.wait_for_selector("#deployment-requested")
    new = DeploymentRequest.objects.get(source_ticket=ticket).request_ticket
    assert new.reference in page.inner_text("#deployment-requested")
