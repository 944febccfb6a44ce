"""Store a mailed file on its ticket through palier.tickets.attachments.do_attach_file (its
type allow-list and size limit apply). A refused file stays in the raw message and staff are
told on the ticket, in an internal event."""

from __future__ import annotations

import mimetypes

from django.core.files.base import ContentFile

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.mailgateway.parsing import ParsedAttachment
from palier.tickets.actions import record_event
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Attachment, Message, Ticket


def _name(item: ParsedAttachment, index: int) -> str:
    if "." in item.filename.rsplit("/", 1)[-1] or not item.filename.startswith("part-"):
        return item.filename
    # A part without a name (an inline image): named after its type, so the allow-list applies.
    extension = mimetypes.guess_extension(item.content_type) or ""
    return f"{'inline' if item.inline else 'part'}-{index}{extension}"


def store_attachments(
    ticket: Ticket, message: Message | None, files: list[ParsedAttachment], uploaded_by: User
) -> list[Attachment]:
    stored, refused = [], []
    for index, item in enumerate(files, start=1):
        name = _name(item, index)
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
        record_event(
            ticket,
            "mail_attachment_refused",
            None,
            internal=True,
            reason=", ".join(f"{r['filename']} ({r['code']})" for r in refused)[:2000],
            data={"files": refused},
        )
    return stored
