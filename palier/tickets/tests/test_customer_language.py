"""One answer to "which language does the customer read this ticket in", for its page, its
notices and its survey (palier.tickets.queries.ticket_customer_language)."""

from __future__ import annotations

from email import message_from_bytes, policy

from django.utils import translation

from palier.accounts.models import User
from palier.mailgateway.models import OutboundMessage
from palier.satisfaction.models import Survey
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_transition
from palier.tickets.models import Ticket
from palier.tickets.queries import ticket_customer_language


def _html_lang(out: OutboundMessage) -> str:
    parsed = message_from_bytes(bytes(out.raw), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_contact_without_a_language_gets_the_pages_language_in_mail_not_the_agents(
    world, django_capture_on_commit_callbacks
):
    # A contact whose language was never set (an import, an old row): the ticket takes its
    # customer's (Bellevue's French). Its notice is written while a German-speaking agent's
    # request is active.
    User.objects.filter(pk=world.contact_b.pk).update(language="")
    contact = User.objects.get(pk=world.contact_b.pk)
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(contact, acting_user=world.agent, channel="phone")
        do_transition(ticket, "resolved", acting_user=world.agent)
    ticket.refresh_from_db()
    assert ticket.language == ticket_customer_language(ticket) == "fr"
    mails = OutboundMessage.objects.filter(ticket=ticket, recipient=contact.email)
    assert sorted((m.kind, _html_lang(m)) for m in mails) == [("status", "fr"), ("survey", "fr")]
    assert Survey.objects.get(ticket=ticket).language == "fr"


def test_a_follower_reads_in_their_own_language(world):
    ticket = make_ticket(world.contact_a)
    assert ticket_customer_language(ticket) == "de"
    world.contact_a2.language = "it"
    assert ticket_customer_language(ticket, world.contact_a2) == "it"


def _without_language(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="")
    return User.objects.get(pk=user.pk)


def test_a_ticket_opened_by_api_for_a_contact_without_a_language_takes_the_customers(world, api):
    contact = _without_language(world.contact_b)
    response = api(contact).post("/tickets", {"type": "usage", "subject": "Question"})
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(pk=response.json()["id"]).language == "fr"


def test_a_ticket_opened_by_mail_for_a_contact_without_a_language_takes_the_customers(world):
    from palier.mailgateway.actions import ingest

    contact = _without_language(world.contact_b)
    raw = ingest(
        (
            f"From: {contact.email}\r\nTo: support@palier.localhost\r\nSubject: Question\r\n"
            "Message-ID: <no-language@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
        ).encode(),
        "test",
    )
    assert raw.outcome == "new_ticket"
    assert raw.ticket.language == "fr"


def test_without_a_contacts_or_a_customers_language_a_ticket_takes_the_desks(world, settings):
    from palier.customers.models import Customer

    Customer.objects.filter(pk=world.customer_b.pk).update(language="")
    contact = _without_language(world.contact_b)
    settings.LANGUAGE_CODE = "it"
    ticket = make_ticket(contact, acting_user=world.agent, channel="phone")
    assert ticket.language == "it"
    assert ticket_customer_language(ticket) == "it"
