"""The whole desk out, for managers: JSON Lines (restorable) or CSV files in a ZIP."""

from __future__ import annotations

import tempfile
from enum import StrEnum

from django.http import FileResponse, StreamingHttpResponse
from ninja import Router

from palier.api.schemas import ERRORS
from palier.exports.actions import do_record_export
from palier.exports.desk import jsonl_lines, write_csv_zip

router = Router(tags=["export"])


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


DOWNLOAD = {
    200: {
        "description": (
            'JSON Lines: one record a line, {"model", "pk", "fields"}, each after the '
            "records it points to (restore with `palier import desk FILE`); CSV: a ZIP with one "
            "CSV file per kind of record, cells safe against spreadsheet formulas."
        ),
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/export", response=ERRORS, openapi_extra={"responses": DOWNLOAD})
def export_desk(request, format: ExportFormat = ExportFormat.JSONL):  # noqa: A002
    """Export the whole desk (managers): customers, contracts, people without passwords,
    tickets with messages and decisions, time, invoices."""
    do_record_export(acting_user=request.auth, fmt=format.value)
    if format == ExportFormat.CSV:
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
        write_csv_zip(spool)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename="palier-export.zip", content_type="application/zip"
        )
    response = StreamingHttpResponse(
        (line.encode() for line in jsonl_lines()), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = 'attachment; filename="palier-export.jsonl"'
    return response
