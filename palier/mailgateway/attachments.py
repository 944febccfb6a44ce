"""Store a mailed file on its ticket through palier.tickets.attachments.do_attach_file (its
type allow-list and size limit apply). A refused file stays in the raw message and staff are
told on the ticket, in an internal event."""

from __future__ import annotations

import mimetypes

from django.core.files.base import ContentFile
from django.utils.translation import pgettext

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.mailgateway import history
from palier.mailgateway.parsing import ParsedAttachment, shorten_filename
from palier.tickets.actions import record_event
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Attachment, Message, Ticket


def name_for(item: ParsedAttachment, index: int) -> str:
    """The file's name; a part without one (an inline image) is named after its type, so
    that the allow-list applies; a forward without a name that shows, in the active
    language (the contact's, when the desk stores it)."""
    if item.unnamed_forward:
        return shorten_filename(pgettext("file name", "forwarded-mail") + ".eml")
    if "." in item.filename.rsplit("/", 1)[-1] or not item.filename.startswith("part-"):
        return shorten_filename(item.filename)
    extension = mimetypes.guess_extension(item.content_type) or ""
    return f"{'inline' if item.inline else 'part'}-{index}{extension}"


def store_attachments(
    ticket: Ticket, message: Message | None, files: list[ParsedAttachment], uploaded_by: User
) -> list[Attachment]:
    stored, refused = [], []
    for index, item in enumerate(files, start=1):
        name = name_for(item, index)
        try:
            attachment = do_attach_file(
                ticket,
                ContentFile(item.data, name=name),
                acting_user=uploaded_by,
                message=message,
                filename=name,
            )
        except DomainError as exc:
            refused.append({"filename": name, "code": exc.code})
            continue
        if item.inline or item.content_id:
            # do_attach_file has no parameter for these two facts of mail.
            Attachment.objects.filter(pk=attachment.pk).update(
                inline=item.inline, content_id=item.content_id[:255]
            )
        stored.append(attachment)
    if refused:
        note_refused(ticket, refused)
    return stored


def note_refused(ticket: Ticket, refused: list[dict]) -> None:
    """Tell staff on the ticket which files of the mail could not be attached, and why."""
    data = {"files": refused[:200]}
    record_event(
        ticket,
        "mail_attachment_refused",
        None,
        internal=True,
        reason=history.write("mail_attachment_refused", data),
        data=data,
    )


def note_failed(ticket: Ticket, files: list[ParsedAttachment], error: str) -> None:
    """Files that could not be stored (a storage failure): staff are told, the raw keeps them."""
    data = {"files": [f.filename for f in files], "error": error[:300]}
    record_event(
        ticket,
        "mail_attachment_failed",
        None,
        internal=True,
        reason=history.write("mail_attachment_failed", data),
        data=data,
    )
