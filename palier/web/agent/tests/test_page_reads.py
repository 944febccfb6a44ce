"""The ticket page's compiled reads give what the ORM's querysets give, and are compiled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from palier.billing.actions import do_log_time
from palier.customers.models import Module
from palier.lib.compiled import _Statement, all_rows, connection_cache, first_row
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Message, Ticket
from palier.tickets.queries import ticket_history, ticket_messages
from palier.web.agent import page_reads
from palier.web.agent.forms import staff_users
from palier.workspace.actions import do_save_macro, do_tag_ticket
from palier.workspace.macros import visible_macros
from palier.workspace.models import Notification
from palier.workspace.notifications import unread_count
from palier.workspace.queries import customer_facts, ticket_tags, ticket_time_summary


def _values(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname in obj.__dict__
    }


@pytest.fixture
def ticket(world):
    ticket = make_ticket(world.contact_a, "usage", "Where is the VAT code?", module_name="Sales")
    message = do_add_message(ticket, acting_user=world.agent, body="Here <b>.")
    do_add_message(ticket, acting_user=world.contact_a, body="Thanks")
    for name in ("b.txt", "a.txt"):
        do_attach_file(
            ticket, SimpleUploadedFile(name, b"x"), acting_user=world.agent, message=message
        )
    for tag in ("zeta", "alpha", "mid"):
        do_tag_ticket(ticket, tag, acting_user=world.agent)
    do_log_time(
        ticket, acting_user=world.agent, minutes=20, date=dt.date(2026, 1, 5), activity="support"
    )
    do_save_macro(acting_user=world.agent, name="Mine", texts={"en": "Hi"})
    do_save_macro(acting_user=world.manager, name="Desk", texts={"en": "Yo"}, scope="desk")
    do_save_macro(acting_user=world.manager, name="Not mine", texts={"en": "No"})
    return Ticket.objects.get(pk=ticket.pk)


def test_each_read_gives_the_rows_of_its_queryset_and_is_compiled(world, ticket):
    user = world.agent
    for _round in range(2):  # compiled on the first, run compiled on the second
        messages, files = page_reads.conversation(user, ticket)
        expected = list(ticket_messages(user, ticket))
        assert [_values(m) for m in messages] == [_values(m) for m in expected]
        assert [str(m.author) for m in messages] == [str(m.author) for m in expected]
        assert all(m.ticket is ticket for m in messages)
        assert {m.pk: [_values(a) for a in files[m.pk]] for m in messages} == {
            m.pk: [_values(a) for a in m.attachments.all()] for m in expected
        }
        assert sum(len(f) for f in files.values()) == 2
        events = page_reads.history_events(user, ticket)
        assert [_values(e) for e in events] == [_values(e) for e in ticket_history(user, ticket)]
        staff = page_reads.staff_names()
        expected_staff = staff_users().only("id", "username", "first_name", "last_name")
        assert [_values(p) for p in staff] == [_values(p) for p in expected_staff]
        for reader in (world.agent, world.manager):
            people, shortcuts = page_reads.staff_and_macros(reader)
            assert [_values(p) for p in people] == [_values(p) for p in staff]
            assert [_values(m) for m in shortcuts] == [
                _values(m) for m in visible_macros(reader).only("id", "name", "internal")
            ]
            assert all(type(m.internal) is bool for m in shortcuts)
        assert [m.name for m in page_reads.staff_and_macros(user)[1]] == ["Desk", "Mine"]
        assert [m.name for m in page_reads.macros(user)] == ["Desk", "Mine"]
        assert [_values(m) for m in page_reads.macros(user)] == [
            _values(m) for m in visible_macros(user).only("id", "name", "internal")
        ]
        assert [_values(m) for m in page_reads.modules()] == [
            _values(m) for m in Module.objects.all()
        ]
        assert page_reads.defect_link(ticket) is None
        facts = customer_facts(ticket.customer, exclude=ticket)
        assert [c.pk for c in facts.customizations] == list(
            ticket.customer.customizations.values_list("pk", flat=True)
        )
    statements = connection_cache(connections["default"], "statements")
    assert isinstance(statements[("page_staff_macros",)], str)
    for key in ("page_messages", "page_events", "page_staff", "page_macros", "page_modules"):
        assert isinstance(statements[(key,)], _Statement), key
    assert isinstance(statements[("page_files", 2)], _Statement)
    assert isinstance(statements[("facts_recent", False)], _Statement)


def test_tags_time_and_unread_are_what_their_own_statements_give(world, ticket):
    Notification.objects.create(recipient=world.agent, kind="assigned", ticket=ticket)
    counts = page_reads.tags_time_unread(ticket, world.agent)
    assert counts.tags == ticket_tags(ticket) == ["alpha", "mid", "zeta"]
    assert counts.time == ticket_time_summary(ticket)
    assert counts.unread == unread_count(world.agent) == 1
    bare = make_ticket(world.contact_b, "usage", "Nothing on it")
    counts = page_reads.tags_time_unread(bare, world.manager)
    assert (counts.tags, counts.time, counts.unread) == ([], ticket_time_summary(bare), 0)


def test_a_contacts_conversation_is_not_read_by_the_agents_page(world, ticket):
    with pytest.raises(ValueError):
        page_reads.conversation(world.contact_a, ticket)
    with pytest.raises(ValueError):
        page_reads.history_events(world.contact_a, ticket)


def test_all_rows_with_other_parameters_than_announced_runs_through_the_orm(world, ticket):
    def build():
        return Message.objects.filter(ticket_id=ticket.pk, author_id=world.agent.pk)

    for _round in range(2):
        got = all_rows(("test-wrong-rows",), [ticket.pk], build)
        assert [m.pk for m in got] == [m.pk for m in build()] != []
    assert connection_cache(connections["default"], "statements")[("test-wrong-rows",)] is False
    # A builder given to first_row is built only to compile (or to fall back).
    built = []

    def build_one():
        built.append(1)
        return Ticket.objects.filter(pk=ticket.pk).order_by()[:1]

    for _round in range(3):
        assert first_row(build_one, ("test-built-once",), [ticket.pk]).pk == ticket.pk
    assert built == [1]
