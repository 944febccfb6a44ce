"""Managers read the audit log (API and screen): newest first, by record and by person, a
page at a time in a fixed number of queries, in words; no one else reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from palier.customers.actions import do_update_contract, do_update_customer
from palier.testing.factories import make_user


@pytest.fixture
def changes(world):
    contract = world.customer_a.contracts.get()
    other = make_user("max.manager", "manager", first_name="Max")
    for n in range(7):
        do_update_customer(world.customer_a, acting_user=world.manager, name=f"Alpenkäse {n}")
    do_update_contract(contract, acting_user=other, state="suspended")
    do_update_customer(world.customer_b, acting_user=other, name="Bellevue Holding")
    return {"contract": contract, "other": other}


def test_a_manager_pages_through_the_log_newest_first_in_fixed_queries(
    world, api, changes, django_assert_max_num_queries
):
    client = api(world.manager)
    seen, cursor = [], None
    for _ in range(5):
        with django_assert_max_num_queries(4):
            r = client.get("/audit", limit=3, **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.content
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids, reverse=True)
    mine = [e for e in seen if e["object"]["type"].startswith("customers.")]
    assert len(mine) == 9
    newest = mine[0]
    assert newest["action"] == "customer.update"
    assert newest["action_label"] == "Customer changed"
    assert newest["object"]["type_label"] == "Customer"
    assert newest["actor"] == {"id": changes["other"].pk, "name": "Max"}
    assert newest["channel"] == "command" and newest["channel_label"] == "Command"
    assert newest["changes"] == [
        {
            "field": "name",
            "label": "Name",
            "before": "Bellevue SA",
            "after": "Bellevue Holding",
            "before_text": "Bellevue SA",
            "after_text": "Bellevue Holding",
        }
    ]


def test_the_log_filters_by_record_and_by_person(world, api, changes):
    client = api(world.manager)
    contract = changes["contract"]
    r = client.get("/audit", object_type="customers.contract", object_id=str(contract.pk))
    [entry] = r.json()["items"]
    assert entry["action_label"] == "Contract changed"
    # Labels, not codes: the state reads as the contract's screen shows it.
    assert entry["changes"][0]["label"] == "State"
    assert (entry["changes"][0]["before_text"], entry["changes"][0]["after_text"]) == (
        "Active",
        "Suspended",
    )
    by_other = client.get("/audit", actor_id=changes["other"].pk).json()["items"]
    assert {e["object"]["repr"] for e in by_other} == {str(contract), "Bellevue Holding"}


def test_the_log_speaks_the_readers_language(world, api, changes):
    r = api(world.manager).client.get(
        "/api/v1/audit", {"object_type": "customers.contract"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    [entry] = r.json()["items"]
    assert entry["action_label"] == "Vertrag geändert"
    assert entry["changes"][0]["after_text"] == "Sistiert"


@pytest.mark.parametrize("who", ["agent", "consultant", "rnd", "contact_a", "admin_a"])
def test_no_one_but_managers_reads_the_log(world, api, changes, who):
    r = api(getattr(world, who)).get("/audit")
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"permission": "audit.read"}
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get("/audit/").status_code in (302, 404)


def test_bad_filters_answer_422_not_500(world, api):
    client = api(world.manager)
    for params in ({"object_type": "x"}, {"actor_id": "-1"}, {"limit": 0}, {"cursor": "@@"}):
        r = client.get("/audit", **params)
        assert r.status_code in (400, 422), (params, r.content)


def test_the_screen_shows_changes_in_words_with_filters(
    world, changes, django_assert_max_num_queries
):
    client = Client()
    client.force_login(world.manager)
    with django_assert_max_num_queries(12):
        page = client.get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Customer changed" in html and "Alpenkäse 6" in html
    assert page["Cache-Control"] is not None
    contract = changes["contract"]
    page = client.get(
        "/audit/", {"object_type": "customers.contract", "object_id": str(contract.pk)}
    )
    html = page.content.decode()
    assert "Contract changed" in html and "Suspended" in html and "Alpenkäse 6" not in html
    page = client.get("/audit/", {"actor": changes["other"].pk})
    assert "Bellevue Holding" in page.content.decode()
    assert "Alpenkäse 6" not in page.content.decode()


@pytest.mark.parametrize("odd", ["0_3", " 3", "３", str(2**70)])
def test_a_bad_screen_filter_is_left_out_alone_and_named(world, changes, odd):
    client = Client()
    client.force_login(world.manager)
    contracts = client.get("/audit/", {"object_type": "customers.contract"}).content.decode()
    both = client.get("/audit/", {"object_type": "customers.contract", "actor": odd})
    html = both.content.decode()
    assert both.status_code == 200
    assert "was left out" in html
    # The good filter still applies: only contract changes, as without the bad one.
    assert html.count("<tr>") == contracts.count("<tr>")
    assert "Bellevue Holding" not in html
