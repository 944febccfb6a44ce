"""Reads on tickets. Every read that a user makes goes through one of these gates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from palier.accounts.models import Role, User
from palier.customers.models import Customer, Visibility
from palier.lib.compiled import first_row
from palier.lib.pagination import Page, cursor_position, keyset_page, page_of_ids
from palier.lib.rows import one_or_none
from palier.tickets import search
from palier.tickets.models import (
    Attachment,
    Decision,
    Message,
    Ticket,
    TicketEvent,
    TicketFollower,
    reference_filter,
)
from palier.tickets.states import OPEN_STATUSES, Status


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Staff see every ticket; a customer admin their customer's; a contact their own and
    the ones shared with their organization."""
    qs = Ticket.objects.all()
    if user.is_staff_member:
        return qs
    if not user.is_active or user.customer_id is None:
        return qs.none()
    qs = qs.filter(customer_id=user.customer_id)
    if user.is_customer_admin:
        return qs
    return qs.filter(Q(contact_id=user.pk) | Q(visibility=Visibility.SHARED))


# The ids a bigint column holds: a larger one is no ticket (and no SQL parameter).
_MAX_ID = 2**63 - 1


def _visibility_shape(user: User) -> tuple[str, list] | None:
    """The shape of visible_tickets(user)'s condition and its parameters, in SQL order;
    None when it sees nothing."""
    if user.is_staff_member:
        return "staff", []
    if not user.is_active or user.customer_id is None:
        return None
    if user.is_customer_admin:
        return "customer", [user.customer_id]
    return "contact", [user.customer_id, user.pk, Visibility.SHARED.value]


def access_ticket_by_id(user: User, ticket_id: int) -> Ticket:
    def build() -> QuerySet[Ticket]:
        return (
            visible_tickets(user)
            .select_related(
                "customer",
                "contact",
                "module",
                "customization",
                "customization__module",
                "product_version",
                "decision",
                "assignee",
            )
            .filter(pk=ticket_id)
        )

    shape = _visibility_shape(user)
    if shape is None or not 0 < ticket_id <= _MAX_ID:
        ticket = one_or_none(build())
    else:
        # Compiled once per shape, and built only then: the select of eight relations cost
        # more to build than to run (lib.compiled).
        name, params = shape
        ticket = first_row(
            lambda: build().order_by()[:1], ("access_ticket", name), [*params, ticket_id]
        )
    if ticket is None:
        raise Http404("ticket")
    return ticket


QUEUES = {
    "level1": Q(level=1, status__in=OPEN_STATUSES - {Status.WITH_RND}),
    "level2": Q(level=2, status__in=OPEN_STATUSES),
    "rnd": Q(status__in=[Status.WITH_RND, Status.WAITING_PATCH]),
    "consent": Q(status=Status.AWAITING_CONSENT),
    "waiting": Q(status=Status.WAITING_CUSTOMER),
    "unassigned": Q(assignee__isnull=True, status__in=OPEN_STATUSES),
    "to_qualify": Q(type__isnull=True, status__in=OPEN_STATUSES),
    "refused": Q(status=Status.REFUSED),
    "open": Q(status__in=OPEN_STATUSES),
}


@dataclass
class TicketFilters:
    status: list[str] = field(default_factory=list)
    level: int | None = None
    type: str | None = None
    criticality: str | None = None
    customer_id: int | None = None
    module_id: int | None = None
    assignee_id: int | None = None
    queue: str | None = None
    mine: bool = False
    followed: bool = False  # the shared requests the (contact) user follows
    created_before: dt.datetime | None = None
    q: str = ""


def filter_tickets(user: User, filters: TicketFilters) -> QuerySet[Ticket]:
    qs = visible_tickets(user)
    if filters.queue:
        qs = qs.filter(QUEUES[filters.queue])
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.criticality:
        qs = qs.filter(criticality=filters.criticality)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.module_id:
        qs = qs.filter(module_id=filters.module_id)
    if filters.assignee_id:
        qs = qs.filter(assignee_id=filters.assignee_id)
    if filters.mine:
        qs = (
            qs.filter(assignee_id=user.pk)
            if user.is_staff_member
            else qs.filter(contact_id=user.pk)
        )
    if filters.followed:
        qs = qs.filter(followers__user_id=user.pk)
    if filters.created_before is not None:
        qs = qs.filter(created_at__lt=filters.created_before)
    if filters.q:
        by_reference = reference_filter(filters.q)
        if by_reference is not None:
            qs = qs.filter(by_reference)
        else:
            qs = search.filter_by_text(qs, filters.q, include_internal=user.is_staff_member)
    return qs


