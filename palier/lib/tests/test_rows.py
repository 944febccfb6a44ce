"""Taking a row's id before inserting it."""

from __future__ import annotations

from django.db import transaction

from palier.lib.rows import next_id
from palier.testing.factories import make_ticket
from palier.tickets.models import Decision, Ticket


def test_an_id_taken_is_free_and_later_rows_come_after_it(world):
    before = make_ticket(world.contact_a, "usage", "Before")
    with transaction.atomic():
        taken = next_id(Ticket)
        assert taken > before.pk
        assert not Ticket.objects.filter(pk=taken).exists()
        copy = Ticket.objects.get(pk=before.pk)
        copy.pk, copy.subject = taken, "Inserted with the id taken"
        copy.save(force_insert=True)
    after = make_ticket(world.contact_a, "usage", "After")
    assert after.pk > taken


def test_next_id_of_an_empty_table(db):
    with transaction.atomic():
        assert next_id(Decision) >= 1


def test_a_typed_id_is_ascii_digits_that_fit_64_bits():
    from palier.lib.rows import parse_id

    assert parse_id(" 42 ") == 42 and parse_id(42) == 42
    assert parse_id("9" * 18) == int("9" * 18)
    for bad in ("", None, "²", "٣", "4 2", "-1", "1e3", "9" * 19, "PAL-2026-000001"):
        assert parse_id(bad) is None, bad
