"""A mail the SMTP server accepted whose "sent" could not be written is never sent again on
its own: it stays "sending", then after its lease is "perhaps sent" for a person
(PALIER_MAIL_SEND_LEASE_SECONDS). The database really refuses the write (a trigger), on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from palier.mailgateway import config, outbound
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage
from palier.mailgateway.outbound import (
    Mail,
    mark_sent,
    queue,
    send_again,
    send_outbound,
    settle_unfinished_sends,
)
from palier.ops.outbox import beat
from palier.testing.refused_writes import updates_refused

TABLE = OutboundMessage._meta.db_table


def sent_cannot_be_written():
    """The database refuses to write any mail as sent (a disk full, a lost connection)."""
    return updates_refused(TABLE, "NEW.state = 'sent'")


def _mail() -> OutboundMessage:
    out = queue(
        Mail(
            kind="reply",
            to_address="anna.a@example.com",
            to_name="Anna",
            language="de",
            subject="Ihre Anfrage",
            paragraphs=["x"],
        )
    )
    assert out is not None
    return out


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(outbound, "SENT_WRITE_PAUSE", 0.01)


def test_a_mail_accepted_but_not_written_sent_is_never_sent_twice(world, smtp, quick_retries):
    out = _mail()
    with sent_cannot_be_written(), pytest.raises(DatabaseError):
        send_outbound.call(out.pk)
    assert len(smtp.to("anna.a@example.com")) == 1
    out.refresh_from_db()
    assert out.state == "sending" and out.attempts == 1 and out.sending_since is not None

    # Its task run again (a retry, another worker) while the lease runs: not sent again.
    assert send_outbound.call(out.pk) == "skipped"
    # After the lease: perhaps delivered, for a person; still one mail.
    with time_machine.travel(timezone.now() + config.send_lease() + dt.timedelta(seconds=1)):
        assert send_outbound.call(out.pk) == "uncertain"
        assert send_outbound.call(out.pk) == "skipped"
    assert len(smtp.to("anna.a@example.com")) == 1
    out.refresh_from_db()
    assert out.state == "uncertain"
    note = DeliveryAttempt.objects.filter(outbound=out).last()
    assert not note.ok and "perhaps delivered" in note.error

    # The administrator reads it in their language, in the admin's list of attempts.
    from django.utils import translation

    from palier.mailgateway.labels import attempt_error

    with translation.override("fr"):
        assert attempt_error(note).startswith("La tentative commencée le ")
        assert "peut-être" in attempt_error(note)
    with translation.override("de"):
        assert "vielleicht zugestellt" in attempt_error(note)
    with translation.override("it"):
        assert "forse consegnata" in attempt_error(note)

    beat("host-a")
    body = json.loads(Client().get("/readyz", HTTP_HOST="10.1.2.3").content)
    assert body["checks"]["mail"]["uncertain"] == 1 and "mail" in body["warnings"]

    # A person checked with the recipient: it arrived (the admin's outgoing mail list).
    world.agent.is_staff = world.agent.is_superuser = True
    world.agent.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(world.agent)
    page = client.post(
        "/admin/mailgateway/outboundmessage/",
        {"action": "mark_sent", "_selected_action": [out.pk]},
        follow=True,
    )
    assert "Marked as sent: 1." in page.content.decode()
    out.refresh_from_db()
    assert out.state == "sent"
    assert mark_sent([out.pk]) == 0  # only a mail perhaps sent is marked
    # Who decided is kept: the audit log names the person and what the mail became.
    from palier.audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="mail.marked_sent", object_id=str(out.pk))
    assert entry.actor == world.agent
    assert (entry.before["state"], entry.after["state"]) == ("uncertain", "sent")
    assert entry.before["sent_at"] is None and entry.after["sent_at"]


def test_an_unfinished_send_no_task_returns_to_is_settled_by_the_periodic_job(
    world, smtp, quick_retries
):
    out = _mail()
    with sent_cannot_be_written(), pytest.raises(DatabaseError):
        send_outbound.call(out.pk)
    assert settle_unfinished_sends() == 0  # within its lease
    later = timezone.now() + config.send_lease() + dt.timedelta(minutes=1)
    assert settle_unfinished_sends(later) == 1
    out.refresh_from_db()
    assert out.state == "uncertain"
    # A person checked: it never arrived; sent again, once (the test runs its task).
    assert send_again([out.pk], acting_user=world.manager) == 1
    from palier.audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="mail.sent_again", object_id=str(out.pk))
    assert entry.actor == world.manager and entry.after == {"state": "failed"}
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "sent" and len(smtp.to("anna.a@example.com")) == 2


def test_the_send_lease_is_the_setting(world, smtp, quick_retries, monkeypatch):
    monkeypatch.setenv("PALIER_MAIL_SEND_LEASE_SECONDS", "3600")
    out = _mail()
    with sent_cannot_be_written(), pytest.raises(DatabaseError):
        send_outbound.call(out.pk)
    assert settle_unfinished_sends(timezone.now() + dt.timedelta(minutes=30)) == 0
    assert settle_unfinished_sends(timezone.now() + dt.timedelta(minutes=61)) == 1


def test_a_servers_error_is_shown_as_the_server_wrote_it(world):
    from django.utils import translation

    from palier.mailgateway.labels import attempt_error

    out = _mail()
    attempt = DeliveryAttempt.objects.create(outbound=out, ok=False, error="(550, b'No such user')")
    with translation.override("fr"):
        assert attempt_error(attempt) == "(550, b'No such user')"
