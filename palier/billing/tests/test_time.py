import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from palier.billing.actions import (
    do_delete_time,
    do_edit_time,
    do_set_time_billable,
    do_start_timer,
    do_stop_timer,
)
from palier.billing.invoicing import do_run_billing
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.lib.errors import Conflict, DomainError, NotAllowed


@pytest.mark.django_db
def test_level_one_time_is_recorded_but_never_billable(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    entry = log(ticket, world.agent, 45, activity="support")
    assert entry.billable is False
    assert entry.rate is None
    assert entry.hours == Decimal("0.75")


@pytest.mark.django_db
def test_billable_time_without_consent_is_refused(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    with pytest.raises(Conflict) as exc:
        log(ticket, world.consultant, 30)
    assert exc.value.code == "consent_required"


@pytest.mark.django_db
def test_going_over_the_accepted_estimate_by_more_than_the_margin_is_refused(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a, hours="10")
    log(ticket, world.consultant, 600)  # the 10 hours accepted
    log(ticket, world.consultant, 60)  # inside the 10 % margin
    with pytest.raises(Conflict) as exc:
        log(ticket, world.consultant, 1)
    assert exc.value.code == "consent_required"
    assert exc.value.details["accepted_hours"] == "10.00"
    accepted_estimate(ticket, world.consultant, world.contact_a, hours="2")
    assert log(ticket, world.consultant, 120).billable


@pytest.mark.django_db
def test_time_is_editable_until_invoiced_then_locked(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    entry = log(ticket, world.consultant, 60)
    entry = do_edit_time(entry, acting_user=world.consultant, minutes=90, note="with tests")
    assert entry.minutes == 90
    today = timezone.localdate()
    do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    with pytest.raises(Conflict) as exc:
        do_edit_time(entry, acting_user=world.consultant, minutes=30)
    assert exc.value.code == "time_entry_invoiced"
    with pytest.raises(Conflict):
        do_delete_time(entry, acting_user=world.manager)


@pytest.mark.django_db
def test_editing_past_the_estimate_is_refused_too(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a, hours="1")
    entry = log(ticket, world.consultant, 60)
    with pytest.raises(Conflict):
        do_edit_time(entry, acting_user=world.consultant, minutes=120)


@pytest.mark.django_db
def test_only_the_author_or_a_manager_edits_time(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    entry = log(ticket, world.agent, 30)
    with pytest.raises(NotAllowed):
        do_edit_time(entry, acting_user=world.consultant, minutes=10)
    do_edit_time(entry, acting_user=world.manager, minutes=10)


@pytest.mark.django_db
def test_a_manager_makes_time_billable_with_a_reason(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    entry = log(ticket, world.agent, 30)
    with pytest.raises(NotAllowed):
        do_set_time_billable(entry, True, acting_user=world.consultant, reason="x")
    with pytest.raises(DomainError):
        do_set_time_billable(entry, True, acting_user=world.manager, reason=" ")
    entry = do_set_time_billable(
        entry, True, acting_user=world.manager, reason="Training given on the phone"
    )
    assert entry.billable and entry.rate == Decimal("185.00")
    assert ticket.events.get(kind="time_billable_changed").reason == "Training given on the phone"


@pytest.mark.django_db
def test_contacts_log_no_time_and_future_dates_are_refused(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    with pytest.raises(NotAllowed):
        log(ticket, world.contact_a, 10)
    with pytest.raises(DomainError) as exc:
        log(ticket, world.agent, 10, date=timezone.localdate() + dt.timedelta(days=1))
    assert exc.value.code == "date_in_future"
    with pytest.raises(DomainError) as exc:
        log(ticket, world.agent, 0)
    assert exc.value.code == "invalid_duration"


@pytest.mark.django_db
def test_the_timer_runs_one_at_a_time_and_logs_rounded_up_minutes(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    other = open_ticket(world.customer_a, world.contact_a, request_type="usage", subject="Other")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    do_start_timer(ticket, acting_user=world.agent, activity="support", now=start)
    with pytest.raises(Conflict) as exc:
        do_start_timer(other, acting_user=world.agent)
    assert exc.value.code == "timer_running"
    entry = do_stop_timer(acting_user=world.agent, now=start + dt.timedelta(minutes=25, seconds=1))
    assert entry.minutes == 26
    assert entry.ticket == ticket
    with pytest.raises(DomainError):
        do_stop_timer(acting_user=world.agent)


@pytest.mark.django_db
def test_a_refused_timer_stop_keeps_the_timer_running(world):
    ticket = open_ticket(world.customer_a, world.contact_a)  # billable, no consent yet
    do_start_timer(ticket, acting_user=world.consultant)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=30)), pytest.raises(Conflict):
        do_stop_timer(acting_user=world.consultant)
    from palier.billing.models import Timer

    assert Timer.objects.filter(user=world.consultant).exists()
