"""Edges of the input an outside try found: id filters at 0, booleans read as integers.

Each test walks every endpoint of the document, so that a new one cannot bring the fault back.
"""

from __future__ import annotations

import typing

import pytest
from pydantic import Strict
from pydantic.fields import FieldInfo

from palier.api.main import api as ninja_api
from palier.tickets.models import Ticket

# Positions to page from, not filters: after_id=0 is the start of the list.
CURSORS = {"after_id", "before_id"}


def _list_id_filters():
    schema = ninja_api.get_openapi_schema(path_prefix="")
    for path, item in schema["paths"].items():
        if "{" in path or "get" not in item:
            continue
        for param in item["get"].get("parameters", []):
            name = param["name"]
            if (
                param["in"] == "query"
                and name.endswith("_id")
                and name not in CURSORS | {"object_id"}
            ):
                yield path, name


ID_FILTERS = sorted(_list_id_filters())


def test_the_walk_finds_the_id_filters():
    assert ("/tickets", "customer_id") in ID_FILTERS
    assert ("/time-entries", "ticket_id") in ID_FILTERS
    assert ("/defects", "module_id") in ID_FILTERS
    assert len(ID_FILTERS) >= 15


@pytest.mark.parametrize(("path", "name"), ID_FILTERS)
def test_an_id_filter_at_zero_or_below_is_refused_not_ignored(world, api, path, name):
    client = api(world.manager)
    # Python's int() reads "1_0" as 10 and " 7" as 7; "٣" (an Arabic-Indic three) as 3.
    for value in ("0", "-1", "1_0", " 7", "٣", "+1", "--1"):
        r = client.get(path, **{name: value})
        assert r.status_code == 422, (path, name, value, r.content)
        body = r.json()["error"]
        assert body["code"] == "validation_error"
        assert f"query.{name}" in [d["field"] for d in body["details"]], body


def test_an_id_filter_at_zero_is_refused_in_the_callers_language(world, api):
    r = api(world.contact_b).get("/tickets", customer_id="0")
    assert r.status_code == 422
    message = r.json()["error"]["details"][0]["message"]
    assert message == "La valeur doit être supérieure ou égale à 1"


