"""Bringing a desk's JSON Lines export into an empty desk.

One transaction: a restore that fails half-way leaves the desk as empty as it was. Records
keep their ids (every link stays right); sequences then continue after them, and the
full-text index is rebuilt from the tickets and their messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.customers.models import Customer
from palier.exports.models_list import EXCLUDED_FIELDS, desk_models, fields_of, m2m_of
from palier.lib.bulk import insert_rows
from palier.lib.errors import DomainError
from palier.tickets.models import Ticket

BATCH = 1000


class NotEmpty(DomainError):
    code = "desk_not_empty"
    status = 409


def check_empty() -> None:
    if User.objects.exists() or Customer.objects.exists() or Ticket.objects.exists():
        raise NotEmpty(
            _("This desk already has people, customers or tickets: restore into an empty desk.")
        )


def _records(stream: IO[str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DomainError(
                _("Line %(line)s is not JSON: %(error)s") % {"line": number, "error": exc.msg},
                code="invalid_export",
            ) from exc
        if "palier_export" in record:
            continue
        yield number, record


def restore(stream: IO[str], *, progress: Callable[[int, int], None] | None = None) -> dict:
    """Insert every record of the export; returns how many of each kind."""
    check_empty()
    known = {m._meta.label_lower: m for m in desk_models()}
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model in reversed(desk_models()):
            model._default_manager.all().delete()  # what migrations seed (service tiers)
        batch: list[dict] = []
        current: type[models.Model] | None = None
        for number, record in _records(stream):
            model = known.get(record.get("model", ""))
            if model is None:
                raise DomainError(
                    _("Line %(line)s: records of “%(model)s” are not part of a desk.")
                    % {"line": number, "model": record.get("model")},
                    code="invalid_export",
                )
            if model is not current or len(batch) >= BATCH:
                _flush(current, batch)
                counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0)
                current, batch = model, []
            batch.append(record)
            counts[model._meta.label_lower] += 1
        _flush(current, batch)
        _reset_sequences([apps.get_model(label) for label in counts])
        from palier.exports.reindex import reindex_all

        reindex_all(progress=progress)
    return counts


def _flush(model: type[models.Model] | None, batch: list[dict]) -> None:
    if model is None or not batch:
        return
    fields = fields_of(model)
    pk = model._meta.pk
    rows = []
    for record in batch:
        data = record["fields"]
        values = [pk.to_python(record["pk"])]
        for f in fields:
            raw = data.get(f.name)
            values.append(None if raw is None else _value(f, raw))
        rows.append(values)
    names = [pk.attname] + [f.attname for f in fields]
    skipped = EXCLUDED_FIELDS.get(model._meta.label_lower, set())
    if "password" in skipped:
        names.append("password")
        for row in rows:
            row.append("!restored")  # no password: each person gets an invitation
    insert_rows(model, names, rows)
    for f in m2m_of(model):
        through = f.remote_field.through
        source = f.m2m_field_name()
        target = f.m2m_reverse_field_name()
        links = [
            (pk.to_python(r["pk"]), other) for r in batch for other in r["fields"].get(f.name) or []
        ]
        insert_rows(
            through,
            [through._meta.get_field(source).attname, through._meta.get_field(target).attname],
            links,
        )


def _value(field: models.Field, raw):
    if isinstance(field, models.JSONField):
        return raw
    if isinstance(field, models.BinaryField):
        import base64

        return base64.b64decode(raw)
    if field.is_relation:
        return field.target_field.to_python(raw)
    return field.to_python(raw)


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    through = [f.remote_field.through for m in models_ for f in m2m_of(m)]
    statements = connection.ops.sequence_reset_sql(no_style(), [*models_, *through])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
