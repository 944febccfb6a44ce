"""A ticket whose dates lie where no deadline can be counted (a request stored in year 9999:
a bad import, a clock set wrong) has a clock that says so, on every screen and in the API,
and never a server error (sla.business_time.OutOfRange)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from palier.dashboards import rollup
from palier.dashboards.combine import with_rollup
from palier.dashboards.drilldown import tickets_behind
from palier.dashboards.filters import Filters
from palier.dashboards.panels import PANELS
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


def _breaches(f) -> tuple[int, int]:
    rows = PANELS["sla"](f).table("sla").rows
    return sum(r.values[3] + r.values[4] for r in rows), sum(r.values[5] for r in rows)


def test_a_breached_clock_gone_out_of_range_counts_no_breach_and_tells_none_again(world, api):
    """The flags are the scan's memory of what it told (each breach once): an out-of-range
    spell keeps them, so that a clock back in range is not told again; while out of range
    they report no breach, since none can be computed (dashboards live and rolled up, the
    tickets behind a figure, the API)."""
    from palier.tickets.actions import do_assign

    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=6), tick=False):
        ticket = make_ticket(world.contact_a)
        do_assign(ticket, world.agent, acting_user=world.agent)
        do_recompute(ticket)
    scan(now=now)
    clock = TicketClock.objects.get(pk=ticket.pk)
    assert clock.first_response_breached and clock.first_response_warned
    told = ticket.events.filter(kind="sla_breach").count()
    assert told >= 1
    month = Filters.default()
    live = replace(month, rolled_through=None)
    # Later than the roll-up's overlap with the scan's events: only the clock says it changed.
    with time_machine.travel(now + dt.timedelta(minutes=10), tick=False):
        _out_of_range_and_back(world, api, ticket, told, month, live)


def _out_of_range_and_back(world, api, ticket, told, month, live):
    now = timezone.now()
    rollup.rebuild()
    assert _breaches(live)[0] == _breaches(with_rollup(month))[0] == told

    # A clock set wrong (year 9999): no deadline can be counted.
    clock = do_recompute(ticket, now=dt.datetime(9999, 12, 30, 12, tzinfo=dt.UTC))
    assert clock.out_of_range and clock.first_response_breached  # the memory is kept
    rollup.refresh()
    assert _breaches(live) == _breaches(with_rollup(month)) == (0, 0)
    behind = {"panel": "sla", "tier": clock.tier, "criticality": clock.criticality}
    for breach in ("first_response", "resolution", "warning"):
        assert not tickets_behind(live, {**behind, "breach": breach}).exists(), breach
    sla = api(world.agent).get(f"/tickets/{ticket.pk}/sla").json()
    assert sla["out_of_range"] is True
    assert not sla["first_response"]["breached"] and not sla["first_response"]["warned"]

    # Back in range: the breach counts again, and nobody is told it twice.
    clock = do_recompute(ticket, now=now)
    assert not clock.out_of_range
    scan(now=now)
    assert ticket.events.filter(kind="sla_breach").count() == told
    rollup.refresh()
    assert _breaches(live)[0] == _breaches(with_rollup(month))[0] == told
