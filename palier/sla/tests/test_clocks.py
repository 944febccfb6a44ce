"""Ticket clocks against hand-computed deadlines (Europe/Zurich, canton of Vaud, 8-12 13-17)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from palier.customers.models import Contract
from palier.sla import calendars
from palier.sla.actions import do_recompute, scan
from palier.sla.models import TicketClock
from palier.sla.queries import expected_first_response, time_left_for
from palier.testing.factories import make_ticket
from palier.tickets.actions import (
    do_add_message,
    do_change_criticality,
    do_diagnose,
    do_transition,
)
from palier.tickets.models import TicketEvent

ZH = ZoneInfo("Europe/Zurich")


def zh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZH)


@pytest.fixture(autouse=True)
def fresh_calendar():
    calendars.clear_cache()
    yield
    calendars.clear_cache()


def open_at(when: dt.datetime, contact, criticality: str = "medium", request_type="usage"):
    with time_machine.travel(when, tick=False):
        ticket = make_ticket(contact, request_type, "Where do I set the default VAT code?")
        if criticality != "medium":
            ticket.criticality = criticality
            ticket.save(update_fields=["criticality"])
        do_recompute(ticket)
    return ticket


def clock(ticket) -> TicketClock:
    return TicketClock.objects.get(pk=ticket.pk)


def test_opening_a_ticket_starts_its_clock_through_the_worker(
    world, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(zh(2026, 11, 30, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = make_ticket(world.contact_a)
    c = clock(ticket)
    assert (c.tier, c.criticality) == ("standard", "medium")
    assert c.first_response_due == zh(2026, 12, 1, 9)  # 8 h: Mon 9-12, 13-17, Tue 8-9
    assert c.first_response_warn_at == zh(2026, 11, 30, 16)  # 6 h
    assert c.resolution_due == zh(2026, 12, 7, 9)  # 40 h: one working week


@pytest.mark.parametrize(
    ("opened", "tier", "criticality", "first_due", "why"),
    [
        (zh(2026, 11, 30, 9), "premium", "medium", zh(2026, 11, 30, 14), "premium: 4 h"),
        (zh(2026, 11, 30, 9), "standard", "critical", zh(2026, 11, 30, 11), "critical: 2 h"),
        (zh(2026, 12, 24, 16), "standard", "high", zh(2026, 12, 28, 11), "over Christmas"),
        (zh(2026, 10, 23, 16), "premium", "high", zh(2026, 10, 26, 9), "over fall back"),
        (zh(2026, 11, 28, 10), "gold", "low", zh(2026, 12, 1, 17), "unknown tier: standard"),
    ],
)
def test_first_response_due_matches_the_hand_computed_instant(
    world, opened, tier, criticality, first_due, why
):
    Contract.objects.filter(customer=world.customer_a).update(tier=tier)
    ticket = open_at(opened, world.contact_a, criticality)
    assert clock(ticket).first_response_due == first_due, why


def test_waiting_for_the_customer_pauses_the_clock(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a)
    with time_machine.travel(zh(2026, 11, 30, 10), tick=False):
        do_add_message(ticket, acting_user=world.agent, body="Which company code?")
        do_transition(ticket, "waiting_customer", acting_user=world.agent)
        do_recompute(ticket)
    paused = clock(ticket)
    assert paused.first_response_met_at == zh(2026, 11, 30, 10)
    assert not paused.resolution_running and paused.resolution_due is None
    assert paused.resolution_left_s == 39 * 3600
    assert expected_first_response(ticket) is None  # answered
    with time_machine.travel(zh(2026, 12, 1, 10), tick=False):
        do_add_message(ticket, acting_user=world.contact_a, body="Company 100.")
        do_recompute(ticket)
    # 39 h left from Tue 10:00: Tue 6 h, Wed-Fri 24 h, Mon 8 h, Tue 1 h.
    assert clock(ticket).resolution_due == zh(2026, 12, 8, 9)


def test_time_with_rnd_extends_the_resolution_target_instead_of_breaching_it(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, request_type="malfunction")
    with time_machine.travel(zh(2026, 11, 30, 10), tick=False):
        do_diagnose(ticket, "product_defect", acting_user=world.agent)
        do_recompute(ticket)
    with time_machine.travel(zh(2026, 12, 21, 10), tick=False):
        do_recompute(ticket)
        assert scan()["breaches"] == 1  # first response was never given: that one breaches
        c = clock(ticket)
        assert not c.resolution_breached and c.resolution_due is None
        assert c.rnd_s == 15 * 8 * 3600  # three working weeks with R&D
        do_transition(ticket, "in_progress", acting_user=world.rnd)
        do_recompute(ticket)
    # 39 h left from Mon 21 Dec 10:00: 6+8+8 to Wed, Thu 24: 8, Christmas, Mon 28: 8, Tue 1.
    assert clock(ticket).resolution_due == zh(2026, 12, 29, 9)


def test_changing_criticality_recomputes_the_targets_from_history(
    world, django_capture_on_commit_callbacks
):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a)
    with (
        time_machine.travel(zh(2026, 11, 30, 9, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        do_change_criticality(
            ticket, "critical", acting_user=world.agent, reason="Invoicing stopped"
        )
    c = clock(ticket)
    assert c.criticality == "critical"
    assert c.first_response_due == zh(2026, 11, 30, 11)  # 2 h from the opening, not from now


def test_scan_records_one_warning_then_one_breach_per_target(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, "critical")  # 2 h, warn at 1.5 h
    with time_machine.travel(zh(2026, 11, 30, 10, 31), tick=False):
        assert scan() == {"warnings": 1, "breaches": 0}
        assert scan() == {"warnings": 0, "breaches": 0}
    with time_machine.travel(zh(2026, 11, 30, 11, 1), tick=False):
        assert scan() == {"warnings": 0, "breaches": 1}
        assert scan() == {"warnings": 0, "breaches": 0}
        do_recompute(ticket)  # a recompute rewrites deadlines, never the flags
        assert scan() == {"warnings": 0, "breaches": 0}
    events = TicketEvent.objects.filter(ticket=ticket, kind__in=["sla_warning", "sla_breach"])
    assert [(e.kind, e.field, e.internal) for e in events] == [
        ("sla_warning", "first_response", True),
        ("sla_breach", "first_response", True),
    ]


def test_a_breach_found_late_is_not_preceded_by_a_stale_warning(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, "critical")
    with time_machine.travel(zh(2026, 12, 1, 17), tick=False):
        # First response is past due (no warning for it); resolution is at 15 of 16 h.
        assert scan() == {"warnings": 1, "breaches": 1}
        assert scan() == {"warnings": 0, "breaches": 0}
    events = TicketEvent.objects.filter(ticket=ticket, kind__in=["sla_warning", "sla_breach"])
    assert sorted((e.kind, e.field) for e in events) == [
        ("sla_breach", "first_response"),
        ("sla_warning", "resolution"),
    ]


def test_time_left_for_a_queue_page_costs_one_query(world, django_assert_max_num_queries):
    tickets = [open_at(zh(2026, 11, 30, 9), world.contact_a) for _ in range(5)]
    closed = tickets[-1]
    with time_machine.travel(zh(2026, 11, 30, 10), tick=False):
        do_transition(closed, "closed", acting_user=world.agent)
        do_recompute(closed)
    with time_machine.travel(zh(2026, 11, 30, 16), tick=False):
        calendars.default_calendar()  # warm: the calendar is cached for a minute per process
        with django_assert_max_num_queries(1):
            left = time_left_for(tickets)
    assert left[tickets[0].pk].target == "first_response"
    assert left[tickets[0].pk].hours_left == 2.0  # 8 h target, 6 h used by 16:00
    assert tickets[0].sla == left[tickets[0].pk]
    assert left[closed.pk] is None
    with time_machine.travel(zh(2026, 12, 2, 9), tick=False):
        late = time_left_for(tickets[:1])[tickets[0].pk]
    assert late.overdue and late.hours_left == -8.0


def test_the_customer_sees_when_to_expect_a_first_answer(world):
    ticket = open_at(zh(2026, 11, 30, 16), world.contact_a)
    assert expected_first_response(ticket) == zh(2026, 12, 1, 16)
    with time_machine.travel(zh(2026, 11, 30, 16, 30), tick=False):
        do_add_message(ticket, acting_user=world.agent, body="We are on it.")
    ticket.refresh_from_db()
    assert expected_first_response(ticket) is None


def test_a_tier_change_recomputes_the_customers_open_tickets(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a)
    other = open_at(zh(2026, 11, 30, 9), world.contact_b)
    Contract.objects.filter(customer=world.customer_a).update(tier="premium")
    from palier.sla.tasks import recompute_customer_clocks

    with time_machine.travel(zh(2026, 11, 30, 10), tick=False):
        recompute_customer_clocks.call(world.customer_a.pk)
    assert clock(ticket).tier == "premium"
    assert clock(ticket).first_response_due == zh(2026, 11, 30, 14)
    assert clock(other).tier == "standard"


def _sla_command(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sla", *args, stdout=out)
    return out.getvalue()


def test_the_sla_command_settles_the_deadlines_a_recompute_finds_already_past(world):
    """Switching service levels on over a backlog: the past deadlines show as breached, but
    nobody is told of them as news, and the next check is the next deadline still ahead."""
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, "critical")
    TicketClock.objects.all().delete()
    events = TicketEvent.objects.filter(ticket=ticket, kind__startswith="sla_")
    with time_machine.travel(zh(2026, 11, 30, 12), tick=False):
        out = _sla_command("recompute")
        out += _sla_command("scan")
    assert "1 clocks recomputed" in out
    assert "1 deadlines already past of tickets without a clock marked breached" in out
    assert "Recorded now: 0 warnings, 0 breaches" in out
    assert not events.exists()
    settled = clock(ticket)
    assert settled.first_response_breached and settled.first_response_warned
    assert not settled.resolution_breached and not settled.resolution_warned
    assert settled.next_check_at == settled.resolution_warn_at > zh(2026, 11, 30, 12)
    # The deadline still ahead is told when it comes, as before.
    with time_machine.travel(settled.resolution_due, tick=False):
        out = _sla_command("scan")
    assert "Recorded now: 0 warnings, 1 breaches" in out
    assert list(events.values_list("kind", "field")) == [("sla_breach", "resolution")]


def test_a_recompute_leaves_a_breach_due_since_the_last_scan_to_the_scan(world):
    """A clock that existed keeps its past deadlines for the scan, which tells them: a breach
    that fell due a minute ago, or during a worker outage, is news."""
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, "critical")
    with time_machine.travel(zh(2026, 11, 30, 12), tick=False):
        out = _sla_command("recompute")
        out += _sla_command("scan")
    assert "without an event" not in out
    assert "Recorded now: 0 warnings, 1 breaches" in out
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breach").count() == 1


def test_the_sla_command_can_leave_the_past_to_the_scan(world):
    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a, "critical")
    TicketClock.objects.all().delete()
    with time_machine.travel(zh(2026, 11, 30, 12), tick=False):
        out = _sla_command("recompute", "--tell-past")
        out += _sla_command("scan")
    assert "1 clocks recomputed" in out
    assert "without an event" not in out
    assert "Recorded now: 0 warnings, 1 breaches" in out
    assert clock(ticket).first_response_breached
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breach").count() == 1


def test_changing_a_contracts_tier_through_its_action_recomputes_the_clocks(
    world, django_capture_on_commit_callbacks
):
    from palier.customers.actions import do_update_contract

    ticket = open_at(zh(2026, 11, 30, 9), world.contact_a)
    contract = Contract.objects.get(customer=world.customer_a)
    with (
        time_machine.travel(zh(2026, 11, 30, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        do_update_contract(contract, acting_user=world.manager, tier="premium")
    assert clock(ticket).tier == "premium"
    assert clock(ticket).first_response_due == zh(2026, 11, 30, 14)
