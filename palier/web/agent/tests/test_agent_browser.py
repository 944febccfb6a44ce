"""The workspace in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_add_message
from palier.workspace.actions import do_save_macro

# available_apps makes the flush between live-server tests TRUNCATE ... CASCADE: on
# PostgreSQL the raw ticket_search table references tickets_ticket, and a plain TRUNCATE of
# the tickets is refused.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]

SHOTS = Path(__file__).resolve().parents[4] / "artifacts" / "screenshots"


def test_an_agent_diagnoses_a_customer_manipulation_and_the_contact_sees_level_two(
    live_server, signed_in_as, world
):
    world.contact_a.language = "en"
    world.contact_a.save(update_fields=["language"])
    ticket = make_ticket(
        world.contact_a,
        "malfunction",
        "Printing the delivery note fails",
        description="Error 4711 since this morning.",
        module_name="Logistics",
    )

    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name=ticket.subject).click()
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    page.select_option(".ticket-panel select[name=finding]", "customer_manipulation")
    page.wait_for_selector("#decision-preview .preview")  # the new decision, before saving
    assert "Customer manipulation" in page.inner_text("#decision-preview")
    page.fill(".ticket-panel textarea[name=reason]", "A user deleted the print template.")
    page.click("#save-properties")
    page.wait_for_selector(".flash__item")
    assert "Customer manipulation" in page.inner_text(".decision")

    portal = signed_in_as(world.contact_a).new_page()
    response = portal.goto(f"{live_server.url}/portal/requests/{ticket.pk}/")
    assert response.status == 200
    text = portal.inner_text("main")
    assert "follows a manipulation made on your side" in text
    assert "Consulting (level 2)" in text
    assert "A user deleted the print template." not in text  # the agent's note stays internal


def test_keyboard_shortcuts_focus_the_reply_and_open_the_cheat_sheet(
    live_server, signed_in_as, world
):
    ticket = make_ticket(world.contact_a, "usage", "How do I close the year?")
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    page.keyboard.press("Alt+r")
    assert page.evaluate("document.activeElement.name") == "body"
    assert page.is_checked("input[name=kind][value=reply]")
    page.keyboard.press("Alt+n")
    assert page.is_checked("input[name=kind][value=note]")
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.type("Checked the closing settings.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".message--internal")
    page.keyboard.press("Alt+/")
    assert page.is_visible("#shortcuts")


def test_the_requalify_form_previews_the_new_decision_live(live_server, signed_in_as, world):
    custom = make_customization(
        world.customer_a, "Sales", 'Order line: column "Delivery zone"', "vendor"
    )
    ticket = make_ticket(
        world.contact_a, "malfunction", "Wrong totals in the new column", module_name="Sales"
    )
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    page.wait_for_load_state("networkidle")  # the triage and articles panels have loaded
    page.select_option(".ticket-panel select[name=customization]", str(custom.pk))
    page.wait_for_selector("#decision-preview .preview")
    assert "Error in a customization" in page.inner_text("#decision-preview")
    ticket.refresh_from_db()
    assert ticket.reason == "standard_malfunction"


@pytest.mark.parametrize("language", ["en", "de"])
def test_screenshots_of_the_queue_and_ticket_pages(live_server, signed_in_as, world, language):
    world.agent.language = language
    world.agent.save(update_fields=["language"])
    make_customization(world.customer_a, "Sales", 'Order line: column "Delivery zone"', "vendor")
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
    ]
    tickets = [make_ticket(c, t, s, module_name=m) for c, t, s, m in samples]
    main = tickets[0]
    do_add_message(
        main,
        acting_user=world.contact_a,
        body="It started after the update this morning. All printers are affected.",
    )
    do_add_message(
        main,
        acting_user=world.agent,
        internal=True,
        body="Template 'DN-2' was edited on their side yesterday (audit log).",
    )
    do_add_message(
        main,
        acting_user=world.agent,
        body="Thank you. Could you send us the print log of one failed attempt?",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = signed_in_as(world.agent)
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/?queue=open")
    page.screenshot(path=str(SHOTS / f"agent-queue-{language}.png"), full_page=True)
    viewer = signed_in_as(world.consultant).new_page()
    with viewer.expect_response(lambda r: "/presence/" in r.url):  # its first heartbeat
        viewer.goto(f"{live_server.url}/desk/tickets/{main.pk}/")
    page.goto(f"{live_server.url}/desk/tickets/{main.pk}/")
    page.wait_for_selector(".presence__who")
    page.screenshot(path=str(SHOTS / f"agent-ticket-{language}.png"), full_page=True)
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/desk/?queue=open")
    phone.screenshot(path=str(SHOTS / f"agent-queue-phone-{language}.png"), full_page=True)


def test_screenshots_of_a_phone_intake_refused_and_seen_by_a_manager(
    live_server, signed_in_as, world
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/new/")
    page.select_option("select[name=customer]", str(world.customer_expired.pk))
    page.wait_for_selector(
        f"select[name=contact] option[value='{world.contact_expired.pk}']", state="attached"
    )
    page.select_option("select[name=contact]", str(world.contact_expired.pk))
    page.select_option("select[name=type]", "usage")
    page.fill("input[name=subject]", "Called: year-end closing does not balance")
    page.screenshot(path=str(SHOTS / "agent-new-ticket-en.png"), full_page=True)
    page.click("form.intake-form button[type=submit]:not([name])")
    page.wait_for_url("**/desk/tickets/*/")
    assert "ended on" in page.inner_text(".flash")
    manager = signed_in_as(world.manager).new_page()
    manager.goto(page.url)
    manager.fill(".accept-form textarea[name=reason]", "Renewal signed, paperwork on its way")
    manager.screenshot(path=str(SHOTS / "agent-refused-manager-en.png"), full_page=True)
    manager.click(".accept-form button[type=submit]")
    manager.wait_for_selector(".flash__item")
    assert "accepted" in manager.inner_text(".flash")


def test_filters_update_the_list_in_place_and_the_address(live_server, signed_in_as, world):
    make_ticket(
        world.contact_a, "malfunction", "Delivery note fails with 4711", module_name="Logistics"
    )
    make_ticket(world.contact_b, "usage", "Comment annuler une facture", module_name="Finance")
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/?queue=open")
    page.evaluate("document.body.dataset.marker = 'same-page'")
    page.select_option("select[name=type]", "malfunction")
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator("#ticket-list")).not_to_contain_text("annuler")
    assert "Delivery note fails" in page.inner_text("#ticket-list")
    assert "type=malfunction" in page.url
    assert page.evaluate("document.body.dataset.marker") == "same-page"  # no full reload
    page.fill("input[name=q]", "bellevue")
    page.select_option("select[name=type]", "")
    expect(page.locator("#ticket-list")).to_contain_text("annuler")
    assert "Delivery note fails" not in page.inner_text("#ticket-list")


def test_a_macro_that_is_no_longer_there_is_said_in_the_composer_with_the_text_kept(
    live_server, signed_in_as, world
):
    """The composer's htmx insert answers 400 with the composer saying why; agent.js lets
    htmx swap that answer (htmx swaps no 4xx of itself)."""
    ticket = make_ticket(world.contact_a, "usage", "VAT code")
    do_save_macro(acting_user=world.agent, name="Ask for the log", texts={"en": "The log?"})
    page = signed_in_as(world.agent).new_page()
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    page.fill("textarea[name=body]", "Here is where the VAT code is set.")
    # A macro deleted meanwhile, or a forged option: its id names no macro of this agent.
    page.eval_on_selector("#macro-select option:nth-child(2)", "o => (o.value = 'x1')")
    page.select_option("#macro-select", "x1")
    page.click("#macro-insert")
    page.wait_for_selector("#composer #form-errors")
    assert "This macro is not available" in page.inner_text("#form-errors")
    assert page.input_value("textarea[name=body]") == "Here is where the VAT code is set."
