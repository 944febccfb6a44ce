"""Merging a duplicate into the request that carries on."""

from __future__ import annotations

import pytest

from palier.lib.errors import DomainError, NotAllowed
from palier.testing.factories import make_ticket
from palier.tickets.merging import do_merge_tickets
from palier.tickets.models import Message, TicketEvent
from palier.tickets.states import Status


def test_the_duplicate_is_closed_with_a_pointer_and_the_other_gets_its_text(world):
    keep = make_ticket(world.contact_a, "malfunction", "Printing fails")
    duplicate = make_ticket(
        world.contact_a2, "malfunction", "Lieferschein druckt nicht", description="Fehler 4711"
    )
    closed = do_merge_tickets(duplicate, keep, acting_user=world.agent)
    assert closed.status == Status.CLOSED
    note = Message.objects.get(ticket=keep, internal=True)
    assert duplicate.reference in note.body and "Fehler 4711" in note.body
    status = TicketEvent.objects.get(ticket=duplicate, kind="status")
    assert keep.reference in status.reason and not status.internal
    assert status.reason.startswith("Zusammengeführt")  # the duplicate's language (de)
    assert TicketEvent.objects.filter(ticket=duplicate, kind="merged", internal=False).exists()
    assert TicketEvent.objects.filter(ticket=keep, kind="merged_from", internal=True).exists()


def test_requests_of_two_customers_or_closed_ones_are_not_merged(world):
    a = make_ticket(world.contact_a)
    b = make_ticket(world.contact_b)
    with pytest.raises(DomainError) as other:
        do_merge_tickets(a, b, acting_user=world.agent)
    assert other.value.code == "merge_other_customer"
    with pytest.raises(DomainError) as same:
        do_merge_tickets(a, a, acting_user=world.agent)
    assert same.value.code == "merge_same"
    refused = make_ticket(world.contact_expired)
    with pytest.raises(NotAllowed):
        do_merge_tickets(a, make_ticket(world.contact_a), acting_user=world.contact_a)
    assert refused.status == Status.REFUSED
    assert not Message.objects.exists()
