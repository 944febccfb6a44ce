"""The API refuses what it does not describe, with 422, and its OpenAPI document states the
enums and ranges it enforces."""

from __future__ import annotations

from typing import Annotated, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from palier.api.main import api as ninja_api
from palier.api.schemas import In


@pytest.fixture
def manager(world, api):
    return api(world.manager)


def test_a_json_array_or_number_is_not_a_body(world, manager):
    for body in ([], [{"name": "x"}], 5, "text", None):
        r = manager.client.patch(
            f"/api/v1/customers/{world.customer_a.pk}",
            b"null" if body is None else __import__("json").dumps(body),
            content_type="application/json",
        )
        assert r.status_code == 422, (body, r.content)
        assert r.json()["error"]["code"] == "validation_error"
    world.customer_a.refresh_from_db()
    assert world.customer_a.name == "Alpenkäse AG"


@pytest.mark.parametrize("address", [[], ["Bahnhofstrasse 1"], "Bahnhofstrasse 1", 7])
def test_an_address_is_an_object(world, manager, address):
    r = manager.patch(f"/customers/{world.customer_a.pk}", {"address": address})
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"][0]["field"] == "address"


@pytest.mark.parametrize(
    "period_start", [0, 20260101, 1.5, True, "0001-01-01", "9999-12-31", "2026-02-30", "tomorrow"]
)
def test_a_day_is_iso_text_within_range(manager, period_start):
    r = manager.post("/billing-runs", {"period_start": period_start, "period_end": "2026-12-31"})
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"][0]["field"] == "period_start"


def test_a_contract_cannot_end_in_year_9999(world, manager):
    contract = world.customer_a.contracts.get()
    r = manager.patch(f"/contracts/{contract.pk}", {"end": "9999-12-31"})
    assert r.status_code == 422
    assert manager.patch(f"/contracts/{contract.pk}", {"end": "2999-12-31"}).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"hourly_rate": True},
        {"hourly_rate": "1.005"},
        {"hourly_rate": [1]},
        {"prepaid_hours": -1},
        {"prepaid_hours": 1e30},
        {"state": "reactivated"},
        {"module_ids": "1"},
    ],
)
def test_wrong_types_and_values_are_refused(world, manager, change):
    contract = world.customer_a.contracts.get()
    r = manager.patch(f"/contracts/{contract.pk}", change)
    assert r.status_code == 422, (change, r.content)


def test_unknown_sorts_and_queues_are_refused_as_the_document_says(world, api):
    client = api(world.agent)
    for params in ({"sort": "subject"}, {"queue": "vip"}):
        r = client.get("/tickets", **params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


def _schema():
    return ninja_api.get_openapi_schema(path_prefix="")


def _param(schema, path, name):
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_the_openapi_states_the_enums_and_ranges_it_enforces():
    schema = _schema()
    assert _param(schema, "/tickets", "sort")["schema"]["enum"] == [
        "-created",
        "created",
        "-updated",
        "updated",
    ]
    assert "level1" in schema["components"]["schemas"]["QueueCode"]["enum"]
    ticket_id = schema["paths"]["/tickets/{ticket_id}"]["get"]["parameters"][0]["schema"]
    assert ticket_id["maximum"] == 2**63 - 1
    assert _param(schema, "/tickets", "q")["schema"]["pattern"] == "^[^\\u0000]*$"
    components = schema["components"]["schemas"]
    rate = str(components["ContractPatch"]["properties"]["hourly_rate"])
    assert "'multipleOf': 0.01" in rate and "two decimal places" in rate
    end = str(components["ContractPatch"]["properties"]["end"])
    assert "2999-12-31" in end and "'format': 'date'" in end


def test_every_integer_and_text_of_the_document_is_bounded():
    """No integer without a range, no free text that would let NUL through."""
    loose = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "integer" and "maximum" not in node:
                loose.append(where)
            if node.get("type") == "string" and not {"enum", "format", "pattern", "const"} & set(
                node
            ):
                loose.append(where)
            for key, value in node.items():
                if key not in ("example", "examples", "default"):
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    schema = _schema()
    walk(schema["paths"], "paths")
    walk(schema["components"], "components")
    assert loose == []


def _body_schemas():
    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return set(below(In))


def _with_metadata(field):
    return Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation


def _holds_bool(annotation) -> bool:
    return annotation is bool or any(_holds_bool(a) for a in get_args(annotation))


def test_every_yes_or_no_of_a_body_is_a_json_boolean():
    """`"true"`, `"yes"`, `1` are not booleans: each boolean of a body refuses them."""
    fields = [
        (cls.__name__, name, TypeAdapter(_with_metadata(field)))
        for cls in _body_schemas()
        for name, field in cls.model_fields.items()
        if _holds_bool(field.annotation)
    ]
    assert len(fields) >= 6
    for where, name, adapter in fields:
        assert adapter.validate_python(True) is True
        for loose in ("true", "yes", 1, 1.0):
            with pytest.raises(ValidationError):
                adapter.validate_python(loose)
                pytest.fail(f"{where}.{name} took {loose!r}")


def test_a_boolean_given_as_text_is_refused_by_the_api(world, manager):
    contact = world.contact_a
    r = manager.patch(f"/people/{contact.pk}", {"is_customer_admin": "true"})
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"][0]["field"] == "is_customer_admin"
    contact.refresh_from_db()
    assert not contact.is_customer_admin
