"""Colleagues who follow a shared request: they read it already, and are now told of it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.customers.models import Visibility
from palier.lib.errors import NotAllowed
from palier.tickets.actions import record_event
from palier.tickets.models import EventKind, Ticket, TicketFollower


def check_can_follow(ticket: Ticket, user: User) -> None:
    """A contact of the ticket's customer who sees it and is not its requester (who is told
    anyway). Callers fetch the ticket through access_ticket_by_id; this guards the action
    itself, so the API or a command cannot make a stranger a follower."""
    if not user.is_contact or not user.is_active:
        raise NotAllowed(_("Only contacts follow requests."), code="not_a_contact")
    if user.customer_id != ticket.customer_id or not (
        ticket.visibility == Visibility.SHARED or user.is_customer_admin
    ):
        raise NotAllowed(_("This request is not shared with you."), code="not_shared_with_you")
    if ticket.contact_id == user.pk:
        raise NotAllowed(
            _("You opened this request: you are told of its replies already."),
            code="own_request",
        )


@transaction.atomic
def do_follow_ticket(ticket: Ticket, *, acting_user: User) -> bool:
    """Follow the ticket; False when the user already followed it (a double click)."""
    check_can_follow(ticket, acting_user)
    # The ticket's row lock orders two clicks; the unique constraint is the last word.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _follower, created = TicketFollower.objects.get_or_create(ticket=locked, user=acting_user)
    if created:
        record_event(locked, EventKind.FOLLOWED, acting_user, internal=True)
    return created


@transaction.atomic
def do_unfollow_ticket(ticket: Ticket, *, acting_user: User) -> bool:
    """Stop following; always allowed, even once the request is no longer shared."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    deleted, _by_model = TicketFollower.objects.filter(ticket=locked, user=acting_user).delete()
    if deleted:
        record_event(locked, EventKind.UNFOLLOWED, acting_user, internal=True)
    return bool(deleted)


def is_following(ticket: Ticket, user: User) -> bool:
    return TicketFollower.objects.filter(ticket_id=ticket.pk, user_id=user.pk).exists()
