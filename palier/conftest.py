"""Personas and a world shared by the tests (see CONVENTIONS.md: named roles)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from palier.accounts.actions import do_create_token
from palier.accounts.models import Role, User
from palier.audit.db import allow_purge
from palier.customers.models import Customer
from palier.testing.browser import browser  # noqa: F401 (a fixture for the e2e tests)
from palier.testing.factories import make_customer, make_user

# Generated tests draw the same examples on every run (a red run is red again on replay, never
# by luck of the draw). To look for new counterexamples, run the suite with
# HYPOTHESIS_PROFILE=explore: random draws, failures kept in .hypothesis/ and replayed first.
# Neither profile times a draw or an example: on a shared two-core machine (CI) a slow moment
# (the first draw of text builds hypothesis's table of characters, >1 s under load) would fail
# a test that asserts nothing about speed. Speed is measured by bench/, not by tests.
_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, **_UNTIMED)
hypothesis_settings.register_profile("explore", **_UNTIMED)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts and ends in the default language: a request served in German (the
    API and the web activate the user's language) must not make the next test German."""
    translation.deactivate()
    yield
    translation.deactivate()


# SQLite's append-only trigger lets Django empty the test database between transactional
# tests (palier/audit/db.py); test_append_only.py takes this back to test the trigger.
allow_purge(True)


@dataclass
class World:
    customer_a: Customer
    customer_b: Customer
    customer_expired: Customer
    agent: User  # level-1 agent
    consultant: User
    rnd: User  # R&D engineer
    manager: User
    contact_a: User  # plain contact of customer A
    contact_a2: User  # another plain contact of customer A
    admin_a: User  # administers customer A's account
    contact_b: User  # contact of customer B: must never see A's tickets
    contact_expired: User


@pytest.fixture
def world(db) -> World:
    a = make_customer("alpenkaese", name="Alpenkäse AG", language="de")
    b = make_customer("bellevue", name="Bellevue SA", language="fr")
    expired = make_customer("oldco", name="OldCo Ltd", start_days=-500, end_days=-30)
    return World(
        customer_a=a,
        customer_b=b,
        customer_expired=expired,
        agent=make_user("lena.agent", Role.AGENT),
        consultant=make_user("marc.consultant", Role.CONSULTANT),
        rnd=make_user("ravi.rnd", Role.RND),
        manager=make_user("maria.manager", Role.MANAGER),
        contact_a=make_user("anna.a", customer=a, language="de"),
        contact_a2=make_user("armin.a", customer=a, language="de"),
        admin_a=make_user("adele.a", customer=a, customer_admin=True),
        contact_b=make_user("bruno.b", customer=b, language="fr"),
        contact_expired=make_user("otto.old", customer=expired),
    )


class ApiClient:
    """A JSON client that authenticates with a real API token."""

    def __init__(self, user: User):
        self.user = user
        _token, raw = do_create_token(user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, data=None, **kw):
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", **kw)

    def patch(self, path: str, data=None, **kw):
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", **kw)

    def delete(self, path: str, **kw):
        return self.client.delete(f"/api/v1{path}", **kw)


@pytest.fixture
def api():
    return ApiClient


@pytest.fixture
def transactional_db_with_search(transactional_db):
    """A transactional test database whose search index is emptied before Django flushes it:
    the raw `ticket_search` table is unknown to the flush (PostgreSQL refuses to truncate
    tickets under its foreign key; SQLite would keep stale rows for later tests)."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticket_search")
        cursor.execute("DELETE FROM knowledge_search")
