import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from palier.billing.actions import do_propose_estimate
from palier.billing.links import consent_url, make_token
from palier.billing.tests.helpers import open_ticket
from palier.tickets.models import Ticket


@pytest.fixture
def estimate(world):
    from decimal import Decimal

    ticket = open_ticket(world.customer_a, world.contact_a)
    return do_propose_estimate(
        ticket, acting_user=world.consultant, hours=Decimal("6"), text="Add the column."
    )


@pytest.mark.django_db
def test_the_signed_link_accepts_once_without_login(world, estimate):
    token = make_token(estimate)
    response = Client().post(
        f"/api/v1/consent-links/{token}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["decided_via"] == "link"
    assert response.json()["decided_by"]["id"] == world.contact_a.pk
    assert Ticket.objects.get(pk=estimate.ticket_id).status == "in_progress"
    again = Client().post(
        f"/api/v1/consent-links/{token}/decline", {}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "consent_link_used"


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_changes_nothing(world, estimate):
    token = make_token(estimate)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = Client().post(
            f"/api/v1/consent-links/{token}/accept", {}, content_type="application/json"
        )
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "consent_link_expired"
    estimate.refresh_from_db()
    assert estimate.status == "proposed" and estimate.link_used_at is None


@pytest.mark.django_db
def test_a_tampered_link_or_a_replaced_estimate_is_not_found(world, estimate):
    token = make_token(estimate)
    assert (
        Client()
        .post(f"/api/v1/consent-links/{token[:-2]}xx/accept", {}, content_type="application/json")
        .status_code
        == 404
    )
    from decimal import Decimal

    do_propose_estimate(
        estimate.ticket, acting_user=world.consultant, hours=Decimal("3"), text="Smaller."
    )
    response = Client().post(
        f"/api/v1/consent-links/{token}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "estimate_not_pending"


@pytest.mark.django_db
def test_declining_by_link_closes_the_ticket_with_the_reason(world, estimate):
    response = Client().post(
        f"/api/v1/consent-links/{make_token(estimate)}/decline",
        {"reason": "Not now"},
        content_type="application/json",
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get(pk=estimate.ticket_id)
    assert ticket.status == "declined"
    assert ticket.events.get(kind="estimate_declined").reason == "Not now"


@pytest.mark.django_db
def test_the_consent_url_is_absolute_and_opens_a_confirmation_page(world, estimate):
    url = consent_url(estimate)
    assert url.startswith("http") and "/billing/consent/" in url


@pytest.mark.django_db
def test_the_mail_handler_gets_the_link_of_a_waiting_estimate_only(world, estimate):
    from palier.billing.links import consent_url_for_event
    from palier.tickets.models import TicketEvent

    event = TicketEvent.objects.get(ticket=estimate.ticket, kind="consent_requested")
    url = consent_url_for_event(event)
    from palier.billing.links import estimate_from_token

    assert url is not None and "/billing/consent/" in url
    assert estimate_from_token(url.rstrip("/").rsplit("/", 1)[1]) == estimate
    from palier.billing.actions import do_decide_estimate

    do_decide_estimate(estimate, accept=True, acting_user=world.contact_a, via="portal")
    assert consent_url_for_event(event) is None


@pytest.mark.django_db
def test_the_signed_link_declines_without_a_body_as_it_accepts(world, estimate):
    token = make_token(estimate)
    response = Client().post(
        f"/api/v1/consent-links/{token}/decline", "", content_type="application/json"
    )  # "": no body at all (None sends {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    assert Ticket.objects.get(pk=estimate.ticket_id).status == "declined"
