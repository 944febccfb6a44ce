"""Several worker processes drain one outbox (as several `palier worker` on one or more
hosts): each event is handled by one of them, once, its clock and its mail written once.
Processes, not threads: each has its own connection and timing, as two machines would."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from palier.mailgateway.models import OutboundMessage
from palier.ops.tests.helpers import REPO
from palier.sla.models import TicketClock
from palier.testing.factories import make_ticket
from palier.tickets.actions import record_event
from palier.tickets.models import TicketEvent
from palier.tickets.tests.test_outbox import DATABASE_TASKS

PROCESSES = 3


def drain_in_processes(tmp_path) -> list[list[int]]:
    """The events each child handled. The children start together: each says when it is
    connected, and none drains before all have said so (a loaded machine can take seconds
    to start one)."""
    go = tmp_path / "go"
    outs = [tmp_path / f"outbox-{i}.json" for i in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "palier.tickets.tests.outbox_child",
                connection.settings_dict["NAME"],
                str(go),
                str(out),
            ],
            cwd=REPO,
        )
        for out in outs
    ]
    deadline = time.monotonic() + 180
    while not all(out.with_suffix(".ready").exists() for out in outs):
        assert time.monotonic() < deadline, "a child never connected"
        assert all(child.poll() is None for child in children), "a child ended early"
        time.sleep(0.02)
    go.touch()
    for child in children:
        assert child.wait(timeout=240) == 0
    return [json.loads(out.read_text()) for out in outs]


@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_processes_racing_on_the_outbox_handle_each_event_once(
    transactional_db_with_search, world, tmp_path
):
    tickets = [make_ticket(world.contact_a, subject=f"Race {i}") for i in range(6)]
    # Status changes on the same few tickets: their clocks are recomputed by several
    # processes at once, and each is mailed to the contact.
    for i in range(240):
        record_event(
            tickets[i % len(tickets)],
            "status",
            world.agent,
            field="status",
            from_value="new",
            to_value="in_progress",
        )
    events = list(TicketEvent.objects.values_list("pk", flat=True))
    assert len(events) == 246

    by_child = drain_in_processes(tmp_path)
    handled = [pk for pks in by_child for pk in pks]

    assert collections.Counter(handled) == collections.Counter(events)  # each once, none lost
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert TicketClock.objects.count() == len(tickets)
    mailed = collections.Counter(
        OutboundMessage.objects.filter(kind="status").values_list("event_id", flat=True)
    )
    assert len(mailed) == 240 and set(mailed.values()) == {1}
    if connection.vendor == "postgresql":
        # Claims skip each other's locked rows: the children drain side by side. SQLite has
        # one writer, and a child that has just committed takes the lock again before a
        # sibling's busy handler wakes: there, often one child drains all, and the test is
        # that the others, racing for the same lock, handled nothing twice.
        assert sum(1 for pks in by_child if pks) >= 2  # the race happened
