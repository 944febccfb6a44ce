"""Signed-in pages and authenticated API answers are never stored by a cache."""

from __future__ import annotations

from django.test import Client


def test_signed_in_pages_say_no_store(world):
    for user, path in ((world.contact_a, "/portal/"), (world.agent, "/desk/")):
        client = Client()
        client.force_login(user)
        r = client.get(path, follow=True)
        assert r.status_code == 200
        assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_authenticated_api_answers_say_no_store(world, api):
    r = api(world.contact_a).get("/tickets")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    r = api(world.contact_a).get("/tickets/999999")
    assert r.status_code == 404 and "no-store" in r["Cache-Control"]


def test_public_answers_stay_cacheable(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200 and "no-store" not in r.get("Cache-Control", "")
