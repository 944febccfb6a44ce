"""People through the API: managers create and change, staff read, contacts see nothing."""

from __future__ import annotations

import pytest

from palier.accounts.models import Role, User
from palier.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_contact_with_their_customer_and_language(world, api):
    manager = api(world.manager)
    r = manager.post(
        "/people",
        {
            "email": "Nina.Keller@alpenkaese.ch",
            "role": "contact",
            "customer_id": world.customer_a.pk,
            "first_name": "Nina",
            "last_name": "Keller",
            "is_customer_admin": True,
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["customer"] == {"id": world.customer_a.pk, "name": "Alpenkäse AG"}
    assert body["language"] == "de"  # the customer's, when none is given
    assert body["username"] == "nina.keller@alpenkaese.ch"
    assert body["is_customer_admin"] is True and body["invitation"] is None
    user = User.objects.get(pk=body["id"])
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action="user.created", object_id=str(user.pk))
    assert entry.actor == world.manager and entry.channel == "api"
    assert entry.after["customer_id"] == world.customer_a.pk


def test_staff_have_no_customer_and_contacts_need_one(world, api):
    manager = api(world.manager)
    r = manager.post("/people", {"email": "x@vendor.ch", "role": "contact"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "customer"
    r = manager.post(
        "/people",
        {"email": "y@vendor.ch", "role": "agent", "customer_id": world.customer_a.pk},
    )
    assert r.status_code == 422
    r = manager.post("/people", {"email": "z@vendor.ch", "role": "agent", "language": "fr"})
    assert r.status_code == 201 and r.json()["customer"] is None


def test_an_email_already_on_file_is_a_conflict(world, api):
    r = api(world.manager).post(
        "/people", {"email": "ANNA.A@example.com", "role": "contact", "customer_id": 1}
    )
    assert r.status_code in (404, 409)
    r = api(world.manager).post(
        "/people",
        {"email": "ANNA.A@example.com", "role": "contact", "customer_id": world.customer_a.pk},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "email_taken"


def test_bad_input_is_a_clear_error(world, api):
    manager = api(world.manager)
    for payload in (
        {"email": "not-an-address", "role": "agent"},
        {"email": "a@b.ch", "role": "pope"},
        {"email": "a@b.ch", "role": "agent", "language": "xx"},
        {"email": "a@b.ch", "role": "agent", "username": "bad name"},
    ):
        r = manager.post("/people", payload)
        assert r.status_code == 422, payload
        assert r.json()["error"]["code"] == "validation_error"
    r = manager.post("/people", {"email": "a@b", "role": "agent"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "email"


def test_only_managers_write_people_and_contacts_see_none(world, api):
    payload = {"email": "new@vendor.ch", "role": "agent"}
    for user in (world.agent, world.consultant, world.admin_a):
        r = api(user).post("/people", payload)
        assert r.status_code == 403, user
    assert api(world.agent).get("/people").status_code == 200
    assert api(world.contact_a).get("/people").status_code == 403
    assert api(world.contact_a).get(f"/people/{world.contact_a2.pk}").status_code == 403
    r = api(world.agent).patch(f"/people/{world.contact_a.pk}", {"language": "fr"})
    assert r.status_code == 403
    assert api(world.agent).post(f"/people/{world.contact_a.pk}/deactivation").status_code == 403


def test_a_manager_changes_a_role_within_staff_but_not_to_administrator(world, api):
    manager = api(world.manager)
    r = manager.patch(f"/people/{world.agent.pk}", {"role": "consultant"})
    assert r.status_code == 200 and r.json()["role"] == "consultant"
    r = manager.patch(f"/people/{world.agent.pk}", {"role": "admin"})
    assert r.status_code == 403
    r = manager.patch(f"/people/{world.contact_a.pk}", {"role": "agent"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "role_kind_change"
    r = manager.patch(f"/people/{world.manager.pk}", {"role": "agent"})
    assert r.status_code == 403
    entry = AuditEntry.objects.filter(action="user.updated").get()
    assert entry.before == {"role": "agent"} and entry.after == {"role": "consultant"}


def test_an_administrator_makes_an_administrator(world, api):
    from palier.testing.factories import make_user

    admin = make_user("ada.admin", Role.ADMIN)
    r = api(admin).patch(f"/people/{world.manager.pk}", {"role": "admin"})
    assert r.status_code == 200
    world.manager.refresh_from_db()
    assert world.manager.is_superuser and world.manager.is_staff


def test_a_contact_moves_to_another_customer_and_loses_the_admin_flag_only_if_asked(world, api):
    r = api(world.manager).patch(
        f"/people/{world.admin_a.pk}",
        {"customer_id": world.customer_b.pk, "language": "fr", "is_customer_admin": False},
    )
    assert r.status_code == 200
    assert r.json()["customer"]["id"] == world.customer_b.pk
    assert r.json()["language"] == "fr" and r.json()["is_customer_admin"] is False


def test_the_people_list_filters_and_pages_with_a_fixed_number_of_queries(
    world, api, django_assert_max_num_queries
):
    agent = api(world.agent)
    r = agent.get("/people", kind="contacts", customer_id=world.customer_a.pk)
    assert {p["username"] for p in r.json()} == {"anna.a", "armin.a", "adele.a"}
    r = agent.get("/people", role="manager")
    assert [p["username"] for p in r.json()] == ["maria.manager"]
    first = agent.get("/people", limit=2).json()
    second = agent.get("/people", limit=2, after_id=first[-1]["id"]).json()
    assert first[-1]["id"] < second[0]["id"]
    with django_assert_max_num_queries(6):
        assert len(agent.get("/people", limit=500).json()) == User.objects.count()


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_a_reactivation_without_a_body_takes_every_default_and_invites(world, api, content_type):
    from palier.people.actions import do_deactivate
    from palier.people.models import Invitation

    do_deactivate(world.contact_a, acting_user=world.manager)
    manager = api(world.manager).client
    extra = {"content_type": content_type} if content_type else {}
    path = f"/api/v1/people/{world.contact_a.pk}/reactivation"
    r = manager.generic("POST", path, b"", **extra)
    assert r.status_code == 200, r.content
    assert r.json()["is_active"] is True and r.json()["invitation"]["state"] == "pending"
    assert Invitation.objects.filter(user=world.contact_a).count() == 1
    # A body still says what it asks, and nothing else.
    do_deactivate(world.contact_a, acting_user=world.manager)
    r = manager.post(path, {"invite": False, "notify": True}, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "notify"
    r = manager.post(path, {"invite": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert Invitation.objects.filter(user=world.contact_a).count() == 1
