from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from palier.billing.models import PrepaidAlert
from palier.billing.prepaid import prepaid_balance
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.lib.errors import Conflict
from palier.tickets.models import TicketEvent

# available_apps makes the flush after the test TRUNCATE ... CASCADE: on PostgreSQL the
# tickets' raw search table references tickets_ticket and blocks a plain TRUNCATE.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)


def with_prepaid(world, hours: str):
    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal(hours)
    contract.save()
    world.customer_a.account_manager = world.manager
    world.customer_a.save()
    return contract


@TRANSACTIONAL
def test_billable_time_draws_the_prepaid_balance_down_with_alerts_once_at_80_and_100(world):
    contract = with_prepaid(world, "10")
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a, hours="10")  # covered
    log(ticket, world.consultant, 7 * 60)
    assert prepaid_balance(contract).remaining_minutes == 180
    assert not PrepaidAlert.objects.exists()
    log(ticket, world.consultant, 60)  # 80 %
    log(ticket, world.consultant, 30)  # 85 %: no second alert
    assert list(PrepaidAlert.objects.values_list("threshold", flat=True)) == [80]
    alert_mails = [m for m in mail.outbox if "80%" in m.subject]
    assert sorted(r for m in alert_mails for r in m.to) == [
        world.admin_a.email,
        world.manager.email,
    ]
    log(ticket, world.consultant, 90)  # 100 %
    assert sorted(PrepaidAlert.objects.values_list("threshold", flat=True)) == [80, 100]
    assert TicketEvent.objects.filter(kind="prepaid_alert").count() == 2
    assert prepaid_balance(contract).remaining_minutes == 0


@pytest.mark.django_db
def test_beyond_the_prepaid_balance_consent_is_asked(world):
    with_prepaid(world, "2")
    ticket = open_ticket(world.customer_a, world.contact_a)
    log(ticket, world.consultant, 120)  # no estimate: the balance covers it
    with pytest.raises(Conflict) as exc:
        log(ticket, world.consultant, 15)
    assert exc.value.code == "consent_required"
    assert exc.value.details["prepaid_remaining_hours"] == "0.00"


@pytest.mark.django_db
def test_time_straddling_the_balance_draws_what_is_left_and_bills_the_rest(world):
    with_prepaid(world, "1")
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a, hours="3")
    entry = log(ticket, world.consultant, 90)
    assert entry.prepaid_minutes == 60


@pytest.mark.django_db
def test_prepaid_hours_promised_to_one_estimate_do_not_cover_a_second(world):
    with_prepaid(world, "10")
    first = open_ticket(world.customer_a, world.contact_a, subject="First")
    second = open_ticket(world.customer_a, world.contact_a, subject="Second")
    assert (
        accepted_estimate(first, world.consultant, world.contact_a, hours="8").decided_via
        == "prepaid"
    )
    from palier.billing.actions import do_propose_estimate

    later = do_propose_estimate(
        second, acting_user=world.consultant, hours=Decimal("8"), text="Second piece of work"
    )
    assert later.status == "proposed"  # only 2 of the 10 hours are still free


@pytest.mark.django_db
def test_an_estimate_covered_by_prepaid_hours_allows_no_invoiced_time_beyond_them(world):
    with_prepaid(world, "2")
    ticket = open_ticket(world.customer_a, world.contact_a)
    assert (
        accepted_estimate(ticket, world.consultant, world.contact_a, hours="2").decided_via
        == "prepaid"
    )
    log(ticket, world.consultant, 120)
    with pytest.raises(Conflict) as exc:
        log(ticket, world.consultant, 10)  # inside the estimate's margin, but never consented
    assert exc.value.code == "consent_required"
