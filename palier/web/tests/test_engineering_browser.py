"""R&D in a real browser: plan a patch for a defect, release it, see the ticket told."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.engineering.tests.helpers import escalated, malfunction
from palier.tickets.models import TicketEvent
from palier.web.tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


def test_rnd_plans_and_releases_a_patch_and_the_linked_ticket_is_told_once(
    browser, live_server, world, shoot
):
    ticket = malfunction(world.contact_b, "Erreur 4711 à l'impression du bulletin")
    defect = escalated(ticket, world.agent, title="Delivery note <script>alert(1)</script>")
    violations: list[str] = []
    context = browser.new_context(locale="en", base_url=live_server.url)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("dialog", lambda dialog: violations.append("dialog: " + dialog.message))
    page.goto("/login/")
    page.fill("#id_username", world.rnd.email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    page.goto("/rnd/")
    assert (
        "Delivery note <script>alert(1)</script>" in page.locator("table.list").first.inner_text()
    )
    page.click(f"text={defect.reference}")
    assert ticket.reference in page.locator("main").inner_text()
    page.goto("/rnd/patches/new/")
    page.select_option("select[name=product]", label="Palier ERP")
    page.fill("input[name=number]", "11.3.2")
    page.check(f"input[name=defects][value='{defect.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/rnd/patches/*/")
    assert "tells 1 customer (1 request)" in page.locator("main").inner_text()
    page.click("text=Release and tell every linked ticket")
    page.wait_for_selector("text=tells 1 customer (1 request)")  # asked once, before
    assert TicketEvent.objects.filter(ticket=ticket, kind="patch_available").count() == 0
    page.click("#confirm-release")
    page.wait_for_selector("text=Released: 1 ticket(s) told.")
    notes = page.locator("pre.release-notes").inner_text()
    assert "Palier ERP 11.3.2" in notes and defect.reference in notes
    shoot(page, "rnd-patch-released")
    page.click("text=Tell tickets linked since the release")  # a retry tells nobody again
    page.click("#confirm-release")
    page.wait_for_selector("text=Released: 0 ticket(s) told.")
    assert TicketEvent.objects.filter(ticket=ticket, kind="patch_available").count() == 1
    assert violations == []
    context.close()
