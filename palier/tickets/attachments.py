"""Files attached to a ticket or a message: checked, hashed, stored, recorded.

The type is taken from the file name's extension against an allow-list, never from the
type the browser or mailer claims, and downloads are always served as attachments.
"""

from __future__ import annotations

import hashlib
import os
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.tickets.actions import record_event
from palier.tickets.models import Attachment, Message, Ticket

# extension -> content type. Office documents, images, logs, archives and mail: what a
# customer sends to show a problem. No HTML, SVG or executables.
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def clean_filename(name: str) -> str:
    """The base name only (no folders), without control characters, at most 255 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|').strip(" .")
    return base[-255:] or "file"


def check_attachment(filename: str, size: int) -> str:
    """The content type for an acceptable file; DomainError with a stable code otherwise."""
    limit = settings.PALIER_MAX_ATTACHMENT_BYTES
    if size > limit:
        raise DomainError(
            _("“%(name)s” is too large (%(size)s); the limit is %(limit)s per file.")
            % {"name": filename, "size": _megabytes(size), "limit": _megabytes(limit)},
            code="attachment_too_large",
            details={"filename": filename, "size": size, "limit": limit},
        )
    if size == 0:
        raise DomainError(
            _("“%(name)s” is empty.") % {"name": filename},
            code="attachment_empty",
            details={"filename": filename},
        )
    extension = os.path.splitext(filename)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise DomainError(
            _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED_TYPES))},
            code="attachment_type_not_allowed",
            details={"filename": filename, "allowed": sorted(ALLOWED_TYPES)},
        )
    return ALLOWED_TYPES[extension]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@transaction.atomic
def do_attach_file(
    ticket: Ticket,
    upload: File,
    *,
    acting_user: User | None,
    message: Message | None = None,
    internal: bool = False,
    filename: str | None = None,
) -> Attachment:
    """Store one file on a ticket (and its message): checked, hashed, recorded as an event."""
    if internal and (acting_user is None or not acting_user.is_staff_member):
        raise DomainError(_("Only the support team can add internal files."), code="not_allowed")
    if message is not None and message.ticket_id != ticket.pk:
        raise DomainError(_("This message belongs to another ticket."), code="invalid_message")
    name = clean_filename(filename or upload.name or "")
    content_type = check_attachment(name, upload.size)
    # Lock the ticket so its event order matches the order of the files.
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=name,
        content_type=content_type,
        size=upload.size,
        sha256=_sha256(upload),
        internal=internal or bool(message and message.internal),
        uploaded_by=acting_user,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event(
        ticket,
        "attachment",
        acting_user,
        internal=attachment.internal,
        to_value=name[:200],
        data={"attachment_id": attachment.pk, "size": attachment.size, "sha256": attachment.sha256},
    )
    return attachment
