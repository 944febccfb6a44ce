"""Writes of the agent workspace: saved views and presence heartbeats."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.tickets.models import Ticket
from palier.workspace.models import SavedView, TicketPresence

# Only filter parameters are kept: a cursor would pin the view to one page.
VIEW_PARAMETERS = (
    "queue",
    "q",
    "customer",
    "module",
    "type",
    "criticality",
    "status",
    "age",
    "sort",
    "assignee",
)


def clean_query(params: dict[str, list[str]]) -> str:
    pairs = [(key, value) for key in VIEW_PARAMETERS for value in params.get(key, []) if value]
    return urlencode(pairs)


def _check_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotAllowed(_("Only the support team has a workspace."))


@transaction.atomic
def do_save_view(*, acting_user: User, name: str, query: str, shared: bool = False) -> SavedView:
    """Save a queue filter under a name, replacing the user's own view of that name."""
    _check_staff(acting_user)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the view a name."), code="name_required")
    query = clean_query(parse_qs(query))
    if len(query) > 1000:
        raise DomainError(_("This filter is too long to save."), code="query_too_long")
    try:
        view, _created = SavedView.objects.update_or_create(
            owner=acting_user, name=name[:80], defaults={"shared": shared, "query": query}
        )
    except IntegrityError as exc:  # two saves of the same name at once
        raise Conflict(_("A view of this name was just saved; try again.")) from exc
    return view


@transaction.atomic
def do_delete_view(view: SavedView, *, acting_user: User) -> None:
    if view.owner_id != acting_user.pk:
        raise NotAllowed(_("Only its owner can delete a view."))
    view.delete()


def do_heartbeat(ticket: Ticket, *, acting_user: User, now: dt.datetime | None = None) -> None:
    """Note that a staff member has the ticket open. Not a ticket change: no event."""
    _check_staff(acting_user)
    TicketPresence.objects.update_or_create(
        ticket=ticket, user=acting_user, defaults={"last_seen": now or timezone.now()}
    )
