"""Django's admin: history is read-only, the audit log too, changes to audited records are
recorded, the permission table decides who changes what, and "Add user" works."""

from __future__ import annotations

import pytest
from django.test import Client

from palier.accounts.models import Role, User
from palier.audit.log import record_change
from palier.audit.models import AuditEntry
from palier.sla.models import ServiceTier
from palier.testing.factories import make_ticket, make_user
from palier.tickets.actions import do_add_message
from palier.tickets.models import Message, TicketEvent


@pytest.fixture
def superuser(world):
    return make_user("ada.admin", Role.ADMIN)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(response) -> dict:
    """What the admin's change form would post back unchanged (main form and inlines)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = (
                    str(value)
                    if not hasattr(field, "prepare_value")
                    else str(field.prepare_value(value))
                )

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_an_internal_note_cannot_be_made_public_in_the_admin(world, superuser):
    ticket = make_ticket(world.contact_a)
    note = do_add_message(ticket, acting_user=world.agent, body="Kunde irrt", internal=True)
    client = signed_in(superuser)
    url = f"/admin/tickets/message/{note.pk}/change/"
    assert client.get(url).status_code == 200  # readable
    r = client.post(url, {"body": "Kunde irrt", "internal": ""})
    assert r.status_code == 403
    assert Message.objects.get(pk=note.pk).internal is True
    assert (
        client.post(f"/admin/tickets/message/{note.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert client.get("/admin/tickets/message/add/").status_code == 403


def test_ticket_events_cannot_be_deleted_or_changed_in_the_admin(world, superuser):
    ticket = make_ticket(world.contact_a)
    event = TicketEvent.objects.get(ticket=ticket)
    client = signed_in(superuser)
    r = client.post(f"/admin/tickets/ticketevent/{event.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    r = client.post(
        "/admin/tickets/ticketevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert TicketEvent.objects.filter(pk=event.pk).exists()
    assert client.post(f"/admin/tickets/ticketevent/{event.pk}/change/", {}).status_code == 403


def test_audit_entries_are_read_only_in_the_admin(world, superuser):
    entry = record_change("customer.update", world.customer_a, acting_user=world.manager)
    client = signed_in(superuser)
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {}).status_code == 403
    r = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_adding_a_user_asks_for_role_and_customer_and_never_answers_500(world, superuser):
    client = signed_in(superuser)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    base = {"username": "neu.kontakt", "email": "neu@alpenkaese.example", "language": "de"}
    r = client.post("/admin/accounts/user/add/", {**base, "role": "contact"})
    assert r.status_code == 200
    assert "A customer contact belongs to a customer" in r.content.decode()
    r = client.post(
        "/admin/accounts/user/add/", {**base, "role": "agent", "customer": world.customer_a.pk}
    )
    assert r.status_code == 200 and "Staff belong to no customer" in r.content.decode()
    assert not User.objects.filter(username="neu.kontakt").exists()

    r = client.post(
        "/admin/accounts/user/add/", {**base, "role": "contact", "customer": world.customer_a.pk}
    )
    assert r.status_code == 302, r.content
    user = User.objects.get(username="neu.kontakt")
    assert (user.role, user.customer, user.is_staff) == ("contact", world.customer_a, False)
    assert not user.has_usable_password()  # they choose it through their invitation
    entry = AuditEntry.objects.get(action="user.created")
    assert (entry.actor, entry.channel, entry.object_id) == (superuser, "admin", str(user.pk))
    assert "password" not in entry.after and entry.after["role"] == "contact"


def test_a_manager_cannot_make_an_administrator_in_the_admin(world):
    client = signed_in(world.manager)
    r = client.post(
        "/admin/accounts/user/add/",
        {"username": "evil", "email": "evil@example.com", "language": "en", "role": "admin"},
        follow=True,
    )
    assert r.status_code == 200
    assert not User.objects.filter(username="evil").exists()
    r = client.post(
        f"/admin/accounts/user/{world.agent.pk}/change/",
        {
            "username": world.agent.username,
            "email": world.agent.email,
            "role": "admin",
            "language": "en",
        },
        follow=True,
    )
    world.agent.refresh_from_db()
    assert world.agent.role == "agent"


def test_a_manager_changes_a_service_tier_in_the_admin_and_it_is_audited(world):
    tier = ServiceTier.objects.order_by("id").first()
    client = signed_in(world.manager)
    url = f"/admin/sla/servicetier/{tier.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data["name"] = "Gold"
    target = next(k for k in data if k.endswith("-first_response_hours"))
    data[target] = "3.00"
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    entries = {e.action: e for e in AuditEntry.objects.filter(channel="admin")}
    assert entries["servicetier.update"].after == {"name": "Gold"}
    assert entries["targetrow.update"].after == {"first_response_hours": "3.00"}
    assert entries["servicetier.update"].actor == world.manager


def test_staff_below_manager_cannot_change_customer_records_in_the_admin(world):
    agent = world.agent
    agent.is_staff = True  # even if someone let them into the admin
    agent.save()
    client = signed_in(agent)
    contract = world.customer_a.contracts.get()
    r = client.post(f"/admin/customers/contract/{contract.pk}/change/", {"state": "active"})
    assert r.status_code == 403
    assert client.get("/admin/sla/servicetier/add/").status_code == 403
