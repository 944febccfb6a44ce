"""A staff member's public reply to a new request takes it on."""

from __future__ import annotations

from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message, do_assign
from palier.tickets.models import TicketEvent
from palier.tickets.states import Status


def test_a_public_reply_moves_a_new_unassigned_request_in_progress_and_to_the_replier(world):
    ticket = make_ticket(world.contact_a)
    do_add_message(ticket, acting_user=world.agent, body="Here is how.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.IN_PROGRESS, world.agent)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "internal"))
    assert kinds == [("created", False), ("status", True), ("assigned", True), ("reply", False)]


def test_a_reply_keeps_someone_elses_assignment_and_a_note_changes_nothing(world):
    ticket = make_ticket(world.contact_a)
    do_add_message(ticket, acting_user=world.agent, body="Looking", internal=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.NEW, None)
    do_assign(ticket, world.consultant, acting_user=world.manager)
    do_add_message(ticket, acting_user=world.agent, body="Here is how.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.IN_PROGRESS, world.consultant)


def test_a_customers_own_message_does_not_take_the_request_on(world):
    ticket = make_ticket(world.contact_a)
    do_add_message(ticket, acting_user=world.contact_a, body="More details.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.NEW, None)
