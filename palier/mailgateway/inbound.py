"""What becomes of one stored message, in two steps:

- `prepare` (before any transaction: no write, no lock) parses the bytes and does all the
  text work: the visible part, the files the desk will accept, the notes for staff;
- `route` (inside the short write transaction of `actions.do_process_raw`) reads who sent it
  and which thread it belongs to, and writes exactly one ending (`models.Outcome`, or a
  quarantine reason). The files follow in short transactions of their own
  (`actions.attach_files`).

The endings a message may have, in the order they are tried:

1. From our own address and carrying the Message-ID of a mail we sent: our mail came back
   (a record). From our address otherwise: quarantined (`own_address`).
2. A delivery status report naming a mail we sent: a record, noted on that mail's ticket.
3. An automatic reply identified by its headers (`autoreply.py`): a record, noted on the
   ticket it answers, or kept unmatched; so is a read receipt a program sent (its
   disposition mode says so). A read receipt a person sent, with text, is their message.
4. A sender who is not exactly one active contact: quarantined (`unknown_sender`,
   `ambiguous_sender`, `staff_sender`).
5. A subject that reads like an automatic reply: quarantined (`suspected_auto_reply`).
6. Otherwise the customer's message: added to its ticket, or a new ticket.

Staff who release a message (`actions.do_release`) skip 3 and 5: it is a customer's message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.lib.visible import is_visible, visible_line
from palier.mailgateway import advice, history, outbound
from palier.mailgateway.attachments import name_for, note_refused
from palier.mailgateway.config import is_own_address, max_files, parse_seconds
from palier.mailgateway.models import OutboundMessage, Outcome, QuarantineReason, RawMessage
from palier.mailgateway.parsing import (
    FULL_TEXT_CHARS,
    Forwarded,
    ParsedAttachment,
    ParsedMail,
    parse,
)
from palier.mailgateway.reports import DSN
from palier.mailgateway.threading import find_ticket, ticket_by_message_ids
from palier.mailgateway.visible import visible_text
from palier.tickets.actions import do_add_message, do_open_ticket, record_event
from palier.tickets.attachments import check_attachment
from palier.tickets.models import Channel, Ticket
from palier.tickets.queries import customer_language
from palier.tickets.states import Status
from palier.triage.suggest import current_model, suggest_type

logger = logging.getLogger(__name__)
# Fwd (en), WG (de), TR (fr), I / Inoltro (it).
FORWARD_RE = re.compile(r"^\s*(fwd?|wg|tr|i|inoltro)\s*:", re.IGNORECASE)
BODY_CHARS = 50_000  # what the API accepts as a ticket's description or a message's body


class Quarantine(Exception):
    """Routing ends in the quarantine: (reason code, what a person should know)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def of(cls, code: str, address: str = "") -> Quarantine:
        return cls(code, advice.sentence(code, address))


@dataclass
class Prepared:
    mail: ParsedMail
    body: str  # what the ticket or message shows
    html: str
    files: list[ParsedAttachment] = field(default_factory=list)  # the desk will accept them
    refused: list[dict] = field(default_factory=list)  # {"filename", "code"}: kept in the raw
    # In case it opens a ticket: guessed here, outside the lock; None when the mail is
    # unlikely to open one (a reply, machine mail), guessed then only if it does (`_open`).
    suggested_type: str | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)
    words: str = ""  # what the person wrote: no quoted history, no attached text


def _files(mail: ParsedMail) -> tuple[list[ParsedAttachment], list[dict], list[str]]:
    """(files the desk accepts, files it refuses, texts of text files it would refuse)."""
    accepted, refused, texts = [], [], []
    turned_down: set[int] = set()
    for index, item in enumerate(mail.attachments, start=1):
        item.filename = name_for(item, index)
        try:
            check_attachment(item.filename, len(item.data))
        except DomainError as exc:
            turned_down.add(id(item))
            text_part = item.content_type.startswith("text/") and item.content_type not in (
                "text/html",
                "text/calendar",
            )
            if text_part and exc.code == "attachment_type_not_allowed":
                # Words in a file of a type we do not store: shown as text, not lost to sight.
                texts.append(f"[{item.filename}]\n{item.data.decode('utf-8', 'replace')}")
            else:
                refused.append({"filename": item.filename, "code": exc.code})
            continue
        accepted.append(item)
    # A forwarded mail's bytes carry its files: one that holds a file refused here, or parts
    # not read, would hand it to the contact anyway. The stored mail keeps it for staff.
    for item in [f for f in accepted if f.unread or f.holds]:
        if item.unread or any(id(f) in turned_down for f in item.holds):
            accepted.remove(item)
            code = "forward_not_read" if item.unread else "forward_holds_refused"
            refused.append({"filename": item.filename, "code": code})
    return accepted, refused, texts


