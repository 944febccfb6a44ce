"""Taking a row's id before inserting it."""

from __future__ import annotations

import pytest
from django.db import transaction

from palier.lib.rows import next_id
from palier.testing.factories import make_ticket, module
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


# --- statements written once (insert_row, row_by_pk, rows_where) -----------------------


def _stored(obj) -> dict:
    model = type(obj)
    row = model.objects.filter(pk=obj.pk).values(*[f.attname for f in model._meta.fields])
    return {k: v for k, v in row.get().items() if k not in ("id", "at", "decided_at")}


def test_a_row_inserted_once_written_is_stored_as_the_orm_stores_it(world):
    from palier.lib.rows import insert_row
    from palier.tickets.models import TicketEvent

    ticket = make_ticket(world.contact_a, "usage", "Inserted")
    fields = {"kind": "field", "field": "module", "from_value": "", "to_value": "Sales"}
    by_orm = TicketEvent.objects.create(ticket=ticket, actor=world.agent, data={"a": [1]}, **fields)
    ours = TicketEvent(ticket=ticket, actor=world.agent, data={"a": [1]}, **fields)
    insert_row(ours)
    assert ours.pk > by_orm.pk and not ours._state.adding
    assert ours.at is not None  # auto_now_add, set on the instance as save() does
    assert _stored(ours) == _stored(by_orm)
    assert TicketEvent.objects.get(pk=ours.pk).at == ours.at


def test_a_row_linked_to_an_unsaved_instance_is_refused_as_save_refuses_it(world):
    """insert_row keeps save()'s check of its links (a set of them, lib.rows._checked_links)."""
    from palier.lib.rows import insert_row
    from palier.tickets.models import TicketEvent

    unsaved = Ticket(subject="Not stored")
    event = TicketEvent(ticket=unsaved, actor=world.agent, kind="field", field="module")
    with pytest.raises(ValueError, match="unsaved related object 'ticket'"):
        insert_row(event)


def test_a_decision_takes_its_new_tickets_id_in_its_own_statement(world):
    from palier.lib.rows import insert_row

    before = make_ticket(world.contact_a, "usage", "Before")
    with transaction.atomic():
        decision = Decision(kind="intake", accepted=True, level=1, rules=["E"], facts={})
        insert_row(decision, new_id_for="ticket")
        assert decision.pk is not None and decision.ticket_id > before.pk
        assert not Ticket.objects.filter(pk=decision.ticket_id).exists()
        copy = Ticket.objects.get(pk=before.pk)
        copy.pk, copy.decision = decision.ticket_id, decision
        copy.save(force_insert=True)
    assert Ticket.objects.get(pk=decision.ticket_id).decision_id == decision.pk
    assert make_ticket(world.contact_a, "usage", "After").pk > decision.ticket_id


def test_rows_read_once_written_are_the_orms_rows(world):
    from palier.customers.models import Contract, Module
    from palier.lib.rows import row_by_pk, rows_where

    sales = module("Sales")
    found = row_by_pk(Module, sales.pk)
    assert (found.pk, found.name, found.product_id) == (sales.pk, sales.name, sales.product_id)
    assert row_by_pk(Module, 10**12) is None
    customer = world.contact_a.customer
    ours = rows_where(Contract, "customer", customer.pk)
    theirs = list(Contract.objects.filter(customer=customer))
    assert [c.pk for c in ours] == [c.pk for c in theirs] and ours
    for a, b in zip(ours, theirs, strict=True):
        # Dates and decimals converted as the ORM does (SQLite returns text).
        assert (a.start, a.end, a.hourly_rate, a.created_at) == (
            b.start,
            b.end,
            b.hourly_rate,
            b.created_at,
        )
