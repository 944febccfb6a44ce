"""A deactivated person keeps their history and loses every session and token at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from palier.accounts.actions import do_create_token
from palier.accounts.models import ApiToken
from palier.people.actions import do_deactivate, do_reactivate
from palier.testing.factories import make_ticket
from palier.tickets.models import Ticket
from palier.web.ratelimit import limit_cache

pytestmark = pytest.mark.django_db


def _signed_in(identifier: str) -> Client:
    client = Client()
    response = client.post(
        reverse("web:login"), {"username": identifier, "password": "palier-demo"}
    )
    assert response.status_code == 302
    return client


def test_deactivation_ends_every_session_and_token_at_once(world):
    limit_cache().clear()
    browser_1, browser_2 = _signed_in("anna.a"), _signed_in("ANNA.A@example.com")
    _token, raw = do_create_token(world.contact_a, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for browser in (browser_1, browser_2):
        assert browser.get(reverse("web:portal:home")).status_code == 200
    assert api.get("/api/v1/tickets").status_code == 200

    from palier.accounts.models import UserSession

    assert UserSession.objects.filter(user=world.contact_a).count() == 2
    do_deactivate(world.contact_a, acting_user=world.manager)
    assert not UserSession.objects.filter(user=world.contact_a).exists()

    for browser in (browser_1, browser_2):
        response = browser.get(reverse("web:portal:home"))
        assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert api.get("/api/v1/tickets").status_code == 401
    assert not ApiToken.objects.filter(user=world.contact_a, revoked_at__isnull=True).exists()
    assert (
        Client()
        .post(reverse("web:login"), {"username": "anna.a", "password": "palier-demo"})
        .status_code
        == 200
    )  # the form again: no way in


def test_a_deactivated_contact_keeps_their_tickets_and_messages(world):
    ticket = make_ticket(world.contact_a, subject="Old question")
    do_deactivate(world.contact_a, acting_user=world.manager)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.contact == world.contact_a
    r = Client()
    r.force_login(world.agent)
    detail = r.get(f"/api/v1/tickets/{ticket.pk}")
    assert detail.status_code == 200 and detail.json()["contact"]["id"] == world.contact_a.pk


def test_reactivation_revives_no_old_session_or_token(world):
    limit_cache().clear()
    browser = _signed_in("anna.a")
    _token, raw = do_create_token(world.contact_a)
    do_deactivate(world.contact_a, acting_user=world.manager)
    do_reactivate(world.contact_a, acting_user=world.manager, invite=False)
    assert browser.get(reverse("web:portal:home")).status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/tickets").status_code == 401


def test_nobody_deactivates_themselves(world, api):
    r = api(world.manager).post(f"/people/{world.manager.pk}/deactivation")
    assert r.status_code == 403 and r.json()["error"]["code"] == "own_account"
