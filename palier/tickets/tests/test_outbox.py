"""Ticket events are the outbox of their side effects: with the database task backend (as in
production) a change writes its event and nothing else; the worker dispatches each event
once, after commit (palier.tickets.notifications, palier.ops.outbox)."""

from __future__ import annotations

import time

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from palier.ops.outbox import OutboxThread, drain
from palier.testing.factories import make_ticket
from palier.tickets import notifications
from palier.tickets.actions import do_transition
from palier.tickets.models import TicketEvent

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


@pytest.fixture
def seen(monkeypatch) -> list[tuple[int, str]]:
    """The events a test handler was given, beside the apps' own handlers."""
    calls: list[tuple[int, str]] = []
    handlers = [*notifications._handlers, lambda event: calls.append((event.pk, event.kind))]
    monkeypatch.setattr(notifications, "_handlers", handlers)
    return calls


@override_settings(TASKS=DATABASE_TASKS)
def test_a_change_writes_its_event_only_and_the_worker_dispatches_it_once(world, seen):
    ticket = make_ticket(world.contact_a)
    event = TicketEvent.objects.get(ticket=ticket, kind="created")
    assert event.dispatched_at is None
    assert seen == []
    assert not DBTaskResult.objects.filter(task_path__endswith="dispatch_ticket_event").exists()

    assert drain() >= 1
    assert (event.pk, "created") in seen
    event.refresh_from_db()
    assert event.dispatched_at is not None
    calls = len(seen)
    assert drain() == 0
    assert len(seen) == calls

    do_transition(ticket, "in_progress", acting_user=world.agent)
    assert drain() == 1
    assert seen[-1][1] == "status"


@override_settings(TASKS=DATABASE_TASKS)
def test_a_failing_handler_is_logged_and_does_not_stop_the_others(world, seen, caplog):
    def broken(event):
        TicketEvent.objects.filter(pk=event.pk).update(reason="written by a broken handler")
        raise RuntimeError("mail server on fire")

    notifications._handlers.insert(0, broken)
    ticket = make_ticket(world.contact_a)
    assert drain() >= 1
    event = TicketEvent.objects.get(ticket=ticket, kind="created")
    assert (event.pk, "created") in seen  # the handler after the broken one ran
    assert event.dispatched_at is not None
    assert event.reason == ""  # the broken handler's write was rolled back
    assert "mail server on fire" in caplog.text


@override_settings(TASKS=DATABASE_TASKS)
def test_a_claim_whose_batch_handler_fails_is_handled_event_by_event(
    world, seen, monkeypatch, caplog
):
    from palier.sla.models import TicketClock

    def one(event):
        seen.append((event.pk, "one by one"))

    def failing_batch(events):
        TicketEvent.objects.filter(pk=events[0].pk).update(reason="written by a failing batch")
        raise RuntimeError("batch on fire")

    monkeypatch.setattr(notifications, "_batch_forms", {**notifications._batch_forms})
    notifications.register_event_handler(one, batch=failing_batch)
    tickets = [make_ticket(world.contact_a, subject=f"Claim {i}") for i in range(3)]
    assert drain() == 3
    events = list(TicketEvent.objects.filter(ticket__in=tickets).order_by("id"))
    assert [pk for pk, kind in seen if kind == "one by one"] == [e.pk for e in events]
    assert all(e.dispatched_at is not None and e.reason == "" for e in events)
    # The other handlers' work, rolled back with the claim, was done again event by event.
    assert TicketClock.objects.filter(ticket__in=tickets).count() == 3
    assert "batch on fire" not in caplog.text  # the one-by-one form did not fail


# The task worker closes the connection between tasks: a transactional test, then (and
# available_apps makes Django's flush TRUNCATE ... CASCADE, which the search table needs).
WORKER_TEST = pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)


@WORKER_TEST
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_in_batch_mode_dispatches_waiting_events(
    transactional_db_with_search, world, seen
):
    ticket = make_ticket(world.contact_a)
    call_command("worker", "--batch", verbosity=0)
    assert TicketEvent.objects.get(ticket=ticket, kind="created").dispatched_at is not None
    assert any(kind == "created" for _pk, kind in seen)


