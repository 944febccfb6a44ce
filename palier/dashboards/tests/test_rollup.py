"""The daily roll-up: every rolled-up panel gives the live figures, before and after changes
to past days, within its query budget."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import time_machine
from django.utils import timezone

from palier.billing.actions import do_delete_time, do_edit_time
from palier.billing.models import TimeEntry
from palier.billing.tests.helpers import accepted_estimate, log
from palier.dashboards import rollup
from palier.dashboards.combine import split, with_rollup
from palier.dashboards.filters import Filters
from palier.dashboards.models import DayFigure, RollupState
from palier.dashboards.panels import PANELS, QUERY_BUDGET
from palier.sla.actions import do_recompute
from palier.testing.factories import make_customization, make_ticket, module
from palier.tickets.actions import do_assign, do_change_criticality, do_diagnose
from palier.tickets.models import Ticket

ROLLED = {
    "intake": "intake",
    "refusals": "refusal",
    "moves": "diagnosis",
    "sla": "clock",
    "level2": "l2time",
}


def figures(panel):
    return [
        (t.key, [(r.label, r.values, r.links, r.label_link) for r in t.rows]) for t in panel.tables
    ] + [("facts", panel.facts)]


def assert_rolled_equals_live(f: Filters) -> None:
    rolled_f = with_rollup(f)
    live_f = replace(f, rolled_through=None)
    for key in ROLLED:
        assert figures(PANELS[key](rolled_f)) == figures(PANELS[key](live_f)), key


def filter_sets(world) -> list[Filters]:
    today = timezone.localdate()
    month = Filters.default(today)
    return [
        month,
        month.with_period(today - dt.timedelta(days=20), today - dt.timedelta(days=1)),
        replace(month, customer_id=world.customer_a.pk),
        replace(month, level=2),
        replace(month, level=1),
        replace(month, module_id=module("Sales").pk),
        replace(month, product_id=module("Finance").product_id),
    ]


@pytest.fixture
def history(world, desk):
    """Tickets of past days, each opened and worked on through the actions on its day."""
    now = timezone.now()
    custom = make_customization(world.customer_b, "Finance", "Ledger hook", "vendor")
    made = {}
    for days_ago, name, contact, kind, channel, module_name, customization in (
        (12, "old_issue", world.contact_a, "malfunction", "phone", "Finance", None),
        (9, "old_feature", world.contact_b, "feature", "email", "Finance", custom),
        (9, "old_refused", world.contact_expired, "usage", "portal", "Finance", None),
        (6, "old_malfunction", world.contact_a2, "malfunction", "api", "Sales", None),
        (3, "old_refused2", world.contact_expired, "usage", "email", "Sales", None),
        (2, "old_feature2", world.contact_a, "feature", "portal", "Sales", None),
    ):
        with time_machine.travel(now - dt.timedelta(days=days_ago), tick=False):
            ticket = make_ticket(
                contact,
                kind,
                f"Request {name}",
                channel=channel,
                module_name=module_name,
                customization=customization,
            )
            if ticket.status != "refused":
                do_assign(ticket, world.agent, acting_user=world.agent)
                do_recompute(ticket)  # the worker's part, after commit
            if kind == "feature":
                accepted_estimate(ticket, world.consultant, contact, hours="4")
                log(ticket, world.consultant, 45)
            if name == "old_malfunction":
                do_diagnose(ticket, "product_defect", acting_user=world.agent, note="A bug")
        made[name] = ticket
    return made


@pytest.mark.django_db
def test_every_rolled_panel_gives_the_live_figures_for_every_filter(world, desk, history):
    built = rollup.rebuild()
    assert "built through" in built
    assert DayFigure.objects.filter(metric="clock").exists()
    for f in filter_sets(world):
        assert_rolled_equals_live(f)
    # The month is read from the roll-up up to yesterday, and live for today.
    rolled, live = split(with_rollup(Filters.default()), "intake")
    assert rolled is not None and rolled.end == timezone.localdate() - dt.timedelta(days=1)
    assert live is not None and live.start == timezone.localdate()


@pytest.mark.django_db
def test_changes_to_past_days_reach_the_roll_up_at_the_next_refresh(world, desk, history):
    rollup.rebuild()
    today = timezone.localdate()
    old = history["old_issue"]
    # Time logged today on a 12-day-old ticket, dated 11 days ago; then the ticket is
    # diagnosed (level 1 → 2: its service-level row and its time move to level 2).
    entry = log(history["old_feature"], world.consultant, 30, date=today - dt.timedelta(days=8))
    do_diagnose(old, "customization_error", acting_user=world.agent, note="Customized")
    accepted_estimate(old, world.consultant, world.contact_a, hours="2")
    log(old, world.consultant, 60, date=today - dt.timedelta(days=11))
    # An old entry moved to another day, another deleted, a criticality changed.
    first = TimeEntry.objects.filter(ticket=history["old_feature2"]).get()
    do_edit_time(first, acting_user=world.consultant, date=today - dt.timedelta(days=5))
    do_delete_time(
        TimeEntry.objects.filter(ticket=history["old_feature"]).exclude(pk=entry.pk).get(),
        acting_user=world.consultant,
    )
    do_change_criticality(
        history["old_malfunction"], "critical", acting_user=world.agent, reason="Stopped"
    )
    for ticket in (old, history["old_malfunction"]):  # the worker's part, after commit
        do_recompute(Ticket.objects.get(pk=ticket.pk))
    month = Filters.default()
    stale = with_rollup(month)
    changed = [
        key
        for key in ROLLED
        if figures(PANELS[key](stale)) != figures(PANELS[key](replace(month, rolled_through=None)))
    ]
    assert "sla" in changed  # the roll-up was stale before the refresh
    assert "level2" in changed
    rollup.refresh()
    for f in filter_sets(world):
        assert_rolled_equals_live(f)


@pytest.mark.django_db
def test_a_day_is_rolled_up_once_it_is_over(world, desk, history):
    rollup.rebuild()
    today = timezone.localdate()
    assert RollupState.objects.get().built_through == today - dt.timedelta(days=1)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    rollup.refresh(tomorrow)
    assert RollupState.objects.get().built_through == today
    assert DayFigure.objects.filter(day=today, metric="intake").exists()
    with time_machine.travel(tomorrow, tick=False):
        rolled, _live = split(with_rollup(Filters.default()), "intake")
        assert rolled is not None and rolled.end == today
        assert_rolled_equals_live(Filters.default())


@pytest.mark.django_db
def test_rolled_panels_stay_within_their_query_budget(
    world, desk, history, django_assert_max_num_queries
):
    rollup.rebuild()
    for f in filter_sets(world):
        f = with_rollup(f)
        for key in ROLLED:
            with django_assert_max_num_queries(QUERY_BUDGET[key]):
                PANELS[key](f)


@pytest.mark.django_db
def test_the_rollup_command_builds_and_refreshes_it(world, desk, history):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rollup", "--rebuild", stdout=out)
    assert f"built through {timezone.localdate() - dt.timedelta(days=1)}" in out.getvalue()
    assert DayFigure.objects.filter(metric="refusal").count() == 2  # two past days
    call_command("rollup", stdout=out)
    assert_rolled_equals_live(Filters.default())


def test_the_roll_up_is_a_periodic_job_of_the_worker():
    from palier.lib.schedule import registered_jobs
    from palier.ops.scheduler import discover_jobs

    discover_jobs()
    assert "dashboards.rollup" in {job.name for job in registered_jobs()}


@pytest.mark.django_db
def test_the_worker_job_refreshes_the_roll_up(world, desk, history):
    from palier.dashboards.tasks import refresh_rollup

    assert "built through" in refresh_rollup.call()
    assert RollupState.objects.get().built_through == timezone.localdate() - dt.timedelta(days=1)
    assert_rolled_equals_live(Filters.default())


@pytest.mark.django_db
def test_time_moved_or_deleted_from_a_day_of_no_ticket_event_is_taken_off_that_day(
    world, desk, history
):
    # Entries dated on days when nothing else happened to their ticket: only the time
    # events say those days changed (the day an entry left is in the event).
    today = timezone.localdate()
    ticket = history["old_feature"]
    moved = log(ticket, world.consultant, 50, date=today - dt.timedelta(days=7))
    deleted = log(ticket, world.consultant, 70, date=today - dt.timedelta(days=8))
    rollup.rebuild()
    do_edit_time(moved, acting_user=world.consultant, date=today - dt.timedelta(days=4))
    do_delete_time(deleted, acting_user=world.consultant)
    week = Filters(start=today - dt.timedelta(days=8), end=today - dt.timedelta(days=7))
    stale = figures(PANELS["level2"](with_rollup(week)))
    assert stale != figures(PANELS["level2"](week))  # the roll-up still has them there
    rollup.refresh()
    for f in [week, *filter_sets(world)]:
        assert_rolled_equals_live(f)
    assert figures(PANELS["level2"](with_rollup(week)))[0] == ("l2custom", [])


@pytest.mark.django_db
def test_a_flag_the_scan_sets_without_an_event_reaches_the_roll_up(world, desk, history):
    """A warning that falls due after the first answer is settled by the scan without an
    event: the roll-up, which follows events, once kept the day's old warning count."""
    from palier.sla.actions import scan
    from palier.sla.models import TicketClock

    now = timezone.now()
    ticket = history["old_malfunction"]
    TicketClock.objects.filter(ticket=ticket).update(
        first_response_met_at=now - dt.timedelta(days=6),
        first_response_warn_at=now - dt.timedelta(minutes=5),
        first_response_due=now + dt.timedelta(hours=1),
        first_response_warned=False,
        first_response_breached=False,
        resolution_warn_at=now + dt.timedelta(days=3),
        resolution_due=now + dt.timedelta(days=4),
        resolution_warned=False,
        resolution_breached=False,
        next_check_at=now - dt.timedelta(minutes=5),
    )
    rollup.rebuild()
    events = ticket.events.count()
    scan(now=now)
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.first_response_warned and clock.flagged_at == now
    assert ticket.events.count() == events  # settled in silence
    month = Filters.default()
    live = figures(PANELS["sla"](replace(month, rolled_through=None)))
    assert figures(PANELS["sla"](with_rollup(month))) != live  # stale until the refresh
    rollup.refresh()
    for f in filter_sets(world):
        assert_rolled_equals_live(f)


@pytest.mark.django_db
def test_the_roll_ups_outcome_is_said_in_the_readers_language_with_its_plurals():
    """`palier import --language fr` prints it after past tickets: French, not English."""
    from django.utils import translation

    with translation.override("fr"):
        built = rollup.rebuild()
    assert built.startswith("0 jour recalculé, 0 ligne, construit jusqu’au ")
    with translation.override("de"):
        assert rollup.outcome(2, 1, dt.date(2026, 3, 4)) == (
            "2 Tage neu berechnet, 1 Zeile, aufgebaut bis 2026-03-04"
        )
    assert rollup.outcome(1, 5, dt.date(2026, 3, 4)) == (
        "1 day recomputed, 5 rows, built through 2026-03-04"
    )
