"""Reads of stored mail: staff only (a raw message may hold any customer's data)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.errors import NotAllowed
from palier.mailgateway.models import Outcome, RawMessage, RawState

LIST_FIELDS = (
    "id",
    "state",
    "outcome",
    "error_code",
    "error",
    "sender",
    "subject",
    "source",
    "received_at",
    "attempts",
    "ticket_id",
    "size",
    "message_id",
    "reused_message_id",
)


def _check_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotAllowed(_("Only the support team sees the mail quarantine."))


def quarantined_messages(user: User, *, error_code: str = "") -> QuerySet[RawMessage]:
    _check_staff(user)
    qs = RawMessage.objects.filter(state=RawState.QUARANTINED).only(*LIST_FIELDS)
    return qs.filter(error_code=error_code) if error_code else qs


def unmatched_records(user: User) -> QuerySet[RawMessage]:
    """Automatic replies and delivery reports kept without a ticket to note them on."""
    _check_staff(user)
    return RawMessage.objects.filter(
        state=RawState.PROCESSED,
        outcome__in=[Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.DROPPED_OWN],
        ticket__isnull=True,
    ).only(*LIST_FIELDS)


def access_raw_message_by_id(user: User, raw_id: int) -> RawMessage:
    if not user.is_staff_member:
        raise Http404("message")
    raw = RawMessage.objects.filter(pk=raw_id).first()
    if raw is None:
        raise Http404("message")
    return raw
