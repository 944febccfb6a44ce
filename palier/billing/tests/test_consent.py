from decimal import Decimal

import pytest

from palier.billing.actions import do_decide_estimate, do_propose_estimate
from palier.billing.models import DecidedVia, Estimate
from palier.billing.tests.helpers import open_ticket
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.tickets.models import Ticket, TicketEvent


def propose(ticket, user, hours="8", activity="consulting"):
    return do_propose_estimate(
        ticket,
        acting_user=user,
        hours=Decimal(hours),
        text="Add the column and its report.",
        activity=activity,
    )


@pytest.mark.django_db
def test_proposing_an_estimate_waits_for_consent_and_asks_the_customer(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(ticket, world.consultant)
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_consent"
    assert estimate.status == "proposed"
    assert estimate.rate == Decimal("185.00")
    assert estimate.amount == Decimal("1480.00")
    event = TicketEvent.objects.get(ticket=ticket, kind="consent_requested")
    assert event.data["estimate_id"] == estimate.pk
    assert event.internal is False


@pytest.mark.django_db
def test_rate_per_activity_comes_from_the_contract(world):
    from palier.billing.models import ContractRate

    contract = world.customer_a.contracts.get()
    ContractRate.objects.create(contract=contract, activity="training", hourly_rate="150.00")
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="training")
    assert propose(ticket, world.consultant, activity="training").rate == Decimal("150.00")


@pytest.mark.django_db
def test_accepting_moves_the_ticket_into_progress(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = do_decide_estimate(
        propose(ticket, world.consultant),
        accept=True,
        acting_user=world.contact_a,
        via=DecidedVia.PORTAL,
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert estimate.decided_by == world.contact_a
    assert TicketEvent.objects.filter(ticket=ticket, kind="estimate_accepted").exists()


@pytest.mark.django_db
def test_declining_closes_the_ticket_as_declined_and_keeps_the_reason(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    do_decide_estimate(
        propose(ticket, world.consultant),
        accept=False,
        acting_user=world.contact_a,
        via=DecidedVia.PORTAL,
        reason="Too dear",
    )
    ticket.refresh_from_db()
    assert ticket.status == "declined"
    assert ticket.closed_at is not None
    event = TicketEvent.objects.get(ticket=ticket, kind="estimate_declined")
    assert event.reason == "Too dear"
    assert Estimate.objects.get(ticket=ticket).decline_reason == "Too dear"


@pytest.mark.django_db
def test_an_answered_estimate_cannot_be_answered_again(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(ticket, world.consultant)
    do_decide_estimate(estimate, accept=True, acting_user=world.contact_a, via="portal")
    with pytest.raises(Conflict) as exc:
        do_decide_estimate(estimate, accept=False, acting_user=world.contact_a, via="portal")
    assert exc.value.code == "estimate_not_pending"


@pytest.mark.django_db
def test_a_new_estimate_replaces_the_pending_one(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    first = propose(ticket, world.consultant)
    second = propose(ticket, world.consultant, hours="5")
    first.refresh_from_db()
    assert first.status == "superseded"
    assert second.status == "proposed"


@pytest.mark.django_db
def test_only_the_requester_or_the_customer_admin_answers(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(ticket, world.consultant)
    for outsider in (world.contact_a2, world.contact_b, world.agent):
        with pytest.raises(NotAllowed):
            do_decide_estimate(estimate, accept=True, acting_user=outsider, via="portal")
    do_decide_estimate(estimate, accept=True, acting_user=world.admin_a, via="portal")


@pytest.mark.django_db
def test_level_one_tickets_get_no_estimate_and_agents_propose_none(world):
    included = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    with pytest.raises(DomainError) as exc:
        propose(included, world.consultant)
    assert exc.value.code == "ticket_not_billable"
    with pytest.raises(NotAllowed):
        propose(open_ticket(world.customer_a, world.contact_a), world.agent)


@pytest.mark.django_db
def test_an_estimate_inside_the_prepaid_balance_needs_no_consent(world):
    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal("20")
    contract.save()
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(ticket, world.consultant, hours="8")
    assert estimate.status == "accepted"
    assert estimate.decided_via == "prepaid"
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert not TicketEvent.objects.filter(ticket=ticket, kind="consent_requested").exists()


@pytest.mark.django_db
def test_an_estimate_beyond_the_prepaid_balance_asks_for_consent(world):
    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal("4")
    contract.save()
    ticket = open_ticket(world.customer_a, world.contact_a)
    assert propose(ticket, world.consultant, hours="8").status == "proposed"
    assert Ticket.objects.get(pk=ticket.pk).status == "awaiting_consent"


@pytest.mark.django_db
def test_an_estimate_of_a_request_closed_meanwhile_cannot_be_accepted(world):
    from palier.tickets.actions import do_transition

    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(ticket, world.consultant)
    do_transition(ticket, "declined", acting_user=world.consultant)  # not through the estimate
    with pytest.raises(Conflict) as exc:
        do_decide_estimate(estimate, accept=True, acting_user=world.contact_a, via="portal")
    assert exc.value.code == "ticket_not_open"


@pytest.mark.django_db
def test_a_contact_cannot_skip_the_estimate_with_a_bare_transition(world):
    from palier.tickets.actions import do_transition
    from palier.tickets.states import InvalidTransition

    ticket = open_ticket(world.customer_a, world.contact_a)
    propose(ticket, world.consultant)
    for target in ("in_progress", "declined"):
        with pytest.raises(InvalidTransition):
            do_transition(ticket, target, acting_user=world.contact_a)
    assert Ticket.objects.get(pk=ticket.pk).status == "awaiting_consent"


@pytest.mark.django_db
def test_an_estimate_can_be_proposed_while_waiting_for_the_customer(world):
    from palier.tickets.actions import do_transition

    ticket = open_ticket(world.customer_a, world.contact_a)
    do_transition(ticket, "waiting_customer", acting_user=world.consultant)
    propose(ticket, world.consultant)
    assert Ticket.objects.get(pk=ticket.pk).status == "awaiting_consent"
