"""Mail whose body another app writes (an invoice with its PDF, a satisfaction survey, the
weekly report): the same headers, record and worker delivery as the notifications of
outbound.py, with the caller's own text and HTML and optional attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.db import IntegrityError, transaction
from django.utils import timezone

from palier.lib.tasks import enqueue_with_transaction
from palier.mailgateway import config, mime
from palier.mailgateway.models import OutboundMessage
from palier.mailgateway.outbound import one_line, reply_to_for, send_outbound


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass
class ComposedMail:
    kind: str
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    ticket: object | None = None
    event: object | None = None
    reference: str = ""


def build(mail: ComposedMail, message_id: str) -> EmailMessage:
    msg = EmailMessage(policy=mime.policy_for(mail.to_address))
    msg["From"] = Address(
        display_name=one_line(config.vendor_name()), addr_spec=config.from_address()
    )
    msg["To"] = mime.to_value(one_line(mail.to_name), mail.to_address)
    msg["Subject"] = one_line(mail.subject, 200)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(timezone.now())
    msg["Reply-To"] = reply_to_for(mail.reference)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    for part in mail.attachments:
        maintype, _, subtype = part.mimetype.partition("/")
        msg.add_attachment(part.content, maintype=maintype, subtype=subtype, filename=part.filename)
    return msg


def queue_composed(mail: ComposedMail) -> OutboundMessage | None:
    """Record the mail and queue its sending with the current transaction; None for one of
    our own addresses or when this event already had its mail to this recipient."""
    recipient = mail.to_address.strip().lower()
    if not recipient or config.is_own_address(recipient):
        return None
    message_id = make_msgid(domain=config.mail_domain())
    raw = build(mail, message_id).as_bytes()
    try:
        with transaction.atomic():
            out = OutboundMessage.objects.create(
                ticket=mail.ticket,
                event=mail.event,
                kind=mail.kind,
                message_id=message_id,
                recipient=recipient,
                subject=one_line(mail.subject, 200)[:300],
                raw=raw,
            )
    except IntegrityError:
        return None
    enqueue_with_transaction(send_outbound, out.pk)
    return out
