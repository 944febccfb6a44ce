"""Which ticket events become mail, to whom, saying what. Runs in the worker (a handler
registered with palier.tickets.notifications); internal events never reach a contact."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.money import format_chf
from palier.mailgateway.models import OutboundMessage, RawMessage
from palier.mailgateway.outbound import Mail, queue
from palier.tickets.explanations import refusal_text
from palier.tickets.labels import system_reason
from palier.tickets.models import Message, Ticket, TicketEvent
from palier.tickets.queries import ticket_customer_language, ticket_recipients
from palier.tickets.states import CUSTOMER_STATUS_LABELS, Status

logger = logging.getLogger(__name__)

# These statuses come with their own event (and mail) that says more than the status does.
MAILED_BY_THEIR_OWN_EVENT = frozenset({Status.AWAITING_CONSENT, Status.PATCH_AVAILABLE})
CONTACT_KINDS = frozenset(
    {"created", "reply", "status", "reopened", "refused", "consent_requested", "patch_available"}
)


def _thread_sql() -> str:
    raw, sent = RawMessage._meta.db_table, OutboundMessage._meta.db_table
    return (
        f"SELECT 0, id, message_id FROM (SELECT id, message_id FROM {raw}"
        " WHERE ticket_id = %s AND message_id <> '' ORDER BY id LIMIT 1) AS first_in"
        f" UNION ALL SELECT 1, id, message_id FROM (SELECT id, message_id FROM {sent}"
        " WHERE ticket_id = %s ORDER BY id DESC LIMIT 8) AS last_out"
    )


def _thread(ticket: Ticket) -> tuple[str, list[str]]:
    """In-Reply-To and References so that mail clients keep the ticket in one thread: the
    first inbound Message-ID, then the last eight we sent, oldest first (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(_thread_sql(), [ticket.pk, ticket.pk])
        rows = sorted(cursor.fetchall())  # the inbound one, then ours by id
    refs = [message_id for _kind, _id, message_id in rows]
    return (refs[-1] if refs else ""), refs


# The web screens' own URLconf, mounted at the site's root (palier/urls.py; a test checks
# that both agree): reversing through it imports the screens, not the whole API — which took
# seconds, inside the event's transaction, in the first process that mailed a notice.
WEB_URLCONF = "palier.web.urls"


def _link(ticket: Ticket, *, staff: bool = False) -> str:
    """The ticket's page: the portal for a contact, the desk for staff."""
    name = "agent:ticket" if staff else "portal:detail"
    try:
        path = reverse(name, args=[ticket.pk], urlconf=WEB_URLCONF)
    except (NoReverseMatch, ImportError):  # no web screens (an API-only desk)
        return ""
    return f"{settings.PALIER_BASE_URL}{path}"


def _patch_link(ticket: Ticket) -> str:
    """The request page's patch panel, where the customer asks us to deploy the patch."""
    link = _link(ticket)
    return f"{link}#patch" if link else ""


def _consent(event: TicketEvent) -> tuple[list[str], str] | None:
    """The estimate and the link to accept or decline it; nothing when it was answered or
    replaced before the worker got to it."""
    from palier.billing.links import consent_url_for_event

    url = consent_url_for_event(event)
    if url is None:
        return None
    data = event.data or {}
    lines = [
        _(
            "Work on your request is outside the maintenance contract and billable, so it needs "
            "your approval first."
        ),
        _("Estimate: %(hours)s h at %(rate)s per hour, %(amount)s.")
        % {
            "hours": data.get("hours", "?"),
            "rate": format_chf(data.get("rate") or 0),
            "amount": format_chf(data.get("amount") or 0),
        },
        _("Accept or decline it here: %(url)s") % {"url": url},
    ]
    return lines, ""


def _from_a_robot(ticket: Ticket) -> bool:
    """`RawMessage.objects.filter(ticket=ticket, auto_submitted=True).exists()`, written once."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {RawMessage._meta.db_table}"
            " WHERE ticket_id = %s AND auto_submitted = %s LIMIT 1",
            [ticket.pk, True],
        )
        return cursor.fetchone() is not None


def _contact_paragraphs(event: TicketEvent, ticket: Ticket) -> tuple[list[str], str] | None:
    kind, quote = event.kind, ""
    if kind == "created":
        if ticket.channel != "email" or _from_a_robot(ticket):
            return None  # the portal shows it; robots get no acknowledgement
        lines = [
            _("We received your request “%(subject)s”.") % {"subject": ticket.subject},
            _(
                "Its reference is %(ref)s. An agent will qualify it and get back to you; "
                "reply to this mail to add information."
            )
            % {"ref": ticket.reference},
        ]
    elif kind == "reply":
        message = Message.objects.filter(pk=event.data.get("message_id"), internal=False).first()
        if message is None:
            return None
        lines, quote = (
            [_("%(name)s answered your request:") % {"name": message.author_name}],
            message.body,
        )
    elif kind in ("status", "reopened"):
        status = Status(event.to_value) if event.to_value in Status.values else None
        if status is None or status in MAILED_BY_THEIR_OWN_EVENT:
            return None
        lines = [
            _("The status of your request is now: %(status)s.")
            % {"status": CUSTOMER_STATUS_LABELS[status]}
        ]
        if status == Status.RESOLVED:
            lines.append(
                _("If the problem is not solved, reply within %(days)s days to reopen the request.")
                % {"days": settings.PALIER_REOPEN_DAYS}
            )
        if event.reason:
            quote = system_reason(event.reason)  # the desk's own reasons in words
    elif kind == "refused":
        decision = ticket.decision
        lines = [
            refusal_text(
                event.reason or (decision.refusal if decision else "no_contract"),
                decision.refusal_date if decision else None,
            )
        ]
    elif kind == "consent_requested":
        return _consent(event)
    elif kind == "patch_available":
        data = event.data or {}
        lines = [
            _(
                "A patch that fixes your problem is available: version %(version)s. Please "
                "install it and tell us whether it solves the problem."
            )
            % {"version": data.get("version") or event.to_value}
        ]
        link = _patch_link(ticket)
        if link:
            lines.append(
                _("If you want us to install it for you, ask us on your request page: %(url)s")
                % {"url": link}
            )
        quote = str(data.get("release_notes") or "")
    else:
        return None
    return lines, quote


# Followers of a shared request hear of what moves it on, like its requester.
FOLLOWER_KINDS = frozenset({"reply", "status", "reopened", "patch_available"})


def _to_contact(event: TicketEvent) -> None:
    ticket = event.ticket
    if event.internal:
        return
    if event.kind in FOLLOWER_KINDS:
        recipients = ticket_recipients(ticket)
    else:
        recipients = [ticket.contact] if ticket.contact is not None else []
    for contact in recipients:
        if not contact.is_active or not contact.email:
            continue
        if event.kind not in ("created", "refused") and event.actor_id == contact.pk:
            continue  # they did it; no need to tell them
        _mail_contact(event, ticket, contact)


def _mail_contact(event: TicketEvent, ticket: Ticket, contact) -> None:
    language = ticket_customer_language(ticket, contact)
    with translation.override(language):
        content = _contact_paragraphs(event, ticket)
        if content is None:
            return
        lines, quote = content
        in_reply_to, references = _thread(ticket)
        queue(
            Mail(
                kind=event.kind,
                to_address=contact.email,
                to_name=str(contact),
                language=language,
                subject=f"[{ticket.reference}] {ticket.subject}",
                paragraphs=lines,
                quote=quote,
                reference=ticket.reference,
                link=_patch_link(ticket) if event.kind == "patch_available" else _link(ticket),
                ticket=ticket,
                event=event,
                in_reply_to=in_reply_to,
                references=references,
            )
        )


def _to_agent(event: TicketEvent) -> None:
    ticket = event.ticket
    if event.kind == "assigned":
        agent = User.objects.filter(pk=(event.data or {}).get("assignee_id")).first()
    else:
        agent = ticket.assignee
    if agent is None or not agent.is_active or not agent.email or event.actor_id == agent.pk:
        return
    with translation.override(agent.language):
        if event.kind == "assigned":
            lines, quote = [_("%(ref)s is assigned to you.") % {"ref": ticket.reference}], ""
        else:
            message = Message.objects.filter(pk=(event.data or {}).get("message_id")).first()
            lines = [
                _("%(customer)s replied on %(ref)s.")
                % {"customer": ticket.customer.name, "ref": ticket.reference}
            ]
            quote = message.body if message else ""
        queue(
            Mail(
                kind=event.kind,
                to_address=agent.email,
                to_name=str(agent),
                language=agent.language,
                subject=f"[{ticket.reference}] {ticket.subject}",
                paragraphs=lines,
                quote=quote,
                reference=ticket.reference,
                link=_link(ticket, staff=True),
                ticket=ticket,
                event=event,
            )
        )


def on_ticket_event(event: TicketEvent) -> None:
    try:
        if event.kind in CONTACT_KINDS:
            _to_contact(event)
        elif event.kind in ("assigned", "customer_reply"):
            _to_agent(event)
    except Exception:  # noqa: BLE001 - other apps' handlers of this event must still run
        logger.exception("No mail for ticket event %s", event.pk)
