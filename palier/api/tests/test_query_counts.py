"""A fixed number of SQL queries per request, whatever the page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palier.testing.factories import make_customization, make_ticket, module
from palier.tickets.actions import do_add_message, do_assign, do_diagnose
from palier.tickets.models import Ticket


def fill(world, n: int) -> None:
    custom = make_customization(world.customer_a, "Sales", "Order line: Zone", "vendor")
    for i in range(n):
        ticket = make_ticket(
            world.contact_a,
            ("usage", "malfunction", "feature")[i % 3],
            f"Ticket {i}",
            module_name="Sales",
            customization=custom if i % 2 else None,
            visibility="shared",
        )
        if i % 4 == 0:
            do_assign(ticket, world.agent, acting_user=world.agent)


def count(client, path: str, **params) -> int:
    client.get(path, **params)  # warm: the token's last use is written once a minute
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, **params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user", ["agent", "contact_a", "admin_a"])
def test_the_ticket_list_costs_the_same_queries_for_10_and_for_60_tickets(world, api, user):
    client = api(getattr(world, user))
    fill(world, 10)
    small = count(client, "/tickets", limit=60)
    fill_more = 50
    for i in range(fill_more):
        make_ticket(world.contact_a, "usage", f"More {i}", visibility="shared")
    assert len(client.get("/tickets", limit=60).json()["items"]) == 60
    large = count(client, "/tickets", limit=60)
    assert small == large
    assert large <= 4  # token, the page (one joined query), and nothing per row


def test_filters_search_and_pages_keep_the_count_fixed(world, api, django_assert_max_num_queries):
    fill(world, 30)
    client = api(world.agent)
    client.get("/me")
    first = client.get("/tickets", limit=10).json()
    with django_assert_max_num_queries(4):
        client.get("/tickets", limit=10, cursor=first["next_cursor"])
    with django_assert_max_num_queries(4):
        client.get("/tickets", queue="level2", limit=50)
    with django_assert_max_num_queries(4):
        client.get("/tickets", q="ticket", sort="-updated", limit=50)


@pytest.mark.parametrize("limit", [5, 50])
def test_a_search_of_several_words_costs_at_most_one_query_more(world, api, limit):
    """Newest first: the matches (on PostgreSQL, a second step when the newest tickets hold
    too few of them), the rows, plus the token: whatever the page. Staff with no other filter
    see every match, so the newest matches are the page's ids (no query among them)."""
    fill(world, 30)
    client = api(world.agent)
    one_word = count(client, "/tickets", q="ticket", limit=limit)
    together = count(client, "/tickets", q="ticket 1", limit=limit)  # "Ticket 1", "Ticket 10"...
    apart = count(client, "/tickets", q="ticket nowhere", limit=limit)
    assert one_word == 3  # staff, no filter: the newest matches are the page's ids
    assert together <= 4 and apart <= 4


def test_the_ticket_detail_costs_the_same_queries_however_long_its_story(world, api):
    client = api(world.agent)
    custom = make_customization(world.customer_a, "Sales", "Order line: Zone", "vendor")
    short = make_ticket(
        world.contact_a, "malfunction", "Short", module_name="Sales", customization=custom
    )
    long = make_ticket(
        world.contact_a, "malfunction", "Long", module_name="Sales", customization=custom
    )
    do_add_message(short, acting_user=world.agent, body="Only step")
    for i in range(20):
        do_add_message(long, acting_user=world.agent, body=f"Step {i}")
        do_add_message(long, acting_user=world.contact_a, body=f"Answer {i}")
    do_diagnose(long, "customer_manipulation", acting_user=world.agent)
    do_assign(long, world.agent, acting_user=world.agent)
    counts = [count(client, f"/tickets/{t.pk}") for t in (short, long)]
    assert counts[0] == counts[1] <= 3
    messages = [count(client, f"/tickets/{t.pk}/messages") for t in (short, long)]
    assert messages[0] == messages[1] <= 4
    history = [count(client, f"/tickets/{t.pk}/history") for t in (short, long)]
    assert history[0] == history[1] <= 4


def test_opening_a_ticket_inserts_its_rows_and_updates_none(world, api):
    """Token, module, contract; then, in one transaction, its decision (whose statement
    takes the ticket's id), the ticket pointing at that decision, its search row and its
    event. No UPDATE: updating the new ticket to point at its decision rewrote every index
    of the table."""
    client = api(world.contact_a)
    body = {"type": "malfunction", "subject": "Printing fails", "module_id": module("Sales").pk}
    client.post("/tickets", body)  # warm: the token's last use is written once a minute
    with CaptureQueriesContext(connection) as ctx:
        r = client.post("/tickets", body)
    assert r.status_code == 201, r.content
    statements = [q["sql"].split()[0].upper() for q in ctx.captured_queries]
    assert "UPDATE" not in statements
    assert statements.count("INSERT") == 4  # decision, ticket, search row, event
    assert len(ctx.captured_queries) == 9, statements  # with BEGIN and COMMIT
    ticket = Ticket.objects.select_related("decision").get(pk=r.json()["id"])
    assert ticket.decision.ticket_id == ticket.pk
    assert (ticket.level, ticket.reason) == (ticket.decision.level, ticket.decision.reason)
