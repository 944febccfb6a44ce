"""Only managers and administrators change customers, contracts, customizations, rates and
prepaid hours; every change they make is in the audit log, before and after."""

from __future__ import annotations

from decimal import Decimal

import pytest

from palier.audit.models import AuditEntry
from palier.customers.actions import do_update_contract
from palier.lib.errors import NotAllowed
from palier.testing.factories import make_ticket, make_user, module


def entries():
    """The audit log's customer records (API tokens made for the tests are logged too)."""
    return AuditEntry.objects.filter(object_type__startswith="customers.")


def test_a_level_1_agent_cannot_reactivate_a_suspended_contract(world, api):
    contract = world.customer_a.contracts.get()
    do_update_contract(contract, acting_user=world.manager, state="suspended")
    r = api(world.agent).patch(f"/contracts/{contract.pk}", {"state": "active"})
    assert r.status_code == 403, r.content
    assert r.json()["error"] == {
        "code": "not_allowed",
        "message": "Your role may not change contracts, rates and prepaid hours.",
        "details": {"permission": "contract.write"},
    }
    contract.refresh_from_db()
    assert contract.state == "suspended"
    # So the phone ticket an agent then takes for that customer is refused, as it should be.
    ticket = make_ticket(world.contact_a, acting_user=world.agent, channel="phone")
    assert ticket.status == "refused"


def test_an_rnd_engineer_cannot_change_a_rate_or_prepaid_hours(world, api):
    contract = world.customer_a.contracts.get()
    for change in ({"hourly_rate": "999"}, {"prepaid_hours": "500"}):
        r = api(world.rnd).patch(f"/contracts/{contract.pk}", change)
        assert r.status_code == 403, r.content
    contract.refresh_from_db()
    assert (contract.hourly_rate, contract.prepaid_hours) == (Decimal("185.00"), Decimal("0"))
    assert not entries().exists()


@pytest.mark.parametrize("who", ["agent", "consultant", "rnd"])
def test_no_staff_role_but_managers_writes_customer_records(world, api, who):
    client = api(getattr(world, who))
    customer = world.customer_a
    writes = [
        ("post", "/customers", {"code": "neu", "name": "Neu AG"}),
        ("patch", f"/customers/{customer.pk}", {"name": "Renamed"}),
        (
            "post",
            "/contracts",
            {
                "customer_id": customer.pk,
                "reference": "X",
                "start": "2026-01-01",
                "end": "2026-12-31",
            },
        ),
        (
            "post",
            "/customizations",
            {
                "customer_id": customer.pk,
                "module_id": module("Sales").pk,
                "object": "x",
                "built_by": "vendor",
            },
        ),
    ]
    for method, path, body in writes:
        r = getattr(client, method)(path, body)
        assert r.status_code == 403, (path, r.content)
        assert r.json()["error"]["code"] == "not_allowed"
    assert not entries().exists()


def test_a_manager_changes_a_contract_and_the_audit_log_keeps_before_and_after(world, api):
    contract = world.customer_a.contracts.get()
    r = api(world.manager).patch(
        f"/contracts/{contract.pk}",
        {"state": "suspended", "hourly_rate": "190.00"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert r.status_code == 200, r.content
    entry = entries().get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "contract.update",
        "customers.contract",
        str(contract.pk),
    )
    assert entry.before == {"state": "active", "hourly_rate": "185.00"}
    assert entry.after == {"state": "suspended", "hourly_rate": "190.00"}
    assert (entry.actor, entry.channel, entry.address) == (world.manager, "api", "192.0.2.44")


def test_an_administrator_may_write_customer_records(world, api):
    admin = make_user("ada.admin", "admin")
    r = api(admin).patch(f"/customers/{world.customer_a.pk}", {"name": "Alpenkäse Holding"})
    assert r.status_code == 200
    assert entries().get().after == {"name": "Alpenkäse Holding"}


def test_the_action_refuses_whatever_calls_it(world):
    with pytest.raises(NotAllowed):
        do_update_contract(world.customer_a.contracts.get(), acting_user=world.agent, state="x")
