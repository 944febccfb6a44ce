"""Saved views, presence and queue counts of the agent workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.lib.errors import DomainError, NotAllowed
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_assign
from palier.workspace.actions import do_delete_view, do_heartbeat, do_save_view
from palier.workspace.models import SavedView
from palier.workspace.queries import others_on_ticket, visible_saved_views
from palier.workspace.queue import COUNT_CAP, queue_counts


def test_all_queue_counts_come_from_one_query(world, django_assert_num_queries):
    mine = make_ticket(world.contact_a)
    make_ticket(world.contact_b, "feature", "Add a column")
    make_ticket(world.contact_expired)
    do_assign(mine, world.manager, acting_user=world.manager)
    with django_assert_num_queries(1):
        counts = {name: c.count for name, c in queue_counts(world.manager).items()}
    assert counts["level1"] == 1 and counts["level2"] == 1
    assert counts["mine"] == 1 and counts["unassigned"] == 1 and counts["refused"] == 1


def test_a_queue_count_stops_at_its_cap_and_says_so(world, settings):
    from palier.workspace import queue

    for _ in range(4):
        make_ticket(world.contact_a)
    original = queue.COUNT_CAP
    queue.COUNT_CAP = 3
    try:
        counts = queue_counts(world.agent)
    finally:
        queue.COUNT_CAP = original
    assert counts["level1"].count == 3 and counts["level1"].capped
    assert str(counts["unassigned"]) == f"{3 - 1}+"
    assert COUNT_CAP == 1000


def test_saving_a_view_keeps_only_filters_and_replaces_a_view_of_the_same_name(world):
    do_save_view(acting_user=world.agent, name="Critical", query="criticality=high&cursor=xyz")
    view = do_save_view(
        acting_user=world.agent, name="Critical", query="criticality=critical&evil=%3Cscript%3E"
    )
    assert view.query == "criticality=critical"
    assert list(visible_saved_views(world.agent)) == [view]


def test_a_contact_cannot_save_a_view_and_a_view_needs_a_name(world):
    with pytest.raises(NotAllowed):
        do_save_view(acting_user=world.contact_a, name="Mine", query="")
    with pytest.raises(DomainError):
        do_save_view(acting_user=world.agent, name="  ", query="queue=open")
    assert not visible_saved_views(world.contact_a).exists()


def test_only_the_owner_deletes_a_shared_view(world):
    view = do_save_view(acting_user=world.agent, name="Team", query="queue=open", shared=True)
    assert view in visible_saved_views(world.consultant)
    with pytest.raises(NotAllowed):
        do_delete_view(view, acting_user=world.consultant)
    assert SavedView.objects.filter(pk=view.pk).exists()
    do_delete_view(view, acting_user=world.agent)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_presence_fades_a_minute_after_the_last_heartbeat(world):
    ticket = make_ticket(world.contact_a)
    start = timezone.now()
    do_heartbeat(ticket, acting_user=world.consultant, now=start)
    do_heartbeat(ticket, acting_user=world.agent, now=start)
    assert others_on_ticket(ticket, world.agent, now=start + dt.timedelta(seconds=30)) == [
        world.consultant
    ]
    assert others_on_ticket(ticket, world.agent, now=start + dt.timedelta(seconds=90)) == []
    with pytest.raises(NotAllowed):
        do_heartbeat(ticket, acting_user=world.contact_a)
