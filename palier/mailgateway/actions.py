"""Inbound mail: store the raw message first, then process it in one transaction.

A message is stored (committed) before it is parsed; processing either completes — ticket
written and the raw marked processed, together — or leaves it stored for a retry, or puts it
in the quarantine with the reason. Delivering it again finds the stored row and adds nothing.
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.lib.errors import Conflict, DomainError
from palier.mailgateway import outbound
from palier.mailgateway.attachments import store_attachments
from palier.mailgateway.config import is_own_address
from palier.mailgateway.models import OutboundMessage, Outcome, RawMessage, RawState
from palier.mailgateway.parsing import ParsedMail, UnparseableMail, dedup_key, parse
from palier.mailgateway.threading import find_ticket
from palier.mailgateway.visible import visible_text
from palier.tickets.actions import do_add_message, do_open_ticket, record_event
from palier.tickets.models import Channel, Ticket
from palier.tickets.states import Status
from palier.triage.suggest import suggest_type

logger = logging.getLogger(__name__)
# Fwd (en), WG (de), TR (fr), I / Inoltro (it).
FORWARD_RE = re.compile(r"^\s*(fwd?|wg|tr|i|inoltro)\s*:", re.IGNORECASE)


def store_raw(raw: bytes, source: str) -> tuple[RawMessage, bool]:
    """Keep the bytes durably. (row, created): the same message again returns the first row."""
    key, message_id, digest = dedup_key(raw)
    existing = RawMessage.objects.filter(dedup_key=key).defer("raw").first()
    if existing is not None:  # the common redelivery: one read, no failed insert
        return existing, False
    try:
        with transaction.atomic():
            return (
                RawMessage.objects.create(
                    dedup_key=key,
                    message_id=message_id,
                    sha256=digest,
                    raw=raw,
                    size=len(raw),
                    source=source[:40],
                ),
                True,
            )
    except IntegrityError:
        return RawMessage.objects.get(dedup_key=key), False


def ingest(raw: bytes, source: str) -> RawMessage:
    """The one pipeline of every way in (IMAP, LMTP/SMTP, stdin)."""
    stored, _created = store_raw(raw, source)
    if stored.state == RawState.STORED:
        return do_process_raw(stored.pk)
    return stored


def _quarantine(raw: RawMessage, code: str, message: str) -> None:
    raw.state = RawState.QUARANTINED
    raw.error_code = code
    raw.error = message


def do_process_raw(raw_id: int) -> RawMessage:
    try:
        with transaction.atomic():
            raw = RawMessage.objects.select_for_update().get(pk=raw_id)
            if raw.state != RawState.STORED:
                return raw
            raw.attempts += 1
            _process(raw)
            if raw.state == RawState.STORED:
                raw.state = RawState.PROCESSED
            raw.processed_at = timezone.now()
            raw.save()
            return raw
    except DatabaseError:
        raise  # the database is unwell: the message stays stored and is processed later
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
        logger.exception("Mail %s quarantined", raw_id)
        with transaction.atomic():
            raw = RawMessage.objects.select_for_update().get(pk=raw_id)
            raw.attempts += 1
            _quarantine(raw, "processing_error", f"{type(exc).__name__}: {exc}"[:2000])
            raw.processed_at = timezone.now()
            raw.save()
            return raw


@transaction.atomic
def do_reprocess(raw: RawMessage, *, acting_user: User) -> RawMessage:
    """Staff send a quarantined message through the pipeline again (after a fix)."""
    check_allowed(acting_user, Permission.MAIL_REPROCESS)
    locked = RawMessage.objects.select_for_update().get(pk=raw.pk)
    if locked.state != RawState.QUARANTINED:
        raise Conflict(_("Only a quarantined message can be reprocessed."), code="not_quarantined")
    locked.state, locked.error, locked.error_code, locked.outcome = RawState.STORED, "", "", ""
    locked.save(update_fields=["state", "error", "error_code", "outcome"])
    return do_process_raw(locked.pk)


def _process(raw: RawMessage) -> None:
    try:
        mail = parse(bytes(raw.raw))
    except UnparseableMail as exc:
        _quarantine(raw, "unparseable", str(exc)[:2000])
        return
    raw.sender, raw.subject = mail.sender[:320], mail.subject[:300]
    raw.full_text, raw.auto_submitted = mail.text, mail.auto_submitted or mail.auto_reply
    if mail.sender and is_own_address(mail.sender):
        raw.outcome = Outcome.DROPPED_OWN  # a loop through our own mailbox
        return
    if mail.bounce:
        _bounce(raw, mail)
        return
    contact = _sender(raw, mail)
    if contact is None:
        return
    ticket, how = find_ticket(
        contact, mail.in_reply_to + mail.references, f"{mail.subject} {mail.recipients}"
    )
    if how in ("other_customer", "not_visible"):
        raw.error_code = f"{how}_thread"  # noted; the mail becomes a new request
    if mail.auto_reply:
        raw.outcome, raw.ticket = Outcome.AUTO_REPLY, ticket
        return
    if ticket is not None and _add_to_ticket(raw, mail, contact, ticket):
        return
    _open(raw, mail, contact, follow_up_of=ticket)


def _sender(raw: RawMessage, mail: ParsedMail) -> User | None:
    if not mail.sender:
        _quarantine(
            raw,
            "ambiguous_sender",
            "The From header is missing, names several addresses or is ambiguous.",
        )
        return None
    users = list(User.objects.filter(email__iexact=mail.sender, is_active=True)[:2])
    if len(users) > 1:
        _quarantine(raw, "ambiguous_sender", "Several accounts have this address.")
        return None
    if not users:
        _quarantine(raw, "unknown_sender", "No contact has this address.")
        if not (mail.auto_submitted or mail.auto_reply or mail.return_path_empty):
            outbound.queue_unknown_sender_notice(mail)
        return None
    if not users[0].is_contact:
        _quarantine(raw, "staff_sender", "Staff answer in the desk, not by mail.")
        return None
    return users[0]


def _body(mail: ParsedMail) -> str:
    visible = visible_text(mail.text)
    if visible.strip():
        return visible
    return _("(No text; see the attachments.)") if mail.attachments else _("(Empty message.)")


def _add_to_ticket(raw: RawMessage, mail: ParsedMail, contact: User, ticket: Ticket) -> bool:
    """Append a reply to its thread; False when the ticket cannot take it (closed)."""
    if ticket.status == Status.REFUSED:
        # Kept with the refused request; the refusal was already explained once.
        store_attachments(ticket, None, mail.attachments, contact)
        raw.outcome, raw.ticket = Outcome.REFUSED, ticket
        return True
    try:
        body = _body(mail)
        # The HTML would show the quoted history again: keep it only when nothing was hidden.
        html = mail.html if body.strip() == mail.text.strip() else ""
        message = do_add_message(
            ticket,
            acting_user=contact,
            body=body,
            body_html=html,
            channel=Channel.EMAIL,
            author_name=mail.sender_name or str(contact),
        )
    except DomainError as exc:
        if exc.code in ("ticket_closed", "reopen_window_passed"):
            return False
        raise
    store_attachments(ticket, message, mail.attachments, contact)
    raw.outcome, raw.ticket, raw.ticket_message = Outcome.REPLY, ticket, message
    return True


def _open(raw: RawMessage, mail: ParsedMail, contact: User, *, follow_up_of: Ticket | None) -> None:
    # A forwarded mail's history is the request itself: keep it whole.
    body = (
        mail.text.strip() if FORWARD_RE.match(mail.subject) and mail.text.strip() else _body(mail)
    )
    description = body
    if follow_up_of is not None and follow_up_of.customer_id == contact.customer_id:
        description = _("Follow-up of %(ref)s.") % {"ref": follow_up_of.reference} + "\n\n" + body
    subject = mail.subject.strip() or _("(no subject)")
    ticket = do_open_ticket(
        acting_user=contact,
        customer=contact.customer,
        contact=contact,
        request_type=None,
        suggested_type=suggest_type(subject, body),
        subject=subject[:200],
        description=description,
        channel=Channel.EMAIL,
    )
    store_attachments(ticket, None, mail.attachments, contact)
    raw.ticket = ticket
    raw.outcome = Outcome.REFUSED if ticket.status == Status.REFUSED else Outcome.NEW_TICKET


def _bounce(raw: RawMessage, mail: ParsedMail) -> None:
    raw.outcome = Outcome.BOUNCE
    sent = (
        OutboundMessage.objects.filter(message_id=mail.bounced_message_id)
        .select_related("ticket")
        .first()
        if mail.bounced_message_id
        else None
    )
    if sent is None or sent.ticket is None:
        return
    raw.ticket = sent.ticket
    record_event(
        sent.ticket,
        "mail_bounced",
        None,
        internal=True,
        reason=_("Our mail to %(to)s could not be delivered (status %(status)s).")
        % {"to": sent.recipient, "status": mail.bounce_status or "?"},
        data={"raw_message_id": raw.pk, "outbound_id": sent.pk, "status": mail.bounce_status},
    )