def list_tickets(
    user: User,
    filters: TicketFilters,
    *,
    sort: str = "-created",
    cursor: str | None = None,
    limit: int = 50,
    values: tuple[str, ...] = (),
) -> Page:
    """A page of the tickets `user` may see through `filters`: model instances, or dicts of
    the `values` fields (see keyset_page)."""
    # Everything ticket_out reads (str(customization) reads its module), so no row queries.
    # Rows read as `values` join what they name instead: the joins would only be copied
    # along with every clone of the queryset (a deep copy each time).
    related = (
        ()
        if values
        else (
            "customer",
            "contact",
            "module",
            "assignee",
            "customization__module",
            "product_version",
        )
    )
    qs = filter_tickets(user, filters)
    if related:  # select_related() with no names would follow every relation
        qs = qs.select_related(*related)
    if not filters.q or sort != "-created" or reference_filter(filters.q) is not None:
        return keyset_page(qs, sort=sort, cursor=cursor, limit=limit, late_rows=True, values=values)
    # Newest first by text: find the page's candidates apart from the ticket filters, then
    # read the page among them (see tickets.search); None when that cannot answer alone.
    unfiltered = filter_tickets(user, replace(filters, q=""))
    below_id = cursor_position(cursor, sort)[1] if cursor else None
    fallback = None
    if user.is_staff_member:
        # A common word matches tens of thousands of tickets: look among the newest matches
        # first, and search them all only when those do not fill the page. Without other
        # filters every match is a row of the page, so one page's worth is enough; with
        # them, four pages' worth (at most NEWEST_WINDOW) leaves room for the matches they
        # drop. The walk down the newest matches costs in proportion (PostgreSQL: ~1 µs a
        # ticket it passes).
        narrowed = replace(filters, q="") != TicketFilters()
        window = min(search.NEWEST_WINDOW, (4 if narrowed else 1) * (limit + 1))
        ids = search.newest_match_ids(
            filters.q, include_internal=True, limit=window + 1, below_id=below_id
        )
        if ids is not None and len(ids) > window:
            # The window is full: later matches may belong on the page, search them all.
            ids, fallback = ids[:window], qs
        if ids is not None and values and not narrowed:
            # Staff see every ticket: with no other filter the newest matches are the page.
            page = page_of_ids(Ticket, ids, sort=sort, limit=limit, values=values, using=qs.db)
            if page is not None:
                return page
    else:
        # A contact: their few tickets are seldom among the desk's newest matches, so walk
        # their own tickets newest first instead (PostgreSQL, several words).
        ids = search.newest_visible_match_ids(
            unfiltered, filters.q, limit=limit + 1, below_id=below_id
        )
    if ids is None:
        return keyset_page(qs, sort=sort, cursor=cursor, limit=limit, late_rows=True, values=values)
    candidates = search.with_ids(unfiltered, ids)
    return keyset_page(
        candidates.select_related(*related) if related else candidates,
        sort=sort,
        cursor=cursor,
        limit=limit,
        late_rows=True,
        fallback=fallback,
        values=values,
    )


def ticket_messages(user: User, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    return qs if user.is_staff_member else qs.filter(internal=False)


def ticket_attachments(user: User, ticket: Ticket) -> QuerySet[Attachment]:
    qs = ticket.attachments.all()
    return qs if user.is_staff_member else qs.filter(internal=False)


def ticket_history(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    qs = ticket.events.select_related("actor")
    return qs if user.is_staff_member else qs.filter(internal=False)


def customer_language(customer: Customer, contact: User | None = None) -> str:
    """The language a person of `customer` reads the desk in, and a new ticket takes (by
    every channel: portal, API, mail, import): theirs (`contact`), else their customer's,
    else the desk's (LANGUAGE_CODE). Never empty: an empty language would keep whichever
    one was active."""
    return (
        (contact.language if contact is not None else "")
        or customer.language
        or settings.LANGUAGE_CODE
    )


def ticket_customer_language(ticket: Ticket, contact: User | None = None) -> str:
    """The language a person of the customer reads this ticket in (its pages, its mails,
    its survey): theirs (`contact`, by default the ticket's contact), else the ticket's own
    (`customer_language` when it was opened), else as for a new ticket."""
    if contact is None:
        contact = ticket.contact
    if contact is not None and contact.language:
        return contact.language
    return ticket.language or customer_language(ticket.customer)


def ticket_decisions(ticket: Ticket) -> QuerySet[Decision]:
    return ticket.decisions.select_related("decided_by")


def access_attachment_by_id(user: User, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.filter(pk=attachment_id, ticket__in=visible_tickets(user))
        .select_related("ticket")
        .first()
    )
    if attachment is None or (attachment.internal and not user.is_staff_member):
        raise Http404("attachment")
    return attachment


def ticket_recipients(ticket: Ticket) -> list[User]:
    """Who is told of the ticket's public replies: its contact, then the followers who may
    still see it (active contacts of its customer; a customer admin sees private requests
    too). A follower who left the company, or a request made private again, drops out
    without anyone unfollowing. Two queries at most, whatever the number of followers."""
    contact = ticket.contact
    recipients: list[User] = [contact] if contact is not None and contact.is_active else []
    sees_it = Q(user__is_customer_admin=True)
    if ticket.visibility == Visibility.SHARED:
        sees_it |= Q(user__is_customer_admin=False)
    followers = (
        TicketFollower.objects.filter(
            sees_it,
            ticket_id=ticket.pk,
            user__is_active=True,
            user__role=Role.CONTACT,
            user__customer_id=ticket.customer_id,
        )
        .exclude(user_id=ticket.contact_id)
        .select_related("user")
        .order_by("created_at", "id")
    )
    recipients.extend(f.user for f in followers)
    return recipients
