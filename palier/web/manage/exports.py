"""The managers' export screen: the whole desk as JSON Lines or as CSV files in a ZIP."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from palier.exports.actions import do_record_export
from palier.exports.desk import jsonl_lines, write_csv_zip
from palier.exports.models_list import desk_models
from palier.web.access import manager_required


@manager_required
def export_page(request: HttpRequest) -> HttpResponse:
    labels = [str(m._meta.verbose_name_plural) for m in desk_models()]
    return render(request, "web/manage/export.html", {"section": "export", "labels": labels})


@manager_required
@require_POST
def export_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("jsonl", "csv"):
        raise Http404("format")
    do_record_export(acting_user=request.user, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
        write_csv_zip(spool)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=f"palier-export-{stamp}.zip",
            content_type="application/zip",
        )  # fmt: skip
    response = StreamingHttpResponse(
        (line.encode() for line in jsonl_lines()), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = f'attachment; filename="palier-export-{stamp}.jsonl"'
    return response
