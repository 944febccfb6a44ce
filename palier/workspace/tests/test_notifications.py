"""Notifications come from ticket events through the outbox, once, to the right person."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from palier.mailgateway.models import OutboundMessage
from palier.ops.outbox import drain
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message, do_assign, record_event
from palier.workspace.models import Notification
from palier.workspace.notifications import (
    DIGEST_HOUR,
    describe,
    do_mark_read,
    do_set_digest,
    mentioned_usernames,
    send_digests,
    unread_count,
)


def kinds(user):
    """The user's notifications, newest first, once the worker has run the outbox (the
    test's transaction never commits, so its events wait for it as in production)."""
    drain()
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_assignment_and_customer_reply_tell_the_assignee_not_the_one_who_acted(world):
    ticket = make_ticket(world.contact_a)
    do_assign(ticket, world.agent, acting_user=world.manager)
    do_assign(ticket, world.manager, acting_user=world.manager)  # to themselves: no news
    do_assign(ticket, world.agent, acting_user=world.manager)
    do_add_message(ticket, acting_user=world.contact_a, body="Any news?")
    assert kinds(world.agent) == ["customer_replied", "assigned", "assigned"]
    assert kinds(world.manager) == []


def test_a_note_tells_each_colleague_it_names(world):
    ticket = make_ticket(world.contact_a)
    do_add_message(
        ticket,
        acting_user=world.agent,
        internal=True,
        body="@marc.consultant can you price this? cc @Maria.Manager, @nobody, @lena.agent",
    )
    assert kinds(world.consultant) == ["mention"] and kinds(world.manager) == ["mention"]
    assert kinds(world.agent) == []  # the writer
    do_add_message(ticket, acting_user=world.agent, body="Mail me at help@marc.consultant")
    assert kinds(world.consultant) == ["mention"]  # a public reply, and no mention anyway


def test_mentions_are_usernames_after_an_at_sign():
    assert mentioned_usernames("@lena.agent. see mail@x.ch and @ravi.rnd") == [
        "lena.agent",
        "ravi.rnd",
    ]


def test_service_warnings_and_consent_answers_reach_the_assignee(world):
    ticket = make_ticket(world.contact_a)
    do_assign(ticket, world.consultant, acting_user=world.manager)
    record_event(ticket, "sla_warning", None, internal=True, field="resolution")
    record_event(ticket, "estimate_declined", world.contact_a, data={})
    drain()
    Notification.objects.filter(kind="assigned").delete()
    assert sorted(kinds(world.consultant)) == ["consent_answered", "sla_warning"]
    texts = [describe(n) for n in Notification.objects.order_by("id")]
    assert texts == [
        f"{ticket.reference} is close to a service target.",
        f"The estimate on {ticket.reference} was declined.",
    ]


def test_read_and_unread(world, django_assert_max_num_queries):
    ticket = make_ticket(world.contact_a)
    do_assign(ticket, world.agent, acting_user=world.manager)
    do_add_message(ticket, acting_user=world.contact_a, body="Hello?")
    drain()
    with django_assert_max_num_queries(1):
        assert unread_count(world.agent) == 2
    first = Notification.objects.filter(recipient=world.agent).last()
    assert do_mark_read(world.consultant, [first.pk]) == 0  # not theirs
    assert do_mark_read(world.agent, [first.pk]) == 1
    assert unread_count(world.agent) == 1
    do_mark_read(world.agent)
    assert unread_count(world.agent) == 0


def test_the_daily_digest_goes_once_a_day_to_who_asked_in_their_language(world, settings):
    world.agent.language = "fr"
    world.agent.save(update_fields=["language"])
    ticket = make_ticket(world.contact_a)
    do_assign(ticket, world.agent, acting_user=world.manager)
    do_assign(make_ticket(world.contact_a), world.consultant, acting_user=world.manager)
    do_set_digest(world.agent, daily_digest=True)
    drain()
    # The next 6:00 and 7:00 to come, whatever the hour the test runs: a first digest covers
    # the day before it, which must hold the notifications made just now (at 0:30, "tomorrow
    # 8:00" left them out).
    local = timezone.localtime()
    morning = local.replace(hour=DIGEST_HOUR - 1, minute=0)
    if local.hour >= DIGEST_HOUR:
        morning += dt.timedelta(days=1)
    assert send_digests(morning) == 0  # before 7:00
    later = morning.replace(hour=DIGEST_HOUR)
    assert send_digests(later) == 1
    assert send_digests(later + dt.timedelta(hours=3)) == 0  # once a day
    mail = OutboundMessage.objects.get(kind="digest")
    assert mail.recipient == world.agent.email
    assert mail.subject == "Votre résumé quotidien du support"
