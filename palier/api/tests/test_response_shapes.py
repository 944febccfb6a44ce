"""The hot endpoints answer straight from the presenters' dicts (api/responses.py), without
django-ninja's validation pass: these tests hold those answers to the schemas the OpenAPI
document promises, key for key, and hold a ticket's list entry to its detail."""

from __future__ import annotations

import pytest
from django.utils import translation
from pydantic import BaseModel

from palier.api.schemas import TicketDetailOut, TicketOut, TicketPageOut
from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_assign, do_diagnose
from palier.tickets.states import Status


def assert_same_keys(data, model: type[BaseModel], where: str = "") -> None:
    """`data` has exactly the fields of `model`, nested models included."""
    assert isinstance(data, dict), where
    assert set(data) == set(model.model_fields), where
    for name, field in model.model_fields.items():
        value = data[name]
        nested = _model_of(field.annotation)
        if nested is not None and isinstance(value, dict):
            assert_same_keys(value, nested, f"{where}.{name}")
        elif nested is not None and isinstance(value, list):
            for i, item in enumerate(value):
                assert_same_keys(item, nested, f"{where}.{name}[{i}]")


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


@pytest.fixture
def tickets(world):
    custom = make_customization(world.customer_a, "Sales", "Order line: Zone", "vendor")
    plain = make_ticket(world.contact_a, "usage", "How do I print?", module_name="Sales")
    rich = make_ticket(
        world.contact_a,
        "malfunction",
        "Zone column empty",
        module_name="Sales",
        customization=custom,
        visibility="shared",
    )
    do_assign(rich, world.agent, acting_user=world.agent)
    do_diagnose(rich, "customization_error", acting_user=world.agent, note="our field")
    return plain, rich


@pytest.mark.parametrize("user", ["agent", "contact_a", "admin_a"])
def test_list_and_detail_answers_match_their_schemas(world, api, tickets, user):
    client = api(getattr(world, user))
    page = client.get("/tickets").json()
    TicketPageOut.model_validate(page)
    assert_same_keys(page, TicketPageOut)
    assert len(page["items"]) == 2
    for item in page["items"]:
        detail = client.get(f"/tickets/{item['id']}").json()
        TicketDetailOut.model_validate(detail)
        assert_same_keys(detail, TicketDetailOut)
        # The list entry is the detail's head, field for field.
        assert item == {name: detail[name] for name in TicketOut.model_fields}


def test_a_list_entry_names_its_relations_as_the_models_do(world, api, tickets):
    _plain, rich = tickets
    world.agent.first_name, world.agent.last_name = "Lena", "Keller"
    world.agent.save()
    item = next(t for t in api(world.agent).get("/tickets").json()["items"] if t["id"] == rich.pk)
    rich.refresh_from_db()
    assert item["reference"] == rich.reference
    assert item["customization"] == {"id": rich.customization_id, "name": str(rich.customization)}
    assert item["contact"] == {"id": world.contact_a.pk, "name": str(world.contact_a)}
    assert item["assignee"] == {"id": world.agent.pk, "name": "Lena Keller"}
    with translation.override(world.agent.language):
        assert item["status_label"] == str(Status(rich.status).label)
    assert item["reason"] == rich.reason


def test_a_contact_never_reads_the_assignee_or_the_teams_status_words(world, api, tickets):
    _plain, rich = tickets
    rich.refresh_from_db()
    item = next(
        t for t in api(world.contact_a).get("/tickets").json()["items"] if t["id"] == rich.pk
    )
    assert item["assignee"] is None
    with translation.override(world.contact_a.language):
        assert item["status_label"] == rich.customer_status_label
    staff_item = next(
        t for t in api(world.agent).get("/tickets").json()["items"] if t["id"] == rich.pk
    )
    assert staff_item["assignee"] is not None


def test_creation_answers_the_detail_schema(world, api):
    r = api(world.contact_a).post(
        "/tickets", {"type": "usage", "subject": "How do I export?", "module_id": None}
    )
    assert r.status_code == 201, r.content
    assert r["Content-Type"] == "application/json; charset=utf-8"
    TicketDetailOut.model_validate(r.json())
    assert_same_keys(r.json(), TicketDetailOut)
