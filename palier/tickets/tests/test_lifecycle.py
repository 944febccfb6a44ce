"""The lifecycle of POLICY.md section 5: the transition table, who may take each edge, the
reopen window, and the history of every change."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket
from palier.tickets.states import (
    CONTACT,
    STAFF,
    SYSTEM,
    TRANSITIONS,
    InvalidTransition,
    Status,
    TransitionNotAllowed,
    allowed_targets,
    check_transition,
)

STAFF_EDGES = sorted((f, t) for (f, t), who in TRANSITIONS.items() if STAFF in who)
CONTACT_EDGES = sorted((f, t) for (f, t), who in TRANSITIONS.items() if CONTACT in who)
STAFF_ONLY_EDGES = sorted((f, t) for (f, t), who in TRANSITIONS.items() if CONTACT not in who)


def put_in(ticket: Ticket, status: str) -> None:
    """Test setup: place a ticket in a status without walking the path there."""
    Ticket.objects.filter(pk=ticket.pk).update(status=status, resolved_at=timezone.now())


@pytest.mark.parametrize(("frm", "to"), STAFF_EDGES, ids=lambda v: str(v))
def test_staff_can_take_each_edge_of_the_table_and_it_is_recorded(world, api, frm, to):
    ticket = make_ticket(world.contact_a)
    put_in(ticket, frm)
    r = api(world.agent).post(f"/tickets/{ticket.pk}/transitions", {"to": to, "reason": "Step"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == to
    assert r.json()["version"] == 2
    event = api(world.agent).get(f"/tickets/{ticket.pk}/history").json()[-1]
    assert (event["from_value"], event["to_value"], event["reason"]) == (frm, to, "Step")
    assert event["actor"]["id"] == world.agent.pk


@pytest.mark.parametrize(("frm", "to"), CONTACT_EDGES, ids=lambda v: str(v))
def test_a_contact_can_take_the_edges_open_to_contacts(world, api, frm, to):
    ticket = make_ticket(world.contact_a)
    put_in(ticket, frm)
    r = api(world.contact_a).post(f"/tickets/{ticket.pk}/transitions", {"to": to})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == to


@pytest.mark.parametrize(("frm", "to"), STAFF_ONLY_EDGES, ids=lambda v: str(v))
def test_a_contact_is_refused_the_edges_kept_for_the_team(world, api, frm, to):
    ticket = make_ticket(world.contact_a)
    put_in(ticket, frm)
    r = api(world.contact_a).post(f"/tickets/{ticket.pk}/transitions", {"to": to})
    assert r.status_code == 403, r.content
    error = r.json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert error["details"]["allowed"] == allowed_targets(frm, CONTACT)
    assert Ticket.objects.get(pk=ticket.pk).status == frm


def test_an_edge_outside_the_table_is_refused_with_409_and_the_allowed_list(world, api):
    ticket = make_ticket(world.contact_a)
    put_in(ticket, Status.CLOSED)
    r = api(world.agent).post(f"/tickets/{ticket.pk}/transitions", {"to": "in_progress"})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["details"] == {"from": "closed", "to": "in_progress", "allowed": []}
    r = api(world.agent).post(
        f"/tickets/{make_ticket(world.contact_a).pk}/transitions", {"to": "waiting_patch"}
    )
    assert r.json()["error"]["details"]["allowed"] == allowed_targets("new", STAFF)
    assert "in_progress" in r.json()["error"]["details"]["allowed"]


def test_every_pair_outside_the_table_is_refused_for_everyone():
    for frm, to in itertools.product(Status.values, repeat=2):
        if (frm, to) in TRANSITIONS:
            continue
        for kind in (STAFF, CONTACT, SYSTEM):
            with pytest.raises(InvalidTransition) as info:
                check_transition(frm, to, kind)
            assert info.value.code == "invalid_transition"
            assert info.value.status == 409


def test_only_the_desk_itself_takes_a_refused_request_back_to_new():
    with pytest.raises(TransitionNotAllowed):
        check_transition(Status.REFUSED, Status.NEW, STAFF)
    check_transition(Status.REFUSED, Status.NEW, SYSTEM)


def test_closed_declined_and_refused_are_final_for_people():
    for status in (Status.CLOSED, Status.DECLINED, Status.REFUSED):
        assert allowed_targets(status, CONTACT) == []
    assert allowed_targets(Status.DECLINED, STAFF) == [Status.CLOSED]


def test_the_detail_lists_only_the_transitions_the_caller_may_take(world, api):
    ticket = make_ticket(world.contact_a)
    assert api(world.contact_a).get(f"/tickets/{ticket.pk}").json()["allowed_transitions"] == [
        "closed"
    ]
    staff = api(world.agent).get(f"/tickets/{ticket.pk}").json()["allowed_transitions"]
    assert set(staff) == {
        "in_progress",
        "waiting_customer",
        "awaiting_consent",
        "with_rnd",
        "resolved",
        "closed",
    }


def resolve(world, api, ticket: Ticket) -> None:
    client = api(world.agent)
    assert (
        client.post(f"/tickets/{ticket.pk}/transitions", {"to": "in_progress"}).status_code == 200
    )
    assert client.post(f"/tickets/{ticket.pk}/transitions", {"to": "resolved"}).status_code == 200


def test_a_customer_reply_within_the_reopen_window_reopens_the_ticket(world, api, settings):
    settings.PALIER_REOPEN_DAYS = 14
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=40)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(world.contact_a)
        resolve(world, api, ticket)
    with time_machine.travel(start + dt.timedelta(days=13, hours=23), tick=False):
        r = api(world.contact_a).post(f"/tickets/{ticket.pk}/replies", {"body": "Still broken"})
        assert r.status_code == 201, r.content
    detail = api(world.agent).get(f"/tickets/{ticket.pk}").json()
    assert detail["status"] == "in_progress"
    history = api(world.contact_a).get(f"/tickets/{ticket.pk}/history").json()
    reopened = [e for e in history if e["kind"] == "reopened"]
    assert reopened and reopened[0]["from_value"] == "resolved"
    assert reopened[0]["actor"]["id"] == world.contact_a.pk


def test_after_the_reopen_window_a_reply_is_refused_and_the_ticket_stays_resolved(
    world, api, settings
):
    settings.PALIER_REOPEN_DAYS = 14
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=40)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(world.contact_a)
        resolve(world, api, ticket)
    with time_machine.travel(start + dt.timedelta(days=14, hours=1), tick=False):
        client = api(world.contact_a)
        r = client.post(f"/tickets/{ticket.pk}/replies", {"body": "Still broken"})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "reopen_window_passed"
        r = client.post(f"/tickets/{ticket.pk}/transitions", {"to": "in_progress"})
        assert r.json()["error"]["code"] == "reopen_window_passed"
        assert client.get(f"/tickets/{ticket.pk}/messages").json() == []
        # Staff may still reopen it.
        r = api(world.agent).post(f"/tickets/{ticket.pk}/transitions", {"to": "in_progress"})
        assert r.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).resolved_at is None


def test_a_contact_cannot_reply_on_a_closed_ticket(world, api):
    ticket = make_ticket(world.contact_a)
    api(world.contact_a).post(f"/tickets/{ticket.pk}/transitions", {"to": "closed"})
    r = api(world.contact_a).post(f"/tickets/{ticket.pk}/replies", {"body": "Hello?"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "ticket_closed"


def test_a_customer_reply_moves_a_ticket_waiting_for_them_back_to_in_progress(world, api):
    ticket = make_ticket(world.contact_a)
    api(world.agent).post(f"/tickets/{ticket.pk}/transitions", {"to": "waiting_customer"})
    api(world.contact_a).post(f"/tickets/{ticket.pk}/replies", {"body": "Here it is"})
    assert api(world.contact_a).get(f"/tickets/{ticket.pk}").json()["status"] == "in_progress"


def test_the_history_tells_who_when_from_to_and_why_for_every_change(world, api):
    day = (timezone.now() - dt.timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    with time_machine.travel(day, tick=False):
        ticket = make_ticket(world.contact_a, "malfunction")
    with time_machine.travel(day + dt.timedelta(minutes=90), tick=False):
        api(world.agent).post(
            f"/tickets/{ticket.pk}/transitions",
            {"to": "waiting_customer", "reason": "Need the log file"},
        )
    history = api(world.contact_a).get(f"/tickets/{ticket.pk}/history").json()
    created, moved = history
    assert created["kind"] == "created" and created["to_value"] == "new"
    assert created["actor"]["id"] == world.contact_a.pk
    assert dt.datetime.fromisoformat(created["at"]) == day
    assert moved["kind"] == "status"
    assert (moved["from_value"], moved["to_value"], moved["reason"]) == (
        "new",
        "waiting_customer",
        "Need the log file",
    )
    assert moved["actor"]["id"] == world.agent.pk
    assert dt.datetime.fromisoformat(moved["at"]) == day + dt.timedelta(minutes=90)


def test_resolving_and_closing_stamp_their_times(world, api):
    ticket = make_ticket(world.contact_a)
    resolve(world, api, ticket)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.closed_at is None
    api(world.contact_a).post(f"/tickets/{ticket.pk}/transitions", {"to": "closed"})
    ticket.refresh_from_db()
    assert ticket.closed_at is not None
