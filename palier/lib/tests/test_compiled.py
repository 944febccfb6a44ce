"""Statements compiled once: the same rows as the ORM gives, for every shape and caller."""

from __future__ import annotations

import pytest
from django.http import Http404

from palier.lib.compiled import first_row
from palier.lib.pagination import _rows_by_ids
from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket
from palier.tickets.queries import access_ticket_by_id, visible_tickets

RELATED = ("customer", "contact", "module", "decision", "assignee", "customization__module")


def _fields(ticket: Ticket) -> dict:
    return {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}


def test_a_compiled_lookup_gives_the_row_and_relations_the_orm_gives(world):
    first = make_ticket(world.contact_a, "usage", "First")
    second = make_ticket(world.contact_b, "usage", "Second")
    for ticket in (first, second, first):  # the second call runs the compiled statement
        qs = Ticket.objects.select_related(*RELATED).filter(pk=ticket.pk).order_by()[:1]
        got = first_row(qs, ("test-lookup",), [ticket.pk])
        expected = Ticket.objects.select_related(*RELATED).get(pk=ticket.pk)
        assert _fields(got) == _fields(expected)
        assert got.customer.name == expected.customer.name
        assert got.contact.username == expected.contact.username
        assert got.module.name == expected.module.name
        assert got.decision.level == expected.decision.level
        assert got.assignee is None and expected.assignee is None
    qs = Ticket.objects.filter(pk=second.pk + 1000).order_by()[:1]
    assert first_row(qs, ("test-lookup-missing",), [second.pk + 1000]) is None


def test_a_shape_whose_parameters_differ_runs_through_the_orm(world):
    ticket = make_ticket(world.contact_a, "usage", "First")
    qs = Ticket.objects.filter(pk=ticket.pk, customer_id=ticket.customer_id).order_by()[:1]
    # Announced with the wrong parameters: never compiled, yet the right row.
    assert first_row(qs, ("test-wrong",), [ticket.pk]).pk == ticket.pk
    assert first_row(qs, ("test-wrong",), [ticket.pk]).pk == ticket.pk


def test_each_caller_reaches_exactly_the_tickets_they_may_see(world):
    private_a = make_ticket(world.contact_a, "usage", "Private", visibility="private")
    shared_a = make_ticket(world.contact_a2, "usage", "Shared", visibility="shared")
    other_a = make_ticket(world.contact_a2, "usage", "Other's", visibility="private")
    ticket_b = make_ticket(world.contact_b, "usage", "B's")
    everyone = (private_a, shared_a, other_a, ticket_b)
    for _round in range(2):  # compiled on the first, run compiled on the second
        for user in (world.agent, world.admin_a, world.contact_a, world.contact_b):
            for ticket in everyone:
                sees = visible_tickets(user).filter(pk=ticket.pk).exists()
                if sees:
                    assert access_ticket_by_id(user, ticket.pk).subject == ticket.subject
                else:
                    with pytest.raises(Http404):
                        access_ticket_by_id(user, ticket.pk)
    assert not visible_tickets(world.contact_a).filter(pk=other_a.pk).exists()
    assert visible_tickets(world.contact_a).filter(pk=shared_a.pk).exists()
    for missing in (0, -1, ticket_b.pk + 1000, 2**63, 10**30):
        with pytest.raises(Http404):
            access_ticket_by_id(world.agent, missing)


def test_rows_by_ids_are_the_values_the_orm_gives(world):
    tickets = [make_ticket(world.contact_a, "usage", f"Row {i}") for i in range(3)]
    names = ("id", "created_at", "billable", "customer__name", "assignee__username", "level")
    pks = [t.pk for t in tickets] + [tickets[-1].pk + 1000]
    for _round in range(2):
        got = sorted(_rows_by_ids(Ticket, "default", names, pks), key=lambda r: r["id"])
        expected = list(Ticket.objects.filter(pk__in=pks).order_by("id").values(*names))
        assert got == expected
        assert [type(v) for v in got[0].values()] == [type(v) for v in expected[0].values()]
    assert _rows_by_ids(Ticket, "default", names, []) == []


def test_a_threads_compiled_statements_end_with_its_connection():
    """What is compiled for a connection is kept on it: once a thread has ended, its
    connection (and its database session) is not kept alive by a cache. Converters are
    bound to the connection, so a cache keyed by it (functools.cache, or a
    WeakKeyDictionary whose values refer to their key) kept every thread's connection."""
    import gc
    import threading
    import weakref

    from django.db import connections

    from palier.accounts.models import User
    from palier.lib import pagination, rows

    ended = []

    def work() -> None:
        connection = connections["default"]
        assert rows._converters(User, connection) is rows._converters(User, connection)
        pagination._rows_statement(User, "default", ("id", "username"))
        ended.append(weakref.ref(connection))

    for _ in range(3):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    gc.collect()
    assert len(ended) == 3
    assert [ref() for ref in ended] == [None, None, None]


def test_the_shared_connection_proxy_names_its_threads_own_cache(db):
    """django.db.connection is one object for every thread: a cache kept on it would be the
    whole process's, not its connection's."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from palier.lib.compiled import connection_cache

    ours = connection_cache(connections[DEFAULT_DB_ALIAS], "test-proxy")
    assert connection_cache(connection, "test-proxy") is ours
    assert "_palier_test-proxy" not in vars(connection)
