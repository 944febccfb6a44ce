"""Which ticket a mail belongs to: our own Message-IDs first, then the reference in the
subject or the reply address — and only ever a ticket of the sender's own customer."""

from __future__ import annotations

from palier.accounts.models import User
from palier.mailgateway.identity import id_hash
from palier.mailgateway.models import OutboundMessage, RawMessage
from palier.tickets.models import Ticket, reference_q, references_in
from palier.tickets.queries import visible_tickets


def ticket_by_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the newest of our messages (or of a message already threaded) named in
    In-Reply-To / References."""
    ids = [i for i in ids if i][-50:]
    if not ids:
        return None
    out = (
        OutboundMessage.objects.filter(message_id__in=[i[:255] for i in ids], ticket__isnull=False)
        .select_related("ticket", "ticket__customer")
        .order_by("-id")
        .first()
    )
    if out is not None:
        return out.ticket
    raw = (
        RawMessage.objects.filter(
            message_id_hash__in=[id_hash(i) for i in ids], ticket__isnull=False
        )
        .select_related("ticket", "ticket__customer")
        .order_by("-id")
        .first()
    )
    return raw.ticket if raw else None


def ticket_by_reference(text: str) -> Ticket | None:
    for year, pk in references_in(text):
        ticket = Ticket.objects.select_related("customer").filter(reference_q(year, pk)).first()
        if ticket is not None:
            return ticket
    return None


def find_ticket(contact: User, ids: list[str], reference_text: str) -> tuple[Ticket | None, str]:
    """(ticket, how) for the sender's thread, or (None, why not). A thread the sender may
    not see (another customer's, a colleague's private one) is never returned."""
    for how, ticket in (
        ("message_id", ticket_by_message_ids(ids)),
        ("reference", ticket_by_reference(reference_text)),
    ):
        if ticket is None:
            continue
        if ticket.customer_id != contact.customer_id:
            return None, "other_customer"
        if not visible_tickets(contact).filter(pk=ticket.pk).exists():
            # A colleague's private request: the sender may not read it, so may not add to it.
            return None, "not_visible"
        return ticket, how
    return None, "none"
