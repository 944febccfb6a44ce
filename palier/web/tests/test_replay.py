"""A request sent twice is answered once: forms carry a one-time submission key, the API
honours Idempotency-Key on POST."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from palier.testing.factories import make_ticket
from palier.tickets.models import Message, Ticket, TicketEvent


def _key(html: str) -> str:
    return re.search(r'name="_submission" value="([^"]+)"', html).group(1)


def test_every_form_with_a_csrf_token_carries_a_fresh_submission_key(world):
    client = Client()
    client.force_login(world.contact_a)
    ticket = make_ticket(world.contact_a)
    first = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    second = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert first.count('name="_submission"') == first.count('name="csrfmiddlewaretoken"') > 0
    assert _key(first) != _key(second)


def test_a_portal_reply_posted_twice_makes_one_reply_and_one_mail(world):
    client = Client()
    client.force_login(world.contact_a)
    ticket = make_ticket(world.contact_a)
    page = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    url = reverse("web:portal:reply", args=[ticket.pk])
    form = {"body": "Danke, es geht wieder.", "_submission": _key(page)}
    first = client.post(url, form)
    again = client.post(url, form)  # the double click
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer_reply").count() == 1
    # A new page has a new key: the next reply is a reply.
    page = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    client.post(url, {"body": "Noch etwas.", "_submission": _key(page)})
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_another_persons_key_is_not_a_repeat(world):
    ticket = make_ticket(world.contact_a, visibility="shared")
    url = reverse("web:portal:reply", args=[ticket.pk])
    for user in (world.contact_a, world.contact_a2):
        client = Client()
        client.force_login(user)
        client.post(url, {"body": f"From {user}", "_submission": "same-key-123"})
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_the_api_returns_the_first_answer_to_the_same_idempotency_key(world, api):
    client = api(world.contact_a)
    body = {"type": "usage", "subject": "Wie storniere ich eine Rechnung?"}
    first = client.post("/tickets", body, HTTP_IDEMPOTENCY_KEY="4f0c-try-1")
    again = client.post("/tickets", body, HTTP_IDEMPOTENCY_KEY="4f0c-try-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.filter(subject=body["subject"]).count() == 1
    # Without the key, or with a new one, the request is a new one.
    client.post("/tickets", body, HTTP_IDEMPOTENCY_KEY="4f0c-try-2")
    client.post("/tickets", body)
    assert Ticket.objects.filter(subject=body["subject"]).count() == 3


def test_the_same_key_with_another_body_is_refused_clearly(world, api):
    client = api(world.contact_a)
    client.post("/tickets", {"type": "usage", "subject": "A"}, HTTP_IDEMPOTENCY_KEY="k-1")
    r = client.post("/tickets", {"type": "usage", "subject": "B"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert not Ticket.objects.filter(subject="B").exists()


def test_keys_belong_to_their_caller_and_a_bad_key_is_refused(world, api):
    body = {"type": "usage", "subject": "Same key, two people"}
    api(world.contact_a).post("/tickets", body, HTTP_IDEMPOTENCY_KEY="shared")
    r = api(world.contact_b).post("/tickets", body, HTTP_IDEMPOTENCY_KEY="shared")
    assert r.status_code == 201 and r.json()["customer"]["id"] == world.customer_b.pk
    r = api(world.contact_a).post("/tickets", body, HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_idempotency_key"


def test_a_refused_answer_is_kept_and_replayed_too(world, api):
    client = api(world.contact_a)
    ticket = make_ticket(world.contact_a)
    r1 = client.post(f"/tickets/{ticket.pk}/notes", {"body": "x"}, HTTP_IDEMPOTENCY_KEY="n")
    r2 = client.post(f"/tickets/{ticket.pk}/notes", {"body": "x"}, HTTP_IDEMPOTENCY_KEY="n")
    assert r1.status_code == r2.status_code == 403
    assert r2["Idempotent-Replayed"] == "true"
