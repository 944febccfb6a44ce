"""The workspace as people see it: screenshots at 1366 x 768 and 390 px wide, in the four
languages, under artifacts/screenshots/ (`scripts/screenshots` runs just these). Each shot
also checks what a person would notice: the queue's last column is reachable, the ticket
page's panel and composer are on the screen, no English word left on a French page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from palier.ops.outbox import drain
from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_add_message, do_assign
from palier.workspace.actions import do_save_macro, do_save_team

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]

SHOTS = Path(__file__).resolve().parents[4] / "artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def desk(world):
    """A small desk: a team, macros, a conversation, notifications."""
    make_customization(world.customer_a, "Sales", 'Order line: column "Delivery zone"', "vendor")
    team = do_save_team(
        acting_user=world.manager, name="Level 1", lead=world.manager, members=[world.agent]
    )
    do_save_macro(
        acting_user=world.manager,
        name="Ask for the print log",
        scope="team",
        team=team,
        texts={
            "en": "Hello {{ contact_first_name }}, could you send us the print log?",
            "fr": "Bonjour {{ contact_first_name }}, pourriez-vous nous envoyer le journal ?",
            "de": "Guten Tag {{ contact_first_name }}, senden Sie uns bitte das Druckprotokoll.",
            "it": "Buongiorno {{ contact_first_name }}, può inviarci il registro di stampa?",
        },
        set_status="waiting_customer",
        set_assignee="me",
    )
    samples = [
        (
            world.contact_a,
            "malfunction",
            "Printing the delivery note fails with error 4711",
            "Logistics",
        ),
        (world.contact_b, "usage", "Comment extourner une facture comptabilisée ?", "Finance"),
        (
            world.contact_a2,
            "feature",
            "Add a column 'delivery zone' to the stock list",
            "Logistics",
        ),
        (world.contact_b, "training", "Formation clôture annuelle pour deux comptables", "Finance"),
        (world.contact_a, "usage", "Where do I set the default VAT code?", "Finance"),
        (world.contact_expired, "usage", "Year-end closing does not balance", "Finance"),
    ]
    tickets = [
        make_ticket(c, t, s, module_name=m, description="Since the update of this morning.")
        for c, t, s, m in samples
    ]
    main = tickets[0]
    do_add_message(main, acting_user=world.contact_a, body="All printers are affected.")
    do_add_message(
        main,
        acting_user=world.consultant,
        internal=True,
        body="@lena.agent template 'DN-2' was edited on their side yesterday.",
    )
    do_assign(tickets[1], world.agent, acting_user=world.manager)
    drain()
    return main


@pytest.mark.parametrize("language", ["en", "fr", "de", "it"])
def test_screenshots_of_the_workspace_in_each_language(live_server, world, language, signed_in_as):
    world.agent.language = language
    world.agent.save(update_fields=["language"])
    main = desk(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page = signed_in_as(world.agent, viewport).new_page()
        page.goto(f"{live_server.url}/desk/?queue=open")
        page.screenshot(path=str(SHOTS / f"workspace-queue-{width}-{language}.png"))
        if width == "1366":
            # Every column is on the screen or a scroll away inside the list.
            last = page.locator(".queue-table thead th").last
            last.scroll_into_view_if_needed()
            assert last.is_visible() and last.bounding_box()["x"] + 10 < 1366
        page.goto(f"{live_server.url}/desk/tickets/{main.pk}/")
        page.wait_for_load_state("networkidle")  # the side panels that load after the page
        page.screenshot(path=str(SHOTS / f"workspace-ticket-{width}-{language}.png"))
        if width == "1366":
            for selector in ("#send", "#save-properties", "textarea[name=body]"):
                box = page.locator(selector).bounding_box()
                assert box and box["y"] + box["height"] <= 768, selector
            # The page itself does not scroll: the columns scroll inside it.
            assert page.evaluate("window.scrollTo(0, 600); window.scrollY") == 0
        page.goto(f"{live_server.url}/desk/notifications/")
        page.screenshot(path=str(SHOTS / f"workspace-notifications-{width}-{language}.png"))
        if language != "en":
            text = page.inner_text("main")
            for english in ("Mark all read", "mentioned you", "assigned", "Send me a daily"):
                assert english not in text, english
