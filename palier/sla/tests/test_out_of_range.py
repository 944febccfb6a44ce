"""A ticket whose dates lie where no deadline can be counted (a request stored in year 9999:
a bad import, a clock set wrong) has a clock that says so, on every screen and in the API,
and never a server error (sla.business_time.OutOfRange)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from palier.sla.actions import do_recompute, scan
from palier.sla.models import TicketClock
from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket

OUT_OF_REACH = "no deadline: dates out of range"


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _every_view(world, ticket, api):
    from palier.tickets.actions import do_assign

    do_assign(ticket, world.agent, acting_user=world.agent)
    agent, contact = signed_in(world.agent), signed_in(world.contact_a)
    manager = signed_in(world.manager)
    for client, path in (
        (agent, f"/desk/tickets/{ticket.pk}/"),
        (agent, "/desk/"),
        (agent, "/dashboards/me/"),
        (manager, "/dashboards/"),
        (manager, "/dashboards/export/sla.csv"),
        (contact, f"/portal/requests/{ticket.pk}/"),
        (contact, "/portal/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    queue = agent.get("/desk/").content.decode()
    assert OUT_OF_REACH in queue
    staff = api(world.agent).get(f"/tickets/{ticket.pk}/sla")
    assert staff.status_code == 200, staff.content
    body = staff.json()
    assert body["out_of_range"] is True and body["hours_left"] is None
    for path in (f"/tickets/{ticket.pk}", "/tickets"):
        assert api(world.agent).get(path).status_code == 200, path
    mine = api(world.contact_a).get(f"/tickets/{ticket.pk}/sla")
    assert mine.status_code == 200 and mine.json()["expected_first_response"] is None


@pytest.mark.parametrize("created", [dt.datetime(9999, 12, 30, 12, tzinfo=dt.UTC)])
def test_a_ticket_created_in_year_9999_has_a_clock_that_says_no_deadline(world, api, created):
    ticket = make_ticket(world.contact_a)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    ticket.refresh_from_db()
    clock = do_recompute(ticket)  # the worker's recomputation: no OverflowError
    assert clock.out_of_range and clock.first_response_due is None
    assert clock.next_check_at is None
    scan()
    _every_view(world, ticket, api)


def test_a_deadline_stored_in_year_9999_is_shown_as_out_of_range(world, api):
    ticket = make_ticket(world.contact_a)
    do_recompute(ticket)
    far = dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)
    TicketClock.objects.filter(pk=ticket.pk).update(
        first_response_due=far, first_response_warn_at=far, first_response_running=True
    )
    _every_view(world, ticket, api)