def _lax_integers(annotation, metadata=(), where="") -> list[str]:
    """Where an integer of a body would take true, 1.5 or "1" (pydantic's lax mode)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        more = []
        for item in extra:
            more.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _lax_integers(base, (*metadata, *more), where)
    if annotation is int:
        return [] if any(isinstance(m, Strict) and m.strict for m in metadata) else [where]
    if hasattr(annotation, "model_fields"):
        found = []
        for name, field in annotation.model_fields.items():
            found += _lax_integers(field.annotation, field.metadata, f"{where}.{name}")
        return found
    found = []
    for arg in typing.get_args(annotation):
        found += _lax_integers(arg, (), where)
    return found


def test_every_integer_of_every_request_body_is_strict():
    lax = []
    for _prefix, router in ninja_api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__name__.startswith("BodyParams"):
                        lax += [f"{path}{w}" for w in _lax_integers(model, (), "")]
    assert lax == []


@pytest.mark.parametrize("module_id", [True, False, 1.5, 1.0, "1", [1]])
def test_an_id_in_a_body_is_a_json_integer(world, api, module_id):
    r = api(world.contact_a).post(
        "/tickets", {"type": "usage", "subject": "VAT code", "module_id": module_id}
    )
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"][0]["field"] == "module_id"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("minutes", [True, 30.0, "30"])
def test_a_count_in_a_body_is_a_json_integer(world, api, minutes):
    ticket = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "VAT"}).json()
    r = api(world.consultant).post(
        f"/tickets/{ticket['id']}/time-entries", {"minutes": minutes, "activity": "support"}
    )
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"][0]["field"] == "minutes"


def test_an_audit_object_id_without_its_type_is_refused_not_ignored(world, api):
    r = api(world.manager).get("/audit", object_id="0")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "object_type_required"


def _scoped_writes():
    from palier.api.scoping import GATES

    schema = ninja_api.get_openapi_schema(path_prefix="")
    for path, item in schema["paths"].items():
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        if not names or not all(name in GATES for name in names):
            continue
        for method in ("post", "patch", "put"):
            if method in item and "requestBody" in item[method]:
                yield method, path, names


SCOPED_WRITES = sorted(_scoped_writes())


def test_the_walk_finds_the_scoped_writes():
    assert ("post", "/tickets/{ticket_id}/replies", ["ticket_id"]) in SCOPED_WRITES
    assert len(SCOPED_WRITES) >= 15


@pytest.mark.parametrize(("method", "path", "names"), SCOPED_WRITES)
def test_an_object_out_of_reach_is_not_found_before_its_body_is_read(
    world, api, method, path, names
):
    client = api(world.contact_b)
    for pk in ("987654321", "-1"):  # no such object; a negative id names none either
        url = path
        for name in names:
            url = url.replace("{" + name + "}", pk)
        r = getattr(client, method)(url, {"no_such_field": True})
        assert r.status_code in (403, 404), (method, path, pk, r.content)
    assert r.json()["error"]["code"] in ("not_found", "forbidden", "not_allowed"), r.content


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": 5}, {"nope": 1}])
def test_a_reply_to_another_customers_ticket_is_not_found_whatever_its_body(world, api, body):
    ticket = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "VAT"}).json()
    r = api(world.contact_b).post(f"/tickets/{ticket['id']}/replies", body)
    assert r.status_code == 404, r.content
    assert r.json()["error"]["code"] == "not_found"
    # Its own author still hears what was wrong with the body.
    assert api(world.contact_a).post(f"/tickets/{ticket['id']}/replies", body).status_code == 422


def _lists():
    schema = ninja_api.get_openapi_schema(path_prefix="")
    paths = schema["paths"].items()
    return sorted(path for path, item in paths if "get" in item and "{" not in path)


def test_head_answers_as_get_without_a_body(world, api):
    client = api(world.contact_a)
    client.post("/tickets", {"type": "usage", "subject": "VAT code"})
    got = client.get("/tickets")
    head = client.client.head("/api/v1/tickets")
    assert head.status_code == 200, head.content
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content)


@pytest.mark.parametrize("path", _lists())
def test_head_is_allowed_wherever_get_is(world, api, path):
    client = api(world.manager)
    got = client.get(path)
    head = client.client.head(f"/api/v1{path}")
    assert head.status_code == got.status_code, path
    assert (b"".join(head.streaming_content) if head.streaming else head.content) == b""


def test_a_method_refused_on_a_readable_path_names_head_among_the_allowed(world, api):
    r = api(world.manager).client.put("/api/v1/tickets", "{}", content_type="application/json")
    assert r.status_code == 405
    assert set(r.json()["error"]["details"]["allowed"]) >= {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("subject", ["\u200b\u200e\u202e", "\u2066\u2069 ", "\u3164", "\u0301"])
def test_a_subject_of_only_invisible_characters_is_refused(world, api, subject):
    r = api(world.contact_b).post("/tickets", {"type": "usage", "subject": subject})
    assert r.status_code == 422, r.content
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "subject"
    assert (
        detail["message"]
        == "Écrivez quelque chose de visible : ce texte ne contient que des caractères invisibles."
    )
    assert not Ticket.objects.exists()


def test_a_bidi_override_left_open_in_a_subject_is_dropped(world, api):
    r = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "Rechnung\u202efdp.exe"})
    assert r.status_code == 201, r.content
    assert r.json()["subject"] == "Rechnungfdp.exe"


def test_a_customer_name_shows_something_too(world, api):
    r = api(world.manager).patch(f"/customers/{world.customer_a.pk}", {"name": "\u200b"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "name"


def test_an_api_address_over_its_limit_answers_json_414_in_the_callers_language(world, api):
    client = api(world.contact_b)  # reads French
    r = client.get("/tickets", q="a" * 8000)
    assert r.status_code == 414
    error = r.json()["error"]
    assert error["code"] == "uri_too_long" and error["details"]["limit_bytes"] == 8000
    assert error["message"].startswith("L’adresse est trop longue")
    # Under the address's limit, the endpoint answers: here that q is over its own.
    assert client.get("/tickets", q="a" * 7000).json()["error"]["code"] == "q_too_long"


def test_the_erp_position_is_digits_alone(world, api):
    """`after` pages the ERP export: "1_0" is not position 10 (an outside try)."""
    client = api(world.manager)
    assert client.get("/erp/invoices", after="0").status_code == 200
    for value in ("1_0", " 7", "+1", "-1"):
        r = client.get("/erp/invoices", after=value)
        assert r.status_code == 422, (value, r.content)


@pytest.mark.parametrize(
    "after",
    ["-1", "-0001", str(2**63), str(2**64), str(2**70), "9" * 40, "-" + str(2**70), "1e3", ""],
)
def test_an_erp_position_below_zero_or_past_64_bits_is_a_json_422(world, api, after):
    client = api(world.manager)
    r = client.get("/erp/invoices", after=after)
    assert r.status_code == 422, (after, r.content)
    error = r.json()["error"]
    assert error["code"] and error["message"]


LISTS = [
    "/tickets",
    "/customers",
    "/people",
    "/installations",
    "/audit",
    "/time-entries",
    "/invoices",
    "/erp/invoices",
    "/mail/quarantine",
    "/mail/unmatched",
    "/defects",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["1_0", " 7", "+7", "-1", "0", "١٠"])
def test_a_page_size_is_digits_alone_in_range_or_a_json_422(world, api, path, limit):
    """A page's limit is read as positions are (fbc6af6): '1_0' was 10, ' 7' was 7, and
    some lists took -1 or 0 for 1 (mail) or answered 400 (billing)."""
    r = api(world.manager).get(path, limit=limit)
    assert r.status_code == 422, (path, limit, r.content)
    assert r.json()["error"]["message"]
    assert api(world.manager).get(path, limit="7").status_code == 200


@pytest.mark.parametrize("offset", ["1_0", " 7", "-1"])
def test_a_customers_offset_is_digits_alone(world, api, offset):
    assert api(world.manager).get("/customers", offset=offset).status_code == 422
