"""PostgreSQL instants read by psycopg's C loader give what Django's own loader gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from palier.lib.pg_instants import UtcInstantLoader
from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's loaders (SQLite stores text)"
)

INSTANTS = [
    "2026-12-06 20:31:07.123456+00",
    "2026-03-29 01:59:59.999999+01",  # the night Europe/Zurich springs forward
    "1999-12-31 23:59:59+00",
    "2026-01-02 03:04:05.1+05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(cursor) -> list:
    values = ", ".join(f"'{text}'::timestamptz" for text in INSTANTS)
    cursor.execute(f"SELECT {values}, NULL::timestamptz")
    return list(cursor.fetchone())


@pytest.mark.django_db
def test_each_connection_reads_instants_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)
    assert loader is UtcInstantLoader
    with connection.cursor() as cursor:
        assert _read(cursor)[0].tzinfo is dt.UTC
        # The loader psycopg builds for a result is its C one, not Django's Python one.
        built = cursor.cursor._tx.get_loader(1184, 0)
        assert type(built).__module__.startswith(("psycopg_binary", "psycopg_c"))


@pytest.mark.django_db
def test_the_values_are_djangos_to_the_microsecond():
    with connection.cursor() as cursor:
        fast = _read(cursor)
    with connection.cursor() as cursor:
        register_tzloader(dt.UTC, cursor.cursor)  # Django's own, on this cursor
        django = _read(cursor)
    assert fast == django
    assert [v.tzinfo for v in fast[:-1]] == [dt.UTC] * len(INSTANTS)
    assert [v.isoformat() for v in fast[:-1]] == [v.isoformat() for v in django[:-1]]
    assert fast[-1] is None


@pytest.mark.django_db
def test_a_ticket_reads_back_the_instant_it_was_given(world):
    ticket = make_ticket(world.contact_a, "usage", "An instant")
    when = dt.datetime(2026, 12, 6, 21, 5, 3, 456789, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    got = Ticket.objects.get(pk=ticket.pk).created_at
    assert got == when and got.tzinfo is dt.UTC
    assert Ticket.objects.filter(created_at=when).count() == 1
