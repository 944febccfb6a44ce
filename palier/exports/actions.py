"""Exporting the desk is a manager's act, recorded in the audit log."""

from __future__ import annotations

from django.db import transaction

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change


@transaction.atomic
def do_record_export(*, acting_user: User, fmt: str) -> None:
    """Check the right to export and note who took the desk's data, in which form."""
    check_allowed(acting_user, Permission.DATA_EXPORT)
    record_change("desk.exported", acting_user, acting_user=acting_user, after={"format": fmt})
