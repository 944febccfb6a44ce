"""The whole desk out (JSON Lines, or CSV files in a ZIP) and back into an empty desk.

JSON Lines is Django's own serialization shape, one record a line:
{"model": "tickets.ticket", "pk": 12, "fields": {"customer": 3, "subject": ..., ...}}
(a foreign key is the other record's id; a many-to-many field the list of ids), in an order
where each record comes after what it points to. Dates keep their microseconds, so a desk
exported, restored and exported again gives the same file. The CSV form has one file per
kind of record, with cells a spreadsheet opens as text (lib/spreadsheet.py).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from typing import IO

from django.db import models

from palier.exports.models_list import desk_models, fields_of, m2m_of
from palier.lib.spreadsheet import safe_text

FORMAT_VERSION = 1
CHUNK = 2000


def plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "name") and isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _rows(model: type[models.Model]) -> Iterator[dict]:
    fields = fields_of(model)
    m2m = m2m_of(model)
    qs = model._default_manager.order_by("pk")
    if m2m:
        qs = qs.prefetch_related(*(f.name for f in m2m))
    last = None
    while True:
        page = list((qs.filter(pk__gt=last) if last is not None else qs)[:CHUNK])
        if not page:
            return
        for obj in page:
            values = {}
            for f in fields:
                raw = getattr(obj, f.attname)
                values[f.name] = plain(raw)
            for f in m2m:
                values[f.name] = sorted(o.pk for o in getattr(obj, f.name).all())
            yield {"model": model._meta.label_lower, "pk": plain(obj.pk), "fields": values}
        last = page[-1].pk


def jsonl_lines() -> Iterator[str]:
    """The desk as JSON Lines, one record a line (a first line says what the file is)."""
    head = {"palier_export": FORMAT_VERSION, "models": [m._meta.label_lower for m in desk_models()]}
    yield json.dumps(head, sort_keys=True) + "\n"
    for model in desk_models():
        for row in _rows(model):
            yield json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n"


def write_jsonl(out: IO[str]) -> int:
    count = -1
    for line in jsonl_lines():
        out.write(line)
        count += 1
    return count


def write_csv_zip(out: IO[bytes]) -> int:
    """One CSV file per kind of record, in a ZIP; cells safe against spreadsheet formulas."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in desk_models():
            names = ["id"] + [f.name for f in fields_of(model)] + [f.name for f in m2m_of(model)]
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(names)
            for row in _rows(model):
                cells = [row["pk"], *(row["fields"][n] for n in names[1:])]
                writer.writerow([_cell(c) for c in cells])
                count += 1
            archive.writestr(f"{model._meta.label_lower}.csv", "\ufeff" + text.getvalue())
    return count


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = (
            "|".join(str(v) for v in value)
            if all(isinstance(v, int) for v in value)
            else json.dumps(value, ensure_ascii=False)
        )
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    return safe_text(value)
