"""Who sees what through the API: another customer's object is 404 on every endpoint, a plain
contact sees their own and shared tickets, a customer admin all of their customer's, and an
internal note never reaches a contact."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from palier.api.main import api as ninja_api
from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_add_message, do_assign

# Only these prefixes: the foundation's endpoints and every endpoint nested under a ticket.
PREFIXES = ("/tickets", "/customers", "/contracts", "/customizations")


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def sample(schema: dict, components: dict) -> Any:
    """A minimal valid value for a JSON schema: the body must pass validation so that the
    answer shows the access check, not a 422."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return sample(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: sample(props[name], components) for name in schema.get("required", [])}
    if kind == "string":
        return {"date": dt.date.today().isoformat(), "date-time": "2026-01-01T00:00:00Z"}.get(
            schema.get("format", ""), "Access check"
        )
    return {"integer": 1, "number": 1, "boolean": False, "array": []}.get(kind)


def endpoints() -> list[tuple[str, str, Any]]:
    """Every (method, path, body) of the API under PREFIXES that names an object by id."""
    schema = ninja_api.get_openapi_schema(path_prefix="")
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith(PREFIXES) or "{" not in path:
            continue
        for method, op in operations.items():
            body = None
            if "requestBody" in op:
                content = op["requestBody"]["content"]
                media = content.get("application/json") or next(iter(content.values()))
                body = sample(media["schema"], components)
            found.append((method.upper(), path, body))
    return found


def call(client, method: str, path: str, body: Any):
    c = client.client
    url = f"/api/v1{path}"
    if method == "GET":
        return c.get(url)
    return getattr(c, method.lower())(url, body or {}, content_type="application/json")


@pytest.fixture
def b_objects(world):
    b = world.customer_b
    ticket_b = make_ticket(world.contact_b, "malfunction", "Facture bloquée", visibility="shared")
    return {
        "ticket_id": ticket_b.pk,
        "customer_id": b.pk,
        "contract_id": b.contracts.first().pk,
        "customization_id": make_customization(b, "Sales", "Devis: colonne Zone", "vendor").pk,
    }


def test_every_endpoint_answers_404_to_a_contact_of_a_on_customer_bs_objects(world, api, b_objects):
    contact_a, admin_a = api(world.contact_a), api(world.admin_a)
    walked = []
    for method, path, body in endpoints():
        names = re.findall(r"{(\w+)}", path)
        if not all(name in b_objects for name in names):
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(b_objects[m.group(1)]), path)
        for client in (contact_a, admin_a):
            r = call(client, method, url, body)
            assert r.status_code == 404, (method, path, r.status_code, r.content)
            assert r.json()["error"]["code"] == "not_found"
        walked.append((method, path))
    must = {
        ("GET", "/tickets/{ticket_id}"),
        ("PATCH", "/tickets/{ticket_id}"),
        ("GET", "/tickets/{ticket_id}/messages"),
        ("POST", "/tickets/{ticket_id}/replies"),
        ("POST", "/tickets/{ticket_id}/notes"),
        ("POST", "/tickets/{ticket_id}/diagnosis"),
        ("POST", "/tickets/{ticket_id}/transitions"),
        ("POST", "/tickets/{ticket_id}/accept"),
        ("GET", "/tickets/{ticket_id}/history"),
        ("GET", "/tickets/{ticket_id}/decisions"),
        ("GET", "/customers/{customer_id}"),
        ("PATCH", "/customers/{customer_id}"),
        ("GET", "/contracts/{contract_id}"),
        ("PATCH", "/contracts/{contract_id}"),
        ("GET", "/customizations/{customization_id}"),
        ("PATCH", "/customizations/{customization_id}"),
    }
    assert must <= set(walked), must - set(walked)


def test_nothing_of_customer_b_changed_after_the_walk(world, api, b_objects):
    test_every_endpoint_answers_404_to_a_contact_of_a_on_customer_bs_objects(world, api, b_objects)
    r = api(world.contact_b).get(f"/tickets/{b_objects['ticket_id']}")
    assert r.json()["version"] == 1 and r.json()["status"] == "new"
    assert len(api(world.contact_b).get(f"/tickets/{b_objects['ticket_id']}/messages").json()) == 0


def test_a_contact_cannot_use_customer_bs_ids_when_creating(world, api, b_objects):
    client = api(world.contact_a)
    r = client.post(
        "/tickets", {"type": "usage", "subject": "x", "customer_id": b_objects["customer_id"]}
    )
    assert r.status_code == 404
    r = client.post(
        "/tickets",
        {"type": "usage", "subject": "x", "customization_id": b_objects["customization_id"]},
    )
    assert r.status_code == 404
    r = client.post(
        "/contracts",
        {
            "customer_id": b_objects["customer_id"],
            "reference": "X",
            "start": "2026-01-01",
            "end": "2026-12-31",
        },
    )
    assert r.status_code == 404
    r = client.post(
        "/customizations",
        {
            "customer_id": b_objects["customer_id"],
            "module_id": 1,
            "object": "x",
            "built_by": "vendor",
        },
    )
    assert r.status_code == 404


def test_lists_filtered_by_customer_b_are_empty_for_a_contact_of_a(world, api, b_objects):
    client = api(world.admin_a)
    b = b_objects["customer_id"]
    assert client.get("/tickets", customer_id=b).json()["items"] == []
    assert client.get("/contracts", customer_id=b).json() == []
    assert client.get("/customizations", customer_id=b).json() == []
    assert [c["id"] for c in client.get("/customers").json()] == [world.customer_a.pk]
    everything = client.get("/tickets").json()["items"]
    assert all(t["customer"]["id"] == world.customer_a.pk for t in everything)


