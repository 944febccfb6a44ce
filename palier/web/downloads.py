"""Attachment downloads: only to users who may see the ticket, never rendered inline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from palier.tickets.queries import access_attachment_by_id

# Even if a browser ignored the attachment disposition, nothing in the file may run.
DOWNLOAD_CSP = (
    "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@require_safe
@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment_by_id(request.user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("file") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        # Served as opaque bytes: the stored type is informative only, never trusted to render.
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