@WORKER_TEST
@override_settings(TASKS=DATABASE_TASKS)
def test_the_upgrade_leaves_undispatched_only_the_events_whose_old_task_still_waits(
    transactional_db_with_search, world
):
    migration = __import__(
        "palier.tickets.migrations.0008_events_outbox", fromlist=["mark_past_events"]
    )
    done = make_ticket(world.contact_a, subject="Told already")
    waiting = make_ticket(world.contact_a, subject="Still queued")
    TicketEvent.objects.update(dispatched_at=None)
    queued = TicketEvent.objects.get(ticket=waiting, kind="created")
    notifications.dispatch_ticket_event.enqueue(queued.pk)  # a task row of the old release

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.mark_past_events(apps, editor)
    assert TicketEvent.objects.get(ticket=done, kind="created").dispatched_at is not None
    queued.refresh_from_db()
    assert queued.dispatched_at is None
    # The old task, when the worker runs it, goes through the outbox's path: once.
    call_command("worker", "--batch", verbosity=0)
    queued.refresh_from_db()
    assert queued.dispatched_at is not None


@WORKER_TEST
@override_settings(TASKS=DATABASE_TASKS)
def test_the_workers_outbox_thread_dispatches_a_change_within_its_tick(
    transactional_db_with_search, world, seen
):
    thread = OutboxThread(tick=0.05)
    thread.start()
    try:
        ticket = make_ticket(world.contact_a)
        event = TicketEvent.objects.get(ticket=ticket, kind="created")
        deadline = time.monotonic() + 10
        while (event.pk, "created") not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
        thread.join(timeout=5)
    assert (event.pk, "created") in seen
    assert not thread.is_alive()
    event.refresh_from_db()
    assert event.dispatched_at is not None


@override_settings(TASKS=DATABASE_TASKS)
def test_a_failing_handler_is_kept_with_its_error_and_retried_until_it_succeeds(
    world, seen, caplog
):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from palier.tickets.models import EventHandlerFailure

    fires = [True] * 3  # the claim's pass, its event-by-event pass, the first retry

    def flaky(event):
        if event.kind == "created" and fires:
            fires.pop()
            raise RuntimeError("mail server on fire")
        seen.append((event.pk, "flaky ran"))

    notifications._handlers.insert(0, flaky)
    ticket = make_ticket(world.contact_a)
    event = TicketEvent.objects.get(ticket=ticket, kind="created")
    assert drain() >= 1
    event.refresh_from_db()
    assert event.dispatched_at is not None  # the other handlers' work is not held back
    [failure] = EventHandlerFailure.objects.filter(event=event)
    assert failure.handler.endswith("flaky") and "mail server on fire" in failure.error
    assert failure.attempts == 1 and failure.retry_at > timezone.now()
    assert drain() == 0 and (event.pk, "flaky ran") not in seen  # not before its time
    assert len(fires) == 1 and EventHandlerFailure.objects.get(pk=failure.pk).attempts == 1
    others = [kind for pk, kind in seen if pk == event.pk].count("created")
    with time_machine.travel(failure.retry_at + dt.timedelta(seconds=1)):
        drain()
    failure.refresh_from_db()
    assert failure.attempts == 2 and "mail server on fire" in failure.error
    with time_machine.travel(failure.retry_at + dt.timedelta(seconds=1)):
        drain()
    assert (event.pk, "flaky ran") in seen
    assert not EventHandlerFailure.objects.filter(event=event).exists()
    # The retries ran the failed handler alone, not the others again.
    assert [kind for pk, kind in seen if pk == event.pk].count("created") == others


@override_settings(TASKS=DATABASE_TASKS)
def test_a_handler_that_keeps_failing_is_given_up_with_its_error_kept(world, seen):
    import datetime as dt

    import time_machine

    from palier.tickets.models import EventHandlerFailure

    def broken(event):
        raise RuntimeError(f"still on fire ({event.kind})")

    notifications._handlers.insert(0, broken)
    ticket = make_ticket(world.contact_a)
    drain()
    failure = EventHandlerFailure.objects.get(event__ticket=ticket, event__kind="created")
    while failure.retry_at is not None:
        with time_machine.travel(failure.retry_at + dt.timedelta(seconds=1)):
            drain()
        failure.refresh_from_db()
    assert failure.attempts == notifications.HANDLER_ATTEMPTS
    assert "still on fire (created)" in failure.error
