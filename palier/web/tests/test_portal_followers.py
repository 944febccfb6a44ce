"""Following a colleague's shared request: the buttons, the list filter, who is told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palier.lib.errors import NotAllowed
from palier.tickets.followers import do_follow_ticket
from palier.tickets.models import Ticket, TicketEvent, TicketFollower
from palier.tickets.queries import ticket_recipients
from palier.web.tests.helpers import open_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def shared(world):
    return open_request(world.contact_a2, "Colleague shared", visibility="shared")


def _page(client, ticket) -> str:
    return client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()


def _follow(client, ticket, value: str = "1"):
    return client.post(reverse("web:portal:follow", args=[ticket.pk]), {"follow": value})


def test_a_colleague_follows_a_shared_request_and_stops(client, world, shared):
    client.force_login(world.contact_a)
    assert 'id="follow-button"' in _page(client, shared)
    response = _follow(client, shared)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert 'id="unfollow-button"' in html and "You follow this request" in html
    assert TicketFollower.objects.filter(ticket=shared, user=world.contact_a).count() == 1
    _follow(client, shared)  # a double click keeps one row
    assert TicketFollower.objects.filter(ticket=shared).count() == 1

    _follow(client, shared, "0")
    assert not TicketFollower.objects.filter(ticket=shared).exists()
    assert 'id="follow-button"' in _page(client, shared)
    kinds = list(TicketEvent.objects.filter(ticket=shared, internal=True).values_list("kind"))
    assert kinds == [("followed",), ("unfollowed",)]


def test_the_requester_is_not_offered_to_follow_their_own_request(client, world, shared):
    client.force_login(world.contact_a2)
    assert 'id="follow-button"' not in _page(client, shared)
    _follow(client, shared)
    assert not TicketFollower.objects.exists()


def test_a_private_request_cannot_be_followed_by_a_colleague(client, world):
    private = open_request(world.contact_a2, "Colleague private", visibility="private")
    client.force_login(world.contact_a)
    assert _follow(client, private).status_code == 404
    with pytest.raises(NotAllowed) as refused:
        do_follow_ticket(private, acting_user=world.contact_a)
    assert refused.value.code == "not_shared_with_you"


def test_another_customers_contact_gets_404(client, world, shared):
    client.force_login(world.contact_b)
    assert _follow(client, shared).status_code == 404
    assert not TicketFollower.objects.exists()


def test_staff_cannot_follow_through_the_action(world, shared):
    with pytest.raises(NotAllowed):
        do_follow_ticket(shared, acting_user=world.agent)


def test_the_followed_filter_lists_only_followed_requests(client, world, shared):
    open_request(world.contact_a2, "Other shared", visibility="shared")
    open_request(world.contact_a, "My own")
    do_follow_ticket(shared, acting_user=world.contact_a)
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:requests"), {"show": "followed"}).content.decode()
    assert "Colleague shared" in html
    assert "Other shared" not in html and "My own" not in html
    mine = client.get(reverse("web:portal:requests"), {"show": "mine"}).content.decode()
    assert "My own" in mine and "Colleague shared" not in mine


def test_followed_list_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n in range(12):
        ticket = open_request(world.contact_a2, f"Shared {n}", visibility="shared")
        do_follow_ticket(ticket, acting_user=world.contact_a)
    client.force_login(world.contact_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("web:portal:requests"), {"show": "followed"})
    assert response.content.decode().count("Shared ") >= 12


def test_recipients_are_the_contact_then_followers_who_still_see_the_request(world, shared):
    do_follow_ticket(shared, acting_user=world.contact_a)
    do_follow_ticket(shared, acting_user=world.admin_a)
    assert ticket_recipients(shared) == [world.contact_a2, world.contact_a, world.admin_a]

    # Made private again (no action does it yet; an admin edit could): a plain colleague
    # drops out, the customer admin still sees it.
    Ticket.objects.filter(pk=shared.pk).update(visibility="private")
    shared.refresh_from_db()
    assert ticket_recipients(shared) == [world.contact_a2, world.admin_a]

    world.admin_a.is_active = False
    world.admin_a.save(update_fields=["is_active"])
    assert ticket_recipients(shared) == [world.contact_a2]


def test_recipients_cost_two_queries_whatever_the_number_of_followers(
    world, shared, django_assert_max_num_queries
):
    do_follow_ticket(shared, acting_user=world.contact_a)
    do_follow_ticket(shared, acting_user=world.admin_a)
    with django_assert_max_num_queries(2):
        assert len(ticket_recipients(shared)) == 3


def test_a_follower_replies_but_does_not_close_a_colleagues_request(client, world, shared):
    do_follow_ticket(shared, acting_user=world.contact_a)
    client.force_login(world.contact_a)
    html = _page(client, shared)
    assert 'id="reply"' in html and 'name="target"' not in html
    client.post(reverse("web:portal:status", args=[shared.pk]), {"target": "closed"})
    shared.refresh_from_db()
    assert shared.status != "closed"
    client.force_login(world.admin_a)
    assert 'value="closed"' in _page(client, shared)
