"""An agent works ten tickets with the keyboard only (Chromium): open each from the queue,
reply with a macro and set it pending, assign it, then close all ten at once.

Every key the agent presses goes through `press`, which counts it; the counts per ticket are
written below and asserted, so a change that adds a step to the daily work fails here."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from palier.testing.factories import make_ticket
from palier.tickets.models import Message
from palier.tickets.states import Status
from palier.workspace.actions import do_save_macro

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]

TICKETS = 10
# From the queue: j (to the first row) and o (open).
KEYS_TO_OPEN = 2
# In the composer: Alt+K (the macro menu), ArrowDown (the macro), Enter (insert it).
KEYS_TO_INSERT_A_MACRO = 3
# Alt+M: the ticket is mine (saved with the reply).
KEYS_TO_ASSIGN = 1
# Ctrl+Enter: the reply goes out and the status the macro chose is set, in one action.
KEYS_TO_SEND_AND_SET_PENDING = 1
# Alt+Q: back to the queue the ticket came from.
KEYS_BACK_TO_THE_QUEUE = 1
KEYS_PER_TICKET = (
    KEYS_TO_OPEN
    + KEYS_TO_INSERT_A_MACRO
    + KEYS_TO_ASSIGN
    + KEYS_TO_SEND_AND_SET_PENDING
    + KEYS_BACK_TO_THE_QUEUE
)
# Bulk close: j and x per ticket, then c and Enter on the confirmation.
KEYS_TO_CLOSE_ALL = 2 * TICKETS + 2


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def test_ten_tickets_worked_by_keyboard_only(live_server, world, signed_in_as):
    do_save_macro(
        acting_user=world.agent,
        name="Ask for the print log",
        texts={
            "en": "Hello {{ contact_first_name }}, could you send us the print log?",
            "de": "Guten Tag {{ contact_first_name }}, senden Sie uns bitte das Druckprotokoll.",
            "fr": "Bonjour {{ contact_first_name }}, pourriez-vous nous envoyer le journal ?",
        },
        set_status=Status.WAITING_CUSTOMER,
    )
    contacts = [world.contact_a, world.contact_b]
    tickets = [
        make_ticket(contacts[i % 2], "malfunction", f"Printing fails on site {i}")
        for i in range(TICKETS)
    ]
    context = signed_in_as(world.agent, {"width": 1366, "height": 768})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation, answered by Enter
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/desk/?queue=unassigned")

    for done in range(TICKETS):
        before = keys.count
        keys.press("j")
        keys.press("o")
        page.wait_for_url("**/desk/tickets/*/")
        page.wait_for_selector("#macro-select")
        keys.press("Alt+k")
        keys.press("ArrowDown")
        with page.expect_response(lambda r: "/macro/" in r.url):
            keys.press("Enter")
        expect(page.locator("textarea[name=body]")).to_be_focused()
        keys.press("Alt+m")
        with page.expect_navigation():
            keys.press("Control+Enter")
        page.wait_for_selector(".flash__item")
        keys.press("Alt+q")
        page.wait_for_url("**/desk/?queue=unassigned")
        assert keys.count - before == KEYS_PER_TICKET
        assert page.locator("tr[data-row]").count() == TICKETS - done - 1

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.WAITING_CUSTOMER and ticket.assignee == world.agent
        reply = Message.objects.get(ticket=ticket, internal=False)
        assert reply.body.startswith(("Guten Tag", "Bonjour"))  # the customer's language

    page.goto(f"{live_server.url}/desk/?queue=waiting")
    before = keys.count
    for _ in range(TICKETS):
        keys.press("j")
        keys.press("x")
    with page.expect_navigation():
        keys.press("c")
        keys.count += 1  # Enter on the confirmation ("Close 10 tickets? ..."), accepted above
    assert keys.count - before == KEYS_TO_CLOSE_ALL
    assert "10 tickets changed." in page.inner_text(".flash")
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
    assert page.mouse is not None  # the mouse was never used: every step above is a key
