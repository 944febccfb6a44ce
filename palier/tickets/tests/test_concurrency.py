"""Two people changing one ticket at once: neither change is lost."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from palier.testing.factories import make_ticket
from palier.tickets.actions import do_assign, do_change_criticality
from palier.tickets.models import Ticket


def test_a_change_based_on_an_old_version_is_refused_with_409_version_conflict(world, api):
    ticket = make_ticket(world.contact_a)
    client = api(world.agent)
    r = client.patch(
        f"/tickets/{ticket.pk}", {"criticality": "high", "reason": "Stopped", "expected_version": 1}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.patch(
        f"/tickets/{ticket.pk}", {"criticality": "low", "reason": "Oops", "expected_version": 1}
    )
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["details"] == {"expected_version": 1, "current_version": 2}
    assert Ticket.objects.get(pk=ticket.pk).criticality == "high"
    for path, body in [
        ("/transitions", {"to": "in_progress"}),
        ("/notes", {"body": "n"}),
        ("/diagnosis", {"finding": "feature_request"}),
        ("/replies", {"body": "r"}),
    ]:
        r = client.post(f"/tickets/{ticket.pk}{path}", {**body, "expected_version": 1})
        assert r.status_code == 409 and r.json()["error"]["code"] == "version_conflict", path


# available_apps makes Django's flush TRUNCATE ... CASCADE, which the raw search table needs.
@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
def test_two_simultaneous_changes_of_one_ticket_both_land_and_raise_the_version_by_two(
    transactional_db_with_search, world
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes whole write transactions")
    ticket = make_ticket(world.contact_a)
    first_holds_lock = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                do_change_criticality(ticket, "critical", acting_user=world.agent, reason="Down")
                first_holds_lock.set()
                time.sleep(0.5)  # keep the row locked while the second writer arrives
        except BaseException as exc:  # noqa: BLE001 (reported to the main thread)
            errors.append(exc)
        finally:
            first_holds_lock.set()
            connection.close()

    def second() -> None:
        try:
            first_holds_lock.wait(5)
            # Built from the same stale read as the first: version 1, no assignee.
            do_assign(ticket, world.consultant, acting_user=world.manager)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert time.monotonic() - started >= 0.5  # the second writer waited for the lock
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.criticality == "critical"
    assert ticket.assignee_id == world.consultant.pk
    assert ticket.version == 3
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == ["created", "field", "assigned"]
