"""Tickets opened on behalf of a customer, refusals, and a manager's override."""

from __future__ import annotations

from palier.tickets.models import Ticket, TicketEvent


def test_an_agent_opens_a_phone_ticket_for_a_contact(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/new/",
        {
            "customer": world.customer_a.pk,
            "contact": world.contact_a.pk,
            "type": "usage",
            "criticality": "medium",
            "subject": "Called: how to reverse an invoice",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.contact, ticket.status, ticket.level) == (
        "phone",
        world.contact_a,
        "new",
        1,
    )
    assert ticket.created_by == world.agent


def test_the_customer_pick_loads_only_its_contacts(client, world):
    client.force_login(world.agent)
    response = client.get(
        "/desk/new/",
        {"customer": world.customer_b.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-fields",
    )
    body = response.content.decode()
    assert "Bruno" in body and "Anna" not in body
    assert "<html" not in body


def test_a_contact_of_another_customer_is_refused_next_to_the_field(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/new/",
        {
            "customer": world.customer_a.pk,
            "contact": world.contact_b.pk,
            "type": "usage",
            "criticality": "medium",
            "subject": "Mixed up",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["contact"]
    assert not Ticket.objects.exists()


def test_entitlement_still_applies_and_the_refusal_is_shown_with_its_date(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/new/",
        {
            "customer": world.customer_expired.pk,
            "contact": world.contact_expired.pk,
            "type": "usage",
            "criticality": "low",
            "subject": "Help with closing",
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.status == "refused"
    body = response.content.decode()
    assert "ended on" in body
    contract = world.customer_expired.contracts.get()
    assert str(contract.end.year) in body
    assert "Accept anyway" not in body  # an agent is not a manager
    assert response.context["customer_facts"].contract_status == "expired"


def test_a_manager_accepts_a_refused_attempt_with_a_reason(client, world):
    client.force_login(world.agent)
    client.post(
        "/desk/new/",
        {
            "customer": world.customer_expired.pk,
            "contact": world.contact_expired.pk,
            "type": "usage",
            "criticality": "low",
            "subject": "Help with closing",
        },
    )
    ticket = Ticket.objects.get()
    refused = client.post(
        f"/desk/tickets/{ticket.pk}/accept/",
        {"reason": "Renewal signed", "expected_version": ticket.version},
    )
    assert refused.status_code == 400  # an agent may not
    client.force_login(world.manager)
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert "Accept anyway" in page
    missing = client.post(
        f"/desk/tickets/{ticket.pk}/accept/", {"reason": "", "expected_version": ticket.version}
    )
    assert missing.status_code == 400
    accepted = client.post(
        f"/desk/tickets/{ticket.pk}/accept/",
        {"reason": "Renewal signed yesterday", "expected_version": ticket.version},
    )
    assert accepted.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.level == 1
    event = TicketEvent.objects.get(ticket=ticket, kind="accepted_anyway")
    assert event.reason == "Renewal signed yesterday" and event.actor == world.manager
