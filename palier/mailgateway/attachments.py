"""Store a mailed file on its ticket. (palier.tickets has no attach action yet; when one is
added, this helper should call it.)"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile

from palier.mailgateway.parsing import ParsedAttachment
from palier.tickets.models import Attachment, Message, Ticket


def store_attachments(
    ticket: Ticket, message: Message | None, files: list[ParsedAttachment], uploaded_by
) -> list[Attachment]:
    stored = []
    for item in files:
        digest = hashlib.sha256(item.data).hexdigest()
        attachment = Attachment(
            ticket=ticket,
            message=message,
            filename=item.filename[:255],
            content_type=item.content_type[:120],
            size=len(item.data),
            sha256=digest,
            inline=item.inline,
            content_id=item.content_id[:255],
            uploaded_by=uploaded_by,
        )
        attachment.file.save(item.filename, ContentFile(item.data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
