"""do_open_ticket takes a subject that shows something, whatever the channel."""

from __future__ import annotations

import pytest

from palier.lib.errors import DomainError
from palier.tickets.actions import do_open_ticket


def test_a_subject_of_only_invisible_characters_is_refused_on_every_path(world):
    with pytest.raises(DomainError) as refused:
        do_open_ticket(
            acting_user=world.agent,
            customer=world.customer_a,
            contact=world.contact_a,
            request_type="usage",
            subject="\u200b\u200e\u202e",
            channel="phone",
        )
    assert refused.value.code == "subject_required"


def test_a_bidi_override_left_open_is_dropped_from_the_stored_subject(world):
    ticket = do_open_ticket(
        acting_user=world.agent,
        customer=world.customer_a,
        contact=world.contact_a,
        request_type="usage",
        subject="  Rechnung\u202efdp.exe ",
        channel="phone",
    )
    assert ticket.subject == "Rechnungfdp.exe"
