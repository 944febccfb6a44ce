"""Reads of the agent workspace: queue counts, saved views, presence, a customer's facts,
teams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import User
from palier.customers.models import Contract, Customer, Customization, Installation
from palier.customers.queries import governing_contract
from palier.lib.compiled import all_rows
from palier.tickets.models import Ticket
from palier.tickets.queries import QUEUES
from palier.tickets.states import OPEN_STATUSES
from palier.workspace.models import SavedView, Team, TicketPresence, TicketTag

# Seen within this delay counts as "on the page": the page beats every 20 s.
PRESENCE_WINDOW = dt.timedelta(seconds=60)

QUEUE_LABELS: dict[str, Any] = {
    "level1": _("Level 1"),
    "level2": _("Level 2"),
    "rnd": _("With R&D"),
    "consent": _("Awaiting consent"),
    "waiting": _("Waiting for customer"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "to_qualify": _("To qualify"),
    "open": _("All open"),
    "refused": _("Refused attempts"),
}


def agent_queues(user: User) -> list[str]:
    """The queues a staff member sees; refused attempts are the managers'."""
    names = [name for name in QUEUE_LABELS if name != "refused"]
    if user.is_manager:
        names.append("refused")
    return names


def queue_condition(user: User, name: str) -> Q:
    if name == "mine":
        return Q(assignee_id=user.pk, status__in=OPEN_STATUSES)
    return QUEUES[name]


def visible_saved_views(user: User) -> QuerySet[SavedView]:
    """A staff member's own views and the team's shared ones."""
    if not user.is_staff_member:
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def access_saved_view_by_id(user: User, view_id: int) -> SavedView:
    view = visible_saved_views(user).filter(pk=view_id).first()
    if view is None:
        raise Http404("saved view")
    return view


def others_on_ticket(ticket: Ticket, user: User, now: dt.datetime | None = None) -> list[User]:
    """Staff who had the ticket open within the presence window, except `user`."""
    since = (now or timezone.now()) - PRESENCE_WINDOW
    rows = (
        TicketPresence.objects.filter(ticket=ticket, last_seen__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("-last_seen")
    )
    return [row.user for row in rows]


@dataclass
class CustomerFacts:
    contract: Contract | None
    contract_active: bool
    contract_status: str  # "active", "expired", "not_started" or the contract's state
    customizations: list[Customization]
    installations: list[Installation]
    recent_tickets: list[Ticket]


def _recent_tickets(customer_id: int, exclude_id: int | None) -> QuerySet[Ticket]:
    # The panel lists reference, subject and status: not the descriptions of five tickets.
    recent = (
        Ticket.objects.filter(customer_id=customer_id)
        .order_by("-id")
        .only("id", "created_at", "subject", "status")
    )
    if exclude_id is not None:
        recent = recent.exclude(pk=exclude_id)
    return recent[:5]


def customer_facts(customer: Customer, *, exclude: Ticket | None = None) -> CustomerFacts:
    """What the side panel of a ticket shows about its customer (a fixed 4 queries, each
    compiled once: the ORM spent longer composing them than the database answering)."""
    today = timezone.localdate()
    contract = governing_contract(customer, today)
    exclude_id = None if exclude is None else exclude.pk
    recent_params = [customer.pk] if exclude_id is None else [customer.pk, exclude_id]
    status = contract.state if contract else ""
    if contract and status == "active":
        if today > contract.end:
            status = "expired"
        elif today < contract.start:
            status = "not_started"
    return CustomerFacts(
        contract=contract,
        contract_active=bool(contract and contract.is_active_on(today)),
        contract_status=status,
        customizations=all_rows(
            ("facts_customizations",),
            [customer.pk],
            lambda: customer.customizations.select_related("module"),
            known={"customer": customer},
        ),
        installations=all_rows(
            ("facts_installations",),
            [customer.pk],
            lambda: customer.installations.select_related("version", "version__product"),
            known={"customer": customer},
        ),
        recent_tickets=all_rows(
            ("facts_recent", exclude_id is None),
            recent_params,
            lambda: _recent_tickets(customer.pk, exclude_id),
        ),
    )


def teams_of(user: User) -> QuerySet[Team]:
    """The teams a staff member belongs to (a lead is always a member)."""
    if not user.is_staff_member:
        return Team.objects.none()
    return Team.objects.filter(members=user)


def team_member_ids(team: Team) -> list[int]:
    return list(team.members.values_list("pk", flat=True))


def teammate_ids(user: User) -> set[int]:
    """Everyone who shares a team with `user`, `user` included (one query)."""
    ids = set(User.objects.filter(teams__members=user).values_list("pk", flat=True))
    return ids | {user.pk}


def usernames_to_names(usernames: set[str]) -> dict[str, str]:
    """People's names for the usernames a history names (one query, none if no name)."""
    if not usernames:
        return {}
    people = User.objects.filter(username__in=usernames).only("username", "first_name", "last_name")
    return {p.username: str(p) for p in people}


def ticket_tags(ticket: Ticket) -> list[str]:
    return list(
        TicketTag.objects.filter(ticket=ticket)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )


@dataclass
class TimeSummary:
    billable_minutes: int
    included_minutes: int
    estimate: Any  # the state of the latest estimate, in words ("" without one)


def ticket_time_summary(ticket: Ticket) -> TimeSummary:
    """Time logged on a ticket and its latest estimate's state: one statement of three
    indexed look-ups (written out: the ORM spent longer composing it than the database
    reading it)."""
    from palier.billing.models import Estimate, EstimateStatus, TimeEntry

    entries, estimates = TimeEntry._meta.db_table, Estimate._meta.db_table
    sql = (
        f"SELECT (SELECT SUM(minutes) FROM {entries} WHERE ticket_id = %s AND billable = %s),"
        f" (SELECT SUM(minutes) FROM {entries} WHERE ticket_id = %s AND billable = %s),"
        f" (SELECT status FROM {estimates} WHERE ticket_id = %s ORDER BY id DESC LIMIT 1)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ticket.pk, True, ticket.pk, False, ticket.pk])
        billable, included, status = cursor.fetchone()
    return TimeSummary(
        int(billable or 0), int(included or 0), EstimateStatus(status).label if status else ""
    )
