"""Two billing runs at the same time never bill one time entry twice (PostgreSQL locks)."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from palier.billing.invoicing import do_approve_invoice, do_run_billing
from palier.billing.models import Invoice, InvoiceLine, TimeEntry
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)

# available_apps makes the flush after the test TRUNCATE ... CASCADE: on PostgreSQL the
# tickets' raw search table references tickets_ticket and blocks a plain TRUNCATE.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)


def in_threads(target, count=2):
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    results: list = []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


@TRANSACTIONAL
def test_two_simultaneous_runs_bill_each_time_entry_once(world):
    for customer, contact in (
        (world.customer_a, world.contact_a),
        (world.customer_b, world.contact_b),
    ):
        for n in range(3):
            ticket = open_ticket(customer, contact, subject=f"Feature {n}")
            accepted_estimate(ticket, world.consultant, contact, hours="10")
            for _ in range(4):
                log(ticket, world.consultant, 30)
    today = timezone.localdate()

    results, errors = in_threads(
        lambda: do_run_billing(
            acting_user=world.manager, period_start=today.replace(day=1), period_end=today
        )
    )
    assert errors == []
    assert sum(len(r) for r in results) == 2  # one draft per customer, from one run or the other
    assert TimeEntry.objects.filter(invoice__isnull=True).count() == 0
    billed = sum(line.minutes + line.prepaid_minutes for line in InvoiceLine.objects.all())
    assert billed == sum(e.minutes for e in TimeEntry.objects.all()) == 24 * 30


@TRANSACTIONAL
def test_simultaneous_approvals_get_distinct_consecutive_numbers(world):
    today = timezone.localdate()
    for n in range(4):
        ticket = open_ticket(world.customer_a, world.contact_a, subject=f"Feature {n}")
        accepted_estimate(ticket, world.consultant, world.contact_a, hours="1")
        log(ticket, world.consultant, 30)
        do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    drafts = list(Invoice.objects.all())
    it = iter(drafts)
    lock = threading.Lock()

    def approve_next():
        with lock:
            invoice = next(it)
        return do_approve_invoice(invoice, acting_user=world.manager).number

    results, errors = in_threads(approve_next, count=4)
    assert errors == []
    numbers = sorted(results)
    assert numbers == [f"INV-{today.year}-{n:04d}" for n in range(1, 5)]


@TRANSACTIONAL
def test_two_consultants_cannot_both_spend_the_last_prepaid_hour(world):
    from decimal import Decimal

    from palier.lib.errors import Conflict

    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal("1")
    contract.save()
    first = open_ticket(world.customer_a, world.contact_a, subject="One")
    second = open_ticket(world.customer_a, world.contact_a, subject="Two")
    tickets = iter([first, second])
    lock = threading.Lock()

    def spend():
        with lock:
            ticket = next(tickets)
        return log(ticket, world.consultant, 60)

    results, errors = in_threads(spend)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert errors[0].code == "consent_required"
    assert sum(TimeEntry.objects.values_list("prepaid_minutes", flat=True)) == 60