def _cut(text: str, notes: list[tuple[str, dict]]) -> str:
    if len(text) <= BODY_CHARS:
        return text
    # Said once, however often the text is shown (a reply a closed ticket refuses opens one).
    notes[:] = [note for note in notes if note[0] != "text_cut"]
    notes.append(("text_cut", {"shown": BODY_CHARS, "total": len(text)}))
    return text[:BODY_CHARS].rstrip() + "\n\n[…]"


def files_of(raw: bytes) -> list[ParsedAttachment]:
    """The files of a mail the desk accepts, as `prepare` finds them (without its text work
    and triage): what the sweep attaches when an interruption left some behind."""
    return _files(parse(raw, budget=parse_seconds(), max_files=max_files()))[0]


def prepare(raw: bytes) -> Prepared:
    """Parse and do the text work, outside any transaction (it may take seconds)."""
    mail = parse(raw, budget=parse_seconds(), max_files=max_files())
    files, refused, file_texts = _files(mail)
    notes = [(note.code, note.data) for note in mail.notes]
    text = mail.text.strip()
    # A forwarded mail's history is the request itself: keep it whole.
    visible = text if FORWARD_RE.match(mail.subject) else visible_text(text)
    # The HTML would show the quoted history again: keep it only when nothing was hidden,
    # nor added (a forwarded mail is shown in the text, `_shown`).
    whole = visible.strip() == text and not (mail.other_texts or file_texts or mail.forwarded)
    html = mail.html if whole and len(mail.html) <= BODY_CHARS else ""
    # Log files and other text parts are shown whole, after what the person wrote.
    shown = [visible.strip(), *mail.other_texts, *file_texts]
    body = "\n\n".join(t for t in shown if t)
    if not mail.forwarded:  # with forwarded mails, `_shown` cuts the whole text once
        body = _cut(body, notes)
    if not body.strip():
        body = ""  # said in the contact's language when the ticket is written (`_shown`)
    # The triage runs here, not in the write transaction, for mail that will likely open a
    # ticket. A reply or machine mail seldom does (its thread is unknown or closed, staff
    # release it): it is guessed then, in `_open`, from the model loaded here, for the first
    # suggestion of a desk without a model file learns one (seconds; SQLite's lock is one).
    if _likely_new_request(mail):
        # A forwarded mail is often the request itself.
        suggested = _suggest(mail, "\n\n".join([body, *(f.text for f in mail.forwarded)]))
    else:
        suggested = None
        _load_triage_model()
    return Prepared(
        mail=mail,
        body=body,
        html=html,
        files=files,
        refused=refused,
        suggested_type=suggested,
        notes=notes,
        words=visible.strip(),
    )


def _shown(prepared: Prepared) -> str:
    """What the ticket shows: the mail's text and the mails it forwards, or a word saying
    there is none (in the active language: the contact's, while routing writes their
    ticket)."""
    forwarded = [forwarded_text(item) for item in prepared.mail.forwarded]
    if forwarded:
        return _cut("\n\n".join(t for t in [prepared.body, *forwarded] if t), prepared.notes)
    if prepared.body:
        return prepared.body
    return _("(No text; see the attachments.)") if prepared.files else _("(Empty message.)")


def forwarded_text(item: Forwarded) -> str:
    """A forwarded mail as staff read it: a line that says so, its From, Date and Subject,
    then its text (its file is attached to the ticket)."""
    lines = ["---------- " + _("Forwarded message") + " ----------"]
    for label, value in (
        (_("From: %(value)s"), item.sender),
        (_("Date: %(value)s"), item.date),
        (_("Subject: %(value)s"), item.subject),
    ):
        if value:
            lines.append(label % {"value": value})
    return "\n".join(lines) + ("\n\n" + item.text if item.text else "")


def _suggest(mail: ParsedMail, body: str) -> str:
    return suggest_type(mail.subject.strip() or _("(no subject)"), body)


def _likely_new_request(mail: ParsedMail) -> bool:
    """Whether routing will likely open a ticket, from what the mail says of itself (a reply
    names its thread; machine mail and our own come back as records or quarantine)."""
    machine = mail.auto_reply or mail.report is not None or mail.suspected_auto_reply
    own = bool(mail.sender) and is_own_address(mail.sender)
    return not (machine or own or mail.thread_ids)


