"""Side effects of ticket events the worker gave up on wait for a person: counted in the
metrics, a warning of `/readyz`, and scheduled again from the admin or `palier outbox`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from palier.accounts.models import Role
from palier.ops.outbox import beat, drain
from palier.testing.factories import make_ticket, make_user
from palier.tickets import notifications
from palier.tickets.models import EventHandlerFailure
from palier.tickets.tests.test_outbox import DATABASE_TASKS


@pytest.fixture
def given_up(world, monkeypatch):
    """A side effect of a ticket's creation that failed every time (the mail server was
    down), then the cause mended: `ran` lists the events it was run for since."""
    mended: list[bool] = []
    ran: list[int] = []

    def mailer(event):
        if not mended:
            raise RuntimeError("mail server down")
        ran.append(event.pk)

    monkeypatch.setattr(notifications, "_handlers", [mailer, *notifications._handlers])
    with override_settings(TASKS=DATABASE_TASKS):
        ticket = make_ticket(world.contact_a)
        drain()
    failure = EventHandlerFailure.objects.get(event__ticket=ticket, event__kind="created")
    # The last of its HANDLER_ATTEMPTS failed: no retry planned.
    failure.attempts, failure.retry_at = notifications.HANDLER_ATTEMPTS, None
    failure.save()
    mended.append(True)
    return failure, ran


def test_given_up_side_effects_are_a_warning_of_readyz_and_a_metric(given_up):
    beat("host-a")
    response = Client().get("/readyz", HTTP_HOST="10.1.2.3")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["ready"] is True  # a person's work, not a host's
    assert body["warnings"] == ["handlers"]
    assert body["checks"]["handlers"] == {"ok": True, "given_up": 1, "warning": True}

    from prometheus_client.exposition import generate_latest

    from palier.ops.metrics import registry

    text = generate_latest(registry()).decode()
    assert "palier_outbox_given_up_side_effects 1.0" in text


def test_an_administrator_schedules_given_up_side_effects_again_from_the_admin(world, given_up):
    failure, ran = given_up
    admin = make_user("ada.admin", Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/tickets/eventhandlerfailure/",
        {"action": "rearm", "_selected_action": [failure.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 side effect scheduled again" in response.content.decode()
    failure.refresh_from_db()
    assert failure.retry_at is not None and failure.attempts == 0
    from palier.audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="outbox.rearmed", object_id=str(failure.pk))
    assert entry.actor == admin and entry.after["attempts"] == 0 and entry.after["retry_at"]

    drain()
    assert ran == [failure.event_id]
    assert not EventHandlerFailure.objects.filter(pk=failure.pk).exists()


def test_palier_outbox_lists_and_rearms_the_given_up_side_effects(given_up, capsys):
    failure, ran = given_up
    call_command("outbox", "failures")
    out = capsys.readouterr()
    assert f"event {failure.event_id}" in out.out and "mail server down" in out.out
    assert "1 side effect given up" in out.err

    call_command("outbox", "rearm", "--all")
    assert "1 side effect scheduled again" in capsys.readouterr().out
    drain()
    assert ran == [failure.event_id]
    assert not EventHandlerFailure.objects.exists()


def test_palier_outbox_rearm_names_ids_it_cannot_rearm_and_refuses_what_is_no_id(given_up, capsys):
    """An id beyond 64 bits gave a traceback (OverflowError from the database); an unknown
    one said "0 scheduled again" and nothing else."""
    from django.core.management.base import CommandError

    failure, _ran = given_up
    for typed in ("99999999999999999999999", "abc", "-1", "0", "²"):
        with pytest.raises(CommandError, match="not a failure's id"):
            call_command("outbox", "rearm", typed)


def test_only_an_administrator_may_rearm_from_the_admin(world, given_up):
    failure, ran = given_up
    manager = world.manager
    manager.is_staff = manager.is_superuser = True  # every Django permission, not the role
    manager.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(manager)
    page = client.get("/admin/tickets/eventhandlerfailure/")
    assert page.status_code == 200 and 'value="rearm"' not in page.content.decode()
    client.post(
        "/admin/tickets/eventhandlerfailure/",
        {"action": "rearm", "_selected_action": [failure.pk]},
    )
    failure.refresh_from_db()
    assert failure.retry_at is None


def test_palier_outbox_rearm_of_an_unknown_id_names_it_and_exits_3(given_up, capsys):
    """An unknown id exited 0: a script rearming after a repair could not tell."""
    from django.core.management.base import CommandError

    failure, ran = given_up
    with pytest.raises(CommandError) as refused:
        call_command("outbox", "rearm", str(failure.pk), "999998", "999999")
    assert refused.value.returncode == 3
    assert str(refused.value) == (
        "Not given up (scheduled still, or no such failure): 999998, 999999"
    )
    # The ids that were found are scheduled again all the same.
    assert "1 side effect scheduled again" in capsys.readouterr().out
    failure.refresh_from_db()
    assert failure.retry_at is not None
    capsys.readouterr()
    with pytest.raises(CommandError) as refused:
        call_command("outbox", "rearm", "999999", "--language", "fr")
    assert refused.value.returncode == 3
    assert capsys.readouterr().out == ""  # no "0 scheduled again" before the refusal
    assert str(refused.value) == ("Non abandonnés (encore planifiés, ou échec inconnu) : 999999")


def test_palier_outbox_rearm_without_ids_or_all_is_a_wrong_call(given_up):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as refused:
        call_command("outbox", "rearm")
    assert refused.value.returncode == 2


def test_palier_outbox_failures_keeps_one_line_per_failure_with_zoned_times(given_up, capsys):
    failure, _ran = given_up
    failure.error = "Traceback\n  ...\nRuntimeError: bad\trecipient\u2028next\x1b[2J\\"
    failure.failed_at = dt.datetime(2026, 12, 6, 22, 5, 30, 12345, tzinfo=dt.UTC)
    failure.save()
    call_command("outbox", "failures")
    out = capsys.readouterr()
    [line] = out.out.splitlines()
    fields = line.split("\t")
    assert fields[0] == str(failure.pk) and len(fields) == 6
    assert fields[4] == "2026-12-06T23:05:30+01:00"  # the desk's zone, Europe/Zurich
    assert fields[5] == "RuntimeError: bad\\trecipient\\u2028next\\x1b[2J\\\\"


def test_palier_outbox_speaks_the_language_asked_for(given_up, capsys):
    call_command("outbox", "failures", "--language", "de")
    out = capsys.readouterr()
    assert "Ereignis" in out.out and "Versuche" in out.out
    assert "1 Folgeaktion aufgegeben" in out.err
