"""Webhooks through the API and the managers' screens: managers only, the secret shown to
them, the delivery log readable and a failed delivery sent again."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from palier.audit.models import AuditEntry
from palier.testing.factories import make_ticket
from palier.webhooks.models import DeliveryState, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_managers_create_webhooks_and_read_the_log(
    world, api, receiver, django_capture_on_commit_callbacks
):
    manager = api(world.manager)
    r = manager.post("/webhooks", {"url": receiver.url, "events": ["created", "status"]})
    assert r.status_code == 201, r.json()
    hook = r.json()
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["created", "status"]
    assert "secret" not in manager.get("/webhooks").json()[0]
    receiver.answers.append(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    [log] = manager.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert log["state"] == "retrying" and log["history"][0]["status"] == 500
    with django_capture_on_commit_callbacks(execute=True):
        r = manager.post(f"/webhook-deliveries/{log['id']}/retry")
    assert r.status_code == 200
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
    rotated = manager.post(f"/webhooks/{hook['id']}/secret").json()["secret"]
    assert rotated != hook["secret"]
    r = manager.patch(f"/webhooks/{hook['id']}", {"active": False, "events": []})
    assert r.json()["active"] is False and r.json()["events"] == []
    assert AuditEntry.objects.filter(action__startswith="webhook.").count() == 3


def test_bad_input_and_other_roles_are_refused(world, api, settings):
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = False
    manager = api(world.manager)
    r = manager.post("/webhooks", {"url": "http://10.0.0.5/hook"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "webhook_address_refused"
    r = manager.post("/webhooks", {"url": "https://example.com/hook", "events": ["nope"]})
    assert r.status_code == 422
    for user in (world.agent, world.contact_a):
        assert api(user).get("/webhooks").status_code == 403
        assert api(user).post("/webhooks", {"url": "https://example.com/h"}).status_code == 403


def test_the_webhook_screens(world, receiver, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.manager)
    r = client.post(
        reverse("web:manage:webhooks"),
        {"url": receiver.url, "description": "ERP", "events": ["created"], "active": "on"},
    )
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(world.contact_a)
    page = client.get(r["Location"]).content.decode()
    assert "whsec_" in page and ticket.reference in page and "Delivered" in page
    agent = Client()
    agent.force_login(world.agent)
    assert agent.get(reverse("web:manage:webhooks")).status_code == 404
    assert agent.get(r["Location"]).status_code == 404