def _load_triage_model() -> None:
    try:
        current_model()  # a stat of its file once loaded; learnt here, never in the lock
    except Exception:  # noqa: BLE001 - no suggestion then, as when the model abstains
        logger.warning("The triage model could not be loaded", exc_info=True)


# Routing: inside the write transaction. Reads, then the writes of one ending.


def route(raw: RawMessage, prepared: Prepared, *, released_by: User | None = None) -> None:
    mail = prepared.mail
    raw.sender, raw.subject = mail.sender[:320], mail.subject[:300]
    raw.full_text = "\n\n".join([mail.text, *mail.other_texts, *(f.text for f in mail.forwarded)])[
        :FULL_TEXT_CHARS
    ]
    raw.auto_submitted = mail.machine_sent or bool(mail.auto_reply)
    if mail.sender and is_own_address(mail.sender):
        _own_mail(raw, mail)
        return
    if mail.report is not None and mail.report.kind == DSN and _dsn(raw, mail):
        return
    # A read receipt a person sent may carry their words; one a program sent carries none.
    person_wrote = released_by is not None or (
        mail.is_read_receipt and not mail.report.sent_automatically and mail.text.strip()
    )
    if mail.auto_reply and not person_wrote:
        _auto_reply(raw, mail)
        return
    contact = _sender(mail)
    if mail.suspected_auto_reply and released_by is None:
        raw.ticket = find_ticket(contact, mail.thread_ids, _reference_text(mail))[0]
        raise Quarantine.of(QuarantineReason.SUSPECTED_AUTO_REPLY)
    ticket, how = find_ticket(contact, mail.thread_ids, _reference_text(mail))
    if how in ("other_customer", "not_visible"):
        raw.error_code = f"{how}_thread"  # noted; the mail becomes a new request
    # The ticket is the contact's: the words the desk adds to it (a follow-up's first line,
    # "(no subject)") are in their language, as when they write in the portal, not in the
    # language of the process that reads the mail.
    with translation.override(customer_language(contact.customer, contact)):
        if ticket is None or not _add_to_ticket(raw, prepared, contact, ticket):
            _open(raw, prepared, contact, follow_up_of=ticket)
    # Attached after this transaction, a few at a time (actions.attach_files).
    raw.files_total, raw.files_done = len(prepared.files), 0
    _tell_staff(raw, prepared, released_by)


def _reference_text(mail: ParsedMail) -> str:
    return f"{mail.subject} {mail.recipients}"


def _own_mail(raw: RawMessage, mail: ParsedMail) -> None:
    if mail.message_id and OutboundMessage.objects.filter(message_id=mail.message_id).exists():
        raw.outcome = Outcome.DROPPED_OWN  # a loop through our own mailbox: kept, not answered
        return
    raise Quarantine.of(QuarantineReason.OWN_ADDRESS)


def _dsn(raw: RawMessage, mail: ParsedMail) -> bool:
    """A report on a mail we sent: noted on its ticket. False when it names no mail of ours
    (it is then handled as any other mail)."""
    report = mail.report
    sent = (
        OutboundMessage.objects.filter(message_id=report.original_message_id)
        .select_related("ticket")
        .first()
        if report.original_message_id
        else None
    )
    if sent is None:
        return False
    raw.outcome, raw.ticket = Outcome.BOUNCE, sent.ticket
    if sent.ticket is None:
        return True  # our notice to an unknown sender: kept in the unmatched list
    data = {
        "raw_message_id": raw.pk,
        "outbound_id": sent.pk,
        "to": sent.recipient,
        "status": report.status,
        "action": report.action,
    }
    record_event(
        sent.ticket,
        "mail_bounced",
        None,
        internal=True,
        reason=history.write("mail_bounced", data),
        data=data,
    )
    return True


def _auto_reply(raw: RawMessage, mail: ParsedMail) -> None:
    raw.outcome = Outcome.AUTO_REPLY
    ticket = ticket_by_message_ids(mail.thread_ids)
    if ticket is None and mail.sender:
        # By the reference it names, when a contact of that ticket's customer sent it.
        contact = User.objects.filter(email__iexact=mail.sender, is_active=True).first()
        if contact is not None and contact.is_contact:
            found, _how = find_ticket(contact, [], _reference_text(mail))
            ticket = found
    raw.ticket = ticket
    if ticket is None:
        return  # kept in the unmatched list
    data = {
        "raw_message_id": raw.pk,
        "evidence": mail.auto_reply,
        "sender": mail.sender,
        "subject": mail.subject[:300],
    }
    record_event(
        ticket,
        "mail_auto_reply",
        None,
        internal=True,
        reason=history.write("mail_auto_reply", data),
        data=data,
    )


