"""A released patch on the portal's request page, and the customer asking us to deploy it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palier.engineering.actions import do_release_patch
from palier.engineering.models import DeploymentRequest
from palier.engineering.tests.helpers import escalated, malfunction, planned_patch
from palier.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def patched(world) -> Ticket:
    """Anna's malfunction, linked to a defect that patch 11.3.2 fixes, now released."""
    ticket, _defect, patch = planned_patch(world, "Delivery note error 4711")
    do_release_patch(patch, acting_user=world.rnd)
    ticket.refresh_from_db()
    return ticket


def detail(ticket: Ticket) -> str:
    return reverse("web:portal:detail", args=[ticket.pk])


def ask(ticket: Ticket) -> str:
    return reverse("web:portal:deployment", args=[ticket.pk])


def test_the_request_page_shows_the_version_to_install_and_the_release_notes(
    client, world, patched
):
    client.force_login(world.contact_a)
    html = client.get(detail(patched)).content.decode()
    assert 'id="patch"' in html
    assert "<strong>11.3.2</strong>" in html
    assert "Delivery note print fails with error 4711" in html  # the fixed defect's line
    assert "Restart the print service after installing." in html  # R&D's notes
    assert "Ask us to install the patch" in html


def test_asking_for_the_deployment_opens_a_linked_request_and_twice_gives_the_same(
    client, world, patched
):
    client.force_login(world.contact_a)
    first = client.post(ask(patched))
    assert first.status_code == 302 and first["Location"] == detail(patched)
    second = client.post(ask(patched))
    assert second.status_code == 302
    deployment = DeploymentRequest.objects.get()
    new = deployment.request_ticket
    assert (deployment.source_ticket, new.customer, new.contact) == (
        patched,
        world.customer_a,
        world.contact_a,
    )
    assert "11.3.2" in new.subject
    html = client.get(detail(patched)).content.decode()
    assert new.reference in html and "Ask us to install the patch" not in html
    # The new request is the customer's own, on their portal.
    assert client.get(detail(new)).status_code == 200


def test_no_patch_panel_before_the_patch_is_released(client, world):
    ticket = malfunction(world.contact_a, "Delivery note error 4711")
    escalated(ticket, world.agent)
    client.force_login(world.contact_a)
    html = client.get(detail(ticket)).content.decode()
    assert 'id="patch"' not in html
    response = client.post(ask(ticket), follow=True)
    assert "No patch has been released for this request." in response.content.decode()
    assert not DeploymentRequest.objects.exists()


def test_a_colleague_who_only_follows_the_request_cannot_ask_for_the_deployment(
    client, world, patched
):
    patched.visibility = "shared"
    patched.save(update_fields=["visibility"])
    client.force_login(world.contact_a2)
    html = client.get(detail(patched)).content.decode()
    assert "<strong>11.3.2</strong>" in html and "Ask us to install the patch" not in html
    client.post(ask(patched))
    assert not DeploymentRequest.objects.exists()


def test_a_customer_admin_may_ask_for_the_deployment(client, world, patched):
    client.force_login(world.admin_a)
    client.post(ask(patched))
    assert DeploymentRequest.objects.get().requested_by == world.admin_a


def test_another_customers_contact_gets_not_found(client, world, patched):
    client.force_login(world.contact_b)
    assert client.get(detail(patched)).status_code == 404
    assert client.post(ask(patched)).status_code == 404
    assert not DeploymentRequest.objects.exists()


def test_asking_is_a_post_with_csrf(world, patched):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.contact_a)
    assert strict.get(ask(patched)).status_code == 405
    assert strict.post(ask(patched)).status_code == 403
    assert not DeploymentRequest.objects.exists()
