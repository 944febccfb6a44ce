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
from palier.tickets.queries import ticket_customer_language


def _html_lang(out: OutboundMessage) -> str:
    parsed = message_from_bytes(bytes(out.raw), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_contact_without_a_language_gets_the_pages_language_in_mail_not_the_agents(
    world, django_capture_on_commit_callbacks
):
    # A contact whose language was never set (an import, an old row): the ticket takes none
    # either. Its notice is written while a German-speaking agent's request is active.
    User.objects.filter(pk=world.contact_a.pk).update(language="")
    contact = User.objects.get(pk=world.contact_a.pk)
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(contact, acting_user=world.agent, channel="phone")
        do_transition(ticket, "resolved", acting_user=world.agent)
    ticket.refresh_from_db()
    assert ticket_customer_language(ticket) == "en"
    mails = OutboundMessage.objects.filter(ticket=ticket, recipient=contact.email)
    assert sorted((m.kind, _html_lang(m)) for m in mails) == [("status", "en"), ("survey", "en")]
    assert Survey.objects.get(ticket=ticket).language == "en"


def test_a_follower_reads_in_their_own_language(world):
    ticket = make_ticket(world.contact_a)
    assert ticket_customer_language(ticket) == "de"
    world.contact_a2.language = "it"
    assert ticket_customer_language(ticket, world.contact_a2) == "it"