def _sender(mail: ParsedMail) -> User:
    if not mail.sender:
        raise Quarantine.of(QuarantineReason.AMBIGUOUS_SENDER)
    # With the customer, which opening a ticket reads next (one statement instead of two).
    found = User.objects.select_related("customer").filter(
        email__iexact=mail.sender, is_active=True
    )
    users = list(found[:2])
    if len(users) > 1:
        raise Quarantine.of(QuarantineReason.AMBIGUOUS_SENDER, mail.sender)
    if not users:
        if not (mail.machine_sent or mail.return_path_empty or mail.suspected_auto_reply):
            outbound.queue_unknown_sender_notice(mail)
        raise Quarantine.of(QuarantineReason.UNKNOWN_SENDER, mail.sender)
    if not users[0].is_contact:
        raise Quarantine.of(QuarantineReason.STAFF_SENDER, mail.sender)
    return users[0]


def _add_to_ticket(raw: RawMessage, prepared: Prepared, contact: User, ticket: Ticket) -> bool:
    """Append a reply to its thread; False when the ticket cannot take it (closed)."""
    mail = prepared.mail
    if ticket.status == Status.REFUSED:
        # Kept with the refused request; the refusal was already explained once.
        raw.outcome, raw.ticket = Outcome.REFUSED, ticket
        return True
    try:
        message = do_add_message(
            ticket,
            acting_user=contact,
            body=_shown(prepared),
            body_html=prepared.html,
            channel=Channel.EMAIL,
            author_name=mail.sender_name or str(contact),
        )
    except DomainError as exc:
        if exc.code in ("ticket_closed", "reopen_window_passed"):
            return False
        raise
    raw.outcome, raw.ticket, raw.ticket_message = Outcome.REPLY, ticket, message
    return True


def _subject(subject: str, words: str) -> str:
    """The mail's subject as the desk stores it (lib/visible.py); when nothing of it is
    visible, the first visible line the person wrote (not a quoted "> " line), or
    "(no subject)": a mail is never refused for its subject."""
    found = visible_line(" ".join(subject.split()))
    if not found:
        lines = (visible_line(line) for line in words.splitlines())
        found = next((line for line in lines if line and not _quoted(line)), "")
    return visible_line(found[:200]) or _("(no subject)")


def _quoted(line: str) -> bool:
    """Whether the first visible character of this line is a quotation mark of mail (">")."""
    return next(ch for ch in line if is_visible(ch)) == ">"


def _open(raw: RawMessage, prepared: Prepared, contact: User, *, follow_up_of: Ticket | None):
    mail = prepared.mail
    description = _shown(prepared)
    subject = _subject(mail.subject, prepared.words)
    if follow_up_of is not None and follow_up_of.customer_id == contact.customer_id:
        description = (
            _("Follow-up of %(ref)s.") % {"ref": follow_up_of.reference} + "\n\n" + description
        )
    ticket = do_open_ticket(
        acting_user=contact,
        customer=contact.customer,
        contact=contact,
        request_type=None,
        suggested_type=(
            prepared.suggested_type
            if prepared.suggested_type is not None
            else _suggest(mail, prepared.body)
        ),
        subject=subject,
        description=description,
        channel=Channel.EMAIL,
    )
    raw.ticket = ticket
    raw.outcome = Outcome.REFUSED if ticket.status == Status.REFUSED else Outcome.NEW_TICKET


def _tell_staff(raw: RawMessage, prepared: Prepared, released_by: User | None) -> None:
    """Internal notes on the ticket: limits reached while reading, a release from quarantine."""
    if raw.ticket is None:
        return
    if prepared.refused:
        note_refused(raw.ticket, prepared.refused)
    for code, data in prepared.notes:
        record_event(
            raw.ticket,
            f"mail_{code}",
            None,
            internal=True,
            reason=history.write(f"mail_{code}", data) or "",
            data={"raw_message_id": raw.pk, **data},
        )
    if released_by is not None:
        data = {"raw_message_id": raw.pk, "name": str(released_by)}
        record_event(
            raw.ticket,
            "mail_released",
            released_by,
            internal=True,
            reason=history.write("mail_released", data),
            data=data,
        )
