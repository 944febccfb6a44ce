"""Write the audit log: `record_change` from actions, `origin` from the request or command.

Actions call `record_change(...)` inside their transaction, so the row commits or rolls back
with the change. Where the change came from (channel and address) is set once per request by
`palier.audit.middleware.AuditOriginMiddleware`, and by commands with `origin(...)`.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models, transaction

from palier.audit.models import AuditEntry, Channel


@dataclass(frozen=True)
class Origin:
    channel: str
    address: str | None = None


# Origin is frozen, so sharing the default is safe.
_origin: ContextVar[Origin] = ContextVar(
    "palier_audit_origin",
    default=Origin(Channel.COMMAND),  # noqa: B039
)


@contextlib.contextmanager
def origin(channel: str, address: str | None = None) -> Iterator[None]:
    """Changes recorded inside this block came through `channel`, from `address`."""
    token = _origin.set(Origin(channel, address))
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> Origin:
    return _origin.get()


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# Never copied into the log: a hash is still a secret.
SECRET_FIELDS = frozenset({"password", "key_hash", "link_nonce"})


def _audited(field: models.Field) -> bool:
    # The row's id is the entry's object_id; time stamps the database keeps are no one's change.
    return not (
        field.primary_key
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or field.name in SECRET_FIELDS
    )


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A record's values as JSON-friendly data (foreign keys as their ids).

    Without `fields`: every concrete field but time stamps, the primary key and secrets.
    """
    if fields is None:
        fields = [f.attname for f in obj._meta.concrete_fields if _audited(f)]
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(
    action: str,
    obj: models.Model,
    *,
    acting_user,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry | None:
    """Append one audit row; only the fields that differ are kept of `before` and `after`.

    A change that changes nothing (an update whose values are all the same) writes no row.
    """
    if before is not None and after is not None:
        keys = [k for k in after if before.get(k) != after.get(k)]
        if not keys:
            return None
        before = {k: before.get(k) for k in keys}
        after = {k: after[k] for k in keys}
    where = current_origin()
    actor = acting_user if getattr(acting_user, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=str(actor) if actor else "",
        channel=where.channel,
        address=where.address,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )


def update_recorded(
    action: str, rows: models.QuerySet, *, acting_user, **values: object
) -> list[models.Model]:
    """A person's decision over several rows (an admin action): the rows of `rows` locked,
    set to `values` in one UPDATE, and each change kept in the log with who took it (the
    values before and after). The rows as they were, for what the caller does next."""
    with transaction.atomic():
        found = list(rows.select_for_update())
        rows.model.objects.filter(pk__in=[row.pk for row in found]).update(**values)
        for row in found:
            record_change(
                action,
                row,
                acting_user=acting_user,
                before={name: getattr(row, name) for name in values},
                after=dict(values),
            )
    return found
