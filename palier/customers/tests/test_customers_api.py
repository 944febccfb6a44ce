"""Customers, contracts and customizations: managers write them, contacts read their own, and
the contract that governs a day is the one the policy sees."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from palier.customers.models import Contract
from palier.customers.queries import current_contract, governing_contract
from palier.testing.factories import make_customer, make_user, module

TODAY = dt.date(2026, 6, 15)


def contract(customer, ref: str, start: str, end: str, state: str = "active") -> Contract:
    return Contract.objects.create(
        customer=customer,
        reference=ref,
        state=state,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
    )


def test_the_active_contract_covering_the_day_governs_it(db):
    customer = make_customer("acme", contract=False)
    contract(customer, "OLD", "2025-01-01", "2025-12-31")
    current = contract(customer, "NEW", "2026-01-01", "2026-12-31")
    contract(customer, "SUSP", "2026-01-01", "2027-12-31", state="suspended")
    assert current_contract(customer, TODAY) == current


def test_without_a_covering_contract_the_latest_started_one_explains_the_refusal(db):
    customer = make_customer("acme", contract=False)
    contract(customer, "OLD", "2024-01-01", "2024-12-31")
    last = contract(customer, "LAST", "2025-01-01", "2026-05-31")
    assert current_contract(customer, TODAY) == last
    future_only = make_customer("later", contract=False)
    first = contract(future_only, "F1", "2026-07-01", "2027-06-30")
    contract(future_only, "F2", "2027-07-01", "2028-06-30")
    assert current_contract(future_only, TODAY) == first
    assert current_contract(make_customer("none", contract=False), TODAY) is None


def test_a_renewal_signed_after_the_last_contract_ended_governs_until_it_starts(db):
    customer = make_customer("acme", contract=False)
    ended = contract(customer, "ENDED", "2025-06-01", "2026-05-31")
    renewal = contract(customer, "RENEWAL", "2026-07-01", "2027-06-30")
    assert governing_contract(customer, TODAY) == renewal
    # Work in the gap is never billed at the renewal's rate or from its prepaid hours.
    assert current_contract(customer, TODAY) == ended
    # A contract suspended today still governs today, renewal or not.
    suspended = contract(customer, "SUSP", "2026-06-01", "2026-06-30", state="suspended")
    assert governing_contract(customer, TODAY) == suspended


def test_a_customer_between_contracts_is_told_when_support_starts_again(world, api):
    customer = make_customer("between", contract=False, language="fr")
    contact = make_user("paul.between", customer=customer, language="fr")
    today = timezone.localdate()
    contract(
        customer, "ENDED", str(today - dt.timedelta(days=400)), str(today - dt.timedelta(days=30))
    )
    starts = today + dt.timedelta(days=10)
    contract(customer, "RENEWAL", str(starts), str(starts + dt.timedelta(days=365)))
    r = api(contact).post("/tickets", {"type": "usage", "subject": "Question"})
    assert r.status_code == 403
    error = r.json()["error"]
    assert (error["code"], error["details"]["date"]) == ("not_started", starts.isoformat())


def test_staff_create_a_contract_and_a_customization_through_the_api(world, api):
    client = api(world.manager)
    next_year = timezone.localdate().year + 1  # a contract not active today, whatever today
    r = client.post(
        "/contracts",
        {
            "customer_id": world.customer_b.pk,
            "reference": f"MC-BELLEVUE-{next_year}",
            "start": f"{next_year}-01-01",
            "end": f"{next_year}-12-31",
            "hourly_rate": "190.00",
            "module_ids": [module("Sales").pk, module("Finance").pk],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["active_today"] is False and len(r.json()["module_ids"]) == 2
    r = client.post(
        "/customizations",
        {
            "customer_id": world.customer_b.pk,
            "module_id": module("Sales").pk,
            "object": "Devis: colonne Zone",
            "built_by": "customer_authorized",
            "authorization_reference": "AUTH-2026-3",
            "authorization_date": "2026-02-01",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["module"]["name"] == "Sales"
    mine = api(world.contact_b).get("/customizations").json()
    assert [c["object"] for c in mine] == ["Devis: colonne Zone"]


def test_contract_and_customization_rules_are_refused_with_their_codes(world, api):
    client = api(world.manager)
    base = {"customer_id": world.customer_a.pk, "start": "2027-01-01", "end": "2027-12-31"}
    r = client.post("/contracts", {**base, "reference": "MC-X", "end": "2026-01-01"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_dates"
    r = client.post(
        "/contracts", {**base, "reference": world.customer_a.contracts.first().reference}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_exists"
    r = client.post("/contracts", {**base, "reference": "MC-Y", "module_ids": [999999]})
    assert r.status_code == 404
    r = client.post(
        "/customizations",
        {
            "customer_id": world.customer_a.pk,
            "module_id": module("Sales").pk,
            "object": "x",
            "built_by": "customer_authorized",
        },
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "authorization_reference_required"


def test_a_suspended_contract_refuses_the_next_request_as_suspended(world, api):
    c = world.customer_a.contracts.first()
    r = api(world.manager).patch(f"/contracts/{c.pk}", {"state": "suspended"})
    assert r.status_code == 200 and r.json()["active_today"] is False
    r = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "Help"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "suspended"


def test_a_contract_ending_today_still_covers_today(world, api):
    c = world.customer_a.contracts.first()
    api(world.manager).patch(f"/contracts/{c.pk}", {"end": timezone.localdate().isoformat()})
    r = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "Last day"})
    assert r.status_code == 201, r.content


def test_staff_set_a_customers_postal_address_and_its_contacts_read_it(world, api):
    path = f"/customers/{world.customer_a.pk}"
    address = {"street": "Rue du Rhône", "house_number": "48", "postcode": "1204"}
    r = api(world.manager).patch(path, {"address": {**address, "city": " Genève "}})
    assert r.status_code == 200, r.content
    assert r.json()["address"] == {**address, "city": "Genève", "country": "CH"}
    assert api(world.contact_a).get(path).json()["address"]["city"] == "Genève"
    # A country is two capital letters; a field longer than a QR-bill takes is refused.
    for bad in ({"country": "ch"}, {"country": "CHE"}, {"country": "UK"}, {"city": "x" * 36}):
        r = api(world.manager).patch(path, {"address": {**address, **bad}})
        assert r.status_code == 422 and r.json()["error"]["code"], r.content
    world.customer_a.refresh_from_db()
    assert (world.customer_a.city, world.customer_a.country) == ("Genève", "CH")
    # The address is replaced as a whole; a patch without one leaves it alone.
    api(world.manager).patch(path, {"name": "Renamed"})
    r = api(world.manager).patch(
        path, {"address": {"postcode": "75001", "city": "Paris", "country": "FR"}}
    )
    assert r.json()["address"] == {
        "street": "",
        "house_number": "",
        "postcode": "75001",
        "city": "Paris",
        "country": "FR",
    }
    created = api(world.manager).post(
        "/customers", {"code": "neu", "name": "Neu AG", "address": {"city": "Bern"}}
    )
    assert created.status_code == 201 and created.json()["address"]["city"] == "Bern"


def test_values_a_model_refuses_are_listed_by_field_like_the_apis_own_checks(world):
    import pytest

    from palier.customers.actions import do_update_customer
    from palier.lib.errors import InvalidFields

    with pytest.raises(InvalidFields) as raised:
        do_update_customer(world.customer_a, acting_user=world.manager, country="UK", city="x" * 40)
    assert raised.value.status == 422 and raised.value.code == "validation_error"
    assert sorted((d["field"], d["type"]) for d in raised.value.details) == [
        ("city", "max_length"),
        ("country", "invalid_country"),
    ]
