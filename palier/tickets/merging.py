"""Merging a duplicate request into the one that carries on.

The duplicate is closed with a public pointer to the other request (its contact is told,
in the request's language); the request that carries on gets an internal note with what
the duplicate said. Nothing is deleted: both conversations stay where they were written.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.errors import DomainError, NotAllowed
from palier.tickets.actions import do_add_message, do_transition, record_event
from palier.tickets.models import Ticket
from palier.tickets.states import Status, check_transition


@transaction.atomic
def do_merge_tickets(
    source: Ticket,
    target: Ticket,
    *,
    acting_user: User,
    now: dt.datetime | None = None,
) -> Ticket:
    """Merge `source` into `target` (both open, of one customer); returns the closed source."""
    if not acting_user.is_staff_member:
        raise NotAllowed(_("Only the support team can merge requests."))
    if source.pk == target.pk:
        raise DomainError(_("A request cannot be merged into itself."), code="merge_same")
    # Lock both rows in one order, so that two merges of the same pair cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .select_related("customer")
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.customer_id != target.customer_id:
        raise DomainError(
            _("Only requests of the same customer can be merged."),
            code="merge_other_customer",
        )
    if not (source.is_open and target.is_open):
        raise DomainError(_("Only open requests can be merged."), code="merge_not_open")
    check_transition(source.status, Status.CLOSED, "staff")
    note = _("Merged from %(reference)s “%(subject)s”:") % {
        "reference": source.reference,
        "subject": source.subject,
    }
    do_add_message(
        target,
        acting_user=acting_user,
        body=f"{note}\n\n{source.description}".strip(),
        internal=True,
        now=now,
    )
    record_event(
        target,
        "merged_from",
        acting_user,
        field="ticket",
        to_value=source.reference,
        internal=True,
        data={"ticket_id": source.pk},
    )
    record_event(
        source,
        "merged",
        acting_user,
        field="ticket",
        to_value=target.reference,
        data={"ticket_id": target.pk},
    )
    with translation.override(source.language):
        reason = _("Merged into %(reference)s; the conversation goes on there.") % {
            "reference": target.reference
        }
    return do_transition(source, Status.CLOSED, acting_user=acting_user, reason=reason, now=now)