@pytest.fixture
def a_tickets(world):
    return {
        "own": make_ticket(world.contact_a, subject="Mein Ticket"),
        "colleague_private": make_ticket(world.contact_a2, subject="Privat", visibility="private"),
        "colleague_shared": make_ticket(world.contact_a2, subject="Geteilt", visibility="shared"),
    }


def test_a_plain_contact_sees_their_own_and_shared_tickets_but_not_a_colleagues_private_one(
    world, api, a_tickets
):
    client = api(world.contact_a)
    assert client.get(f"/tickets/{a_tickets['own'].pk}").status_code == 200
    assert client.get(f"/tickets/{a_tickets['colleague_shared'].pk}").status_code == 200
    private = a_tickets["colleague_private"].pk
    for path in (
        f"/tickets/{private}",
        f"/tickets/{private}/messages",
        f"/tickets/{private}/history",
    ):
        assert client.get(path).status_code == 404, path
    r = client.post(f"/tickets/{private}/replies", {"body": "Hallo"})
    assert r.status_code == 404
    listed = {t["id"] for t in client.get("/tickets").json()["items"]}
    assert listed == {a_tickets["own"].pk, a_tickets["colleague_shared"].pk}


def test_a_customer_admin_sees_every_ticket_of_their_customer(world, api, a_tickets):
    listed = {t["id"] for t in api(world.admin_a).get("/tickets").json()["items"]}
    assert listed == {t.pk for t in a_tickets.values()}
    r = api(world.admin_a).get(f"/tickets/{a_tickets['colleague_private'].pk}")
    assert r.status_code == 200


def test_internal_notes_never_reach_a_contact(world, api, a_tickets):
    ticket = a_tickets["own"]
    do_add_message(ticket, acting_user=world.agent, body="Public answer about Buchung")
    do_add_message(
        ticket, acting_user=world.agent, body="Kunde verwechselt Zebrafink", internal=True
    )
    do_assign(ticket, world.agent, acting_user=world.agent)
    for user in (world.contact_a, world.admin_a):
        client = api(user)
        messages = client.get(f"/tickets/{ticket.pk}/messages").json()
        assert [m["body"] for m in messages] == ["Public answer about Buchung"]
        history = client.get(f"/tickets/{ticket.pk}/history").json()
        assert {e["kind"] for e in history} == {"created", "reply"}
        assert "Zebrafink" not in str(history)
        assert client.get("/tickets", q="Zebrafink").json()["items"] == []
        assert client.get("/tickets", q="Buchung").json()["items"][0]["id"] == ticket.pk
        assert client.get(f"/tickets/{ticket.pk}").json()["assignee"] is None
    staff = api(world.agent)
    assert len(staff.get(f"/tickets/{ticket.pk}/messages").json()) == 2
    assert {"note", "assigned"} <= {
        e["kind"] for e in staff.get(f"/tickets/{ticket.pk}/history").json()
    }
    assert staff.get("/tickets", q="Zebrafink").json()["items"][0]["id"] == ticket.pk


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "/diagnosis", {"finding": "customer_manipulation"}),
        ("patch", "", {"type": "feature"}),
        ("patch", "", {"criticality": "high", "reason": "mine"}),
        ("post", "/notes", {"body": "secret"}),
        ("post", "/accept", {"reason": "please"}),
    ],
)
def test_a_contact_cannot_do_staff_work_on_their_own_ticket(world, api, method, suffix, body):
    ticket = make_ticket(world.contact_a, "malfunction")
    if suffix == "/accept":
        ticket = make_ticket(world.contact_expired, "usage")
        client = api(world.contact_expired)
    else:
        client = api(world.contact_a)
    r = getattr(client, method)(f"/tickets/{ticket.pk}{suffix}", body)
    assert r.status_code == 403, r.content
    assert r.json()["error"]["code"] == "not_allowed"
    ticket.refresh_from_db()
    assert ticket.version == 1


def test_a_contact_cannot_write_customer_records_of_their_own_customer(world, api):
    client = api(world.admin_a)
    r = client.patch(f"/customers/{world.customer_a.pk}", {"name": "Renamed"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    contract = world.customer_a.contracts.first()
    r = client.patch(f"/contracts/{contract.pk}", {"state": "active", "end": "2099-12-31"})
    assert r.status_code == 403


def test_a_staff_diagnosis_note_never_reaches_a_contact(world, api):
    from palier.tickets.actions import do_diagnose

    ticket = make_ticket(world.contact_a, "malfunction")
    do_diagnose(
        ticket, "customer_manipulation", acting_user=world.agent, note="Kunde hat Zebrafink"
    )
    for user in (world.contact_a, world.admin_a):
        client = api(user)
        for path in ("", "/history", "/decisions"):
            body = client.get(f"/tickets/{ticket.pk}{path}").content.decode()
            assert "Zebrafink" not in body, (user, path)
    assert "Zebrafink" in api(world.agent).get(f"/tickets/{ticket.pk}/decisions").content.decode()


def test_only_the_requester_or_the_customer_admin_moves_a_shared_request(world, api):
    ticket = make_ticket(world.contact_a, "usage", visibility="shared")
    colleague = api(world.contact_a2)
    assert colleague.get(f"/tickets/{ticket.pk}").json()["allowed_transitions"] == []
    r = colleague.post(f"/tickets/{ticket.pk}/transitions", {"to": "closed"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_the_requester"
    assert colleague.post(f"/tickets/{ticket.pk}/replies", {"body": "Same here"}).status_code == 201
    r = api(world.admin_a).post(f"/tickets/{ticket.pk}/transitions", {"to": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
