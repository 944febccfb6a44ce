"""do_open_ticket takes a subject that shows something, whatever the channel."""

from __future__ import annotations

import pytest

from palier.lib.errors import DomainError
from palier.tickets.actions import do_open_ticket


def _open_by_phone(world, subject: str):
    return do_open_ticket(
        acting_user=world.agent,
        customer=world.customer_a,
        contact=world.contact_a,
        request_type="usage",
        subject=subject,
        channel="phone",
    )


def test_a_subject_of_only_invisible_characters_is_refused_on_every_path(world):
    with pytest.raises(DomainError) as refused:
        _open_by_phone(world, "\u200b\u200e\u202e")
    assert refused.value.code == "subject_required"


def test_a_bidi_override_left_open_is_dropped_from_the_stored_subject(world):
    ticket = _open_by_phone(world, "  Rechnung\u202efdp.exe ")
    assert ticket.subject == "Rechnungfdp.exe"
