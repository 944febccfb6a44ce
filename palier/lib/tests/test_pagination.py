"""Keyset pagination, with and without the late row lookup."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palier.lib.pagination import InvalidCursor, keyset_page
from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket


def walk(qs, *, sort: str, limit: int, late_rows: bool) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = keyset_page(qs, sort=sort, cursor=cursor, limit=limit, late_rows=late_rows)
        pages.append([t.pk for t in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["-created", "created", "-updated", "updated"])
def test_late_rows_walk_the_same_pages_in_the_same_order(world, sort):
    for i in range(7):
        make_ticket(world.contact_a, "usage", f"Ticket {i}")
    qs = Ticket.objects.filter(customer=world.customer_a).select_related("customer", "module")
    plain = walk(qs, sort=sort, limit=3, late_rows=False)
    late = walk(qs, sort=sort, limit=3, late_rows=True)
    assert late == plain
    assert [len(p) for p in late] == [3, 3, 1]


def test_late_rows_cost_two_queries_and_load_the_joined_rows(world):
    for i in range(5):
        make_ticket(world.contact_a, "usage", f"Ticket {i}")
    qs = Ticket.objects.select_related("customer", "module")
    with CaptureQueriesContext(connection) as ctx:
        page = keyset_page(qs, sort="-created", cursor=None, limit=50, late_rows=True)
        names = [(t.customer.name, t.module.name) for t in page.items]
    assert len(ctx.captured_queries) == 2
    assert names == [("Alpenkäse AG", "Finance")] * 5


def test_an_empty_filter_answers_an_empty_page_in_one_query(world):
    with CaptureQueriesContext(connection) as ctx:
        page = keyset_page(
            Ticket.objects.none().filter(pk=0) | Ticket.objects.filter(pk=-1),
            sort="-created",
            cursor=None,
            limit=50,
            late_rows=True,
        )
    assert page.items == [] and page.next_cursor is None
    assert len(ctx.captured_queries) == 1


def test_a_cursor_of_another_sort_is_refused_with_its_code(world):
    make_ticket(world.contact_a, "usage", "One")
    make_ticket(world.contact_a, "usage", "Two")
    page = keyset_page(Ticket.objects.all(), sort="-created", cursor=None, limit=1)
    with pytest.raises(InvalidCursor) as refused:
        keyset_page(Ticket.objects.all(), sort="-updated", cursor=page.next_cursor, limit=1)
    assert refused.value.code == "invalid_cursor"
