"""The catalogue through the API: managers write, everyone reads, versions sort as versions."""

from __future__ import annotations

import pytest

from palier.audit.models import AuditEntry
from palier.customers.models import Module, Product

pytestmark = pytest.mark.django_db


def test_a_module_the_desk_did_not_list_can_be_requested_once_a_manager_adds_it(world, api):
    product = Product.objects.get(code="erp")
    contact = api(world.contact_a)
    r = contact.post(
        "/tickets",
        {"type": "usage", "subject": "Payroll export", "module_id": 999_999},
    )
    assert r.status_code == 404  # no such module yet
    r = api(world.manager).post(
        "/modules",
        {
            "product_id": product.pk,
            "code": "payroll",
            "name": "Payroll",
            "name_fr": "Salaires",
            "name_de": "Lohn",
        },
    )
    assert r.status_code == 201, r.json()
    module = r.json()
    assert module["names"] == {"en": "Payroll", "fr": "Salaires", "de": "Lohn", "it": ""}
    r = contact.post(
        "/tickets",
        {"type": "usage", "subject": "Payroll export", "module_id": module["id"]},
    )
    assert r.status_code == 201, r.json()
    assert Module.objects.get(pk=module["id"]).name_in("it") == "Payroll"
    assert AuditEntry.objects.filter(action="module.created").count() == 1


def test_only_managers_change_the_catalogue(world, api):
    product = Product.objects.get(code="erp")
    for user in (world.agent, world.rnd, world.contact_a):
        r = api(user).post("/modules", {"product_id": product.pk, "code": "x", "name": "X"})
        assert r.status_code == 403
    assert api(world.contact_a).get("/modules").status_code == 200


def test_versions_sort_as_versions(world, api):
    product = Product.objects.get(code="erp")
    manager = api(world.manager)
    for number in ("11.10", "11.9", "11.4.0", "11.2.1", "2.0"):
        assert (
            manager.post("/versions", {"product_id": product.pk, "number": number}).status_code
            == 201
        )
    numbers = [v["number"] for v in api(world.contact_a).get("/versions").json()]
    assert numbers == ["2.0", "11.2.0", "11.2.1", "11.3.0", "11.3.1", "11.4.0", "11.9", "11.10"]
    products = api(world.contact_a).get("/products").json()
    assert [v["number"] for v in products[0]["versions"]] == numbers


def test_a_version_has_release_and_end_of_support_dates_in_order(world, api):
    product = Product.objects.get(code="erp")
    manager = api(world.manager)
    r = manager.post(
        "/versions",
        {
            "product_id": product.pk,
            "number": "12.0",
            "released_on": "2026-05-01",
            "end_of_support": "2026-04-01",
        },
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_dates"
    r = manager.post(
        "/versions",
        {
            "product_id": product.pk,
            "number": "12.0",
            "released_on": "2026-05-01",
            "end_of_support": "2029-04-30",
        },
    )
    assert r.status_code == 201 and r.json()["end_of_support"] == "2029-04-30"
    again = manager.post("/versions", {"product_id": product.pk, "number": "12.0"})
    assert again.status_code == 409
    bad = manager.post("/versions", {"product_id": product.pk, "number": "12 beta"})
    assert bad.status_code == 422
    r = manager.patch(f"/versions/{r.json()['id']}", {"end_of_support": None})
    assert r.status_code == 200 and r.json()["end_of_support"] is None


def test_installations_say_which_customer_runs_which_version(world, api):
    manager = api(world.manager)
    versions = {v["number"]: v["id"] for v in manager.get("/versions").json()}
    r = manager.post(
        "/installations",
        {
            "customer_id": world.customer_a.pk,
            "version_id": versions["11.2.0"],
            "environment": "test",
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["customer"]["name"] == "Alpenkäse AG" and r.json()["environment"] == "test"
    dup = manager.post(
        "/installations",
        {
            "customer_id": world.customer_a.pk,
            "version_id": versions["11.2.0"],
            "environment": "test",
        },
    )
    assert dup.status_code == 409
    mine = api(world.contact_a).get("/installations").json()
    assert {i["customer"]["id"] for i in mine} == {world.customer_a.pk} and len(mine) == 2
    theirs = api(world.contact_b).get(f"/installations/{r.json()['id']}")
    assert theirs.status_code == 404
    moved = manager.patch(f"/installations/{r.json()['id']}", {"version_id": versions["11.3.1"]})
    assert moved.json()["version"]["number"] == "11.3.1"
    gone = manager.client.delete(f"/api/v1/installations/{r.json()['id']}")
    assert gone.status_code == 204
    assert AuditEntry.objects.filter(action="installation.removed").count() == 1
