"""Every API error is JSON with a stable code; no input a user can send yields a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palier.testing.factories import make_ticket


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


def post_raw(client, path: str, data, content_type: str = "application/json"):
    return client.client.post(f"/api/v1{path}", data, content_type=content_type)


@pytest.fixture
def agent(world, api):
    return api(world.agent)


@pytest.fixture
def ticket(world):
    return make_ticket(world.contact_a)


def test_an_unknown_request_type_is_a_validation_error_naming_the_field(world, api):
    r = api(world.contact_a).post("/tickets", {"type": "complaint", "subject": "x"})
    error = error_of(r, 422)
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"] == "type"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/tickets", {"type": "usage", "subject": "x", "criticality": "urgent"}, "criticality"),
        ("/tickets", {"type": "usage", "subject": "x", "channel": "fax"}, "channel"),
        ("/tickets", {"type": "usage", "subject": "x", "language": "es"}, "language"),
        ("/tickets/{id}/diagnosis", {"finding": "bad_luck"}, "finding"),
        ("/tickets/{id}/transitions", {"to": "limbo"}, "to"),
        ("/tickets/{id}/notes", {"body": "x", "activity": "fax"}, "activity"),
    ],
)
def test_bad_enum_values_are_refused_with_the_field(agent, ticket, path, body, field):
    r = agent.post(path.format(id=ticket.pk), {**body, "customer_id": ticket.customer_id})
    error = error_of(r, 422)
    assert field in [d["field"] for d in error["details"]]


def test_missing_fields_are_listed(world, api):
    error = error_of(api(world.contact_a).post("/tickets", {}), 422)
    assert {"type", "subject"} <= {d["field"] for d in error["details"]}


def test_an_empty_subject_is_refused(world, api):
    error_of(api(world.contact_a).post("/tickets", {"type": "usage", "subject": "   "}), 422)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("/tickets/999999", "ticket"),
        ("/customers/999999", "customer"),
        ("/contracts/999999", "contract"),
        ("/customizations/999999", "customization"),
        ("/tickets/99999999999999999999999999", "ticket"),
    ],
)
def test_unknown_ids_answer_404_not_found(agent, path, what):
    error = error_of(agent.get(path), 404)
    assert error["code"] == "not_found" and what in error["message"]


def test_unknown_ids_in_a_body_answer_404(world, agent):
    r = agent.post(
        "/tickets",
        {"type": "usage", "subject": "x", "customer_id": world.customer_a.pk, "module_id": 999999},
    )
    assert error_of(r, 404)["code"] == "not_found"


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_ids_beyond_64_bits_are_a_validation_error_not_a_database_crash(world, agent, huge):
    error_of(agent.get("/tickets", customer_id=huge), 422)
    error_of(agent.post("/tickets", {"type": "usage", "subject": "x", "customer_id": huge}), 422)
    error_of(agent.get("/customers", offset=huge), 422)


@pytest.mark.parametrize("body", ["{", '{"type": ', "[1, 2", "\xff\xfe", "nul"])
def test_malformed_json_is_refused_as_malformed_json(world, api, body):
    error = error_of(post_raw(api(world.contact_a), "/tickets", body), 400)
    assert error["code"] == "malformed_json"


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_a_validation_error(world, api, body):
    error_of(post_raw(api(world.contact_a), "/tickets", body), 422)


def test_a_body_above_the_upload_limit_is_refused_as_payload_too_large(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"type": "usage", "subject": "x", "description": "a" * 20_000})
    error = error_of(post_raw(api(world.contact_a), "/tickets", body), 413)
    assert error["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"type": "usage", "subject": "x"}'),
        ("application/x-www-form-urlencoded", "type=usage&subject=x"),
        ("application/xml", "<ticket/>"),
    ],
)
def test_a_body_that_is_not_json_is_refused_as_unsupported_media_type(
    world, api, content_type, body
):
    error = error_of(post_raw(api(world.contact_a), "/tickets", body, content_type), 415)
    assert error["code"] == "unsupported_media_type"


def test_a_nul_character_in_text_is_refused(world, api):
    r = api(world.contact_a).post("/tickets", {"type": "usage", "subject": "a\x00b"})
    assert error_of(r, 400)["code"] == "invalid_characters"
    assert (
        error_of(api(world.contact_a).get("/tickets", q="a\x00"), 400)["code"]
        == "invalid_characters"
    )


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "abc",
        base64.urlsafe_b64encode(b'{"s":"-updated","v":"x","id":1}').decode(),
        base64.urlsafe_b64encode(b'{"s":"created","v":1,"id":1}').decode(),
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'{"s":"-created","v":1,"id":Infinity}').decode(),
        base64.urlsafe_b64encode(b'{"s":"-created","v":1,"id":1e400}').decode(),
    ],
)
@pytest.mark.parametrize("q", ["", "facture"])
def test_an_invalid_cursor_is_refused_as_invalid_cursor(agent, cursor, q):
    r = agent.get("/tickets", cursor=cursor, q=q)
    assert error_of(r, 400)["code"] == "invalid_cursor"


def cursor_of(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "instant",
    ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-01-01T00:00:00"],
)
@pytest.mark.parametrize("sort", ["-updated", "updated"])
def test_a_cursor_instant_at_the_calendars_edge_or_without_offset_is_invalid(agent, instant, sort):
    cursor = cursor_of(f'{{"s":"{sort}","v":"{instant}","id":5}}')
    r = agent.get("/tickets", sort=sort, cursor=cursor)
    assert error_of(r, 400)["code"] == "invalid_cursor"


def test_a_missing_field_called_body_is_named(agent, ticket):
    error = error_of(agent.post(f"/tickets/{ticket.pk}/replies", {}), 422)
    assert [d["field"] for d in error["details"]] == ["body"]


def test_an_unknown_queue_or_sort_or_a_bad_limit_is_refused(agent):
    # Both are enums of the OpenAPI document: refused as any other invalid field.
    assert error_of(agent.get("/tickets", queue="vip"), 422)["code"] == "validation_error"
    assert error_of(agent.get("/tickets", sort="subject"), 422)["code"] == "validation_error"
    assert error_of(agent.get("/tickets", limit=0), 422)["code"] == "validation_error"
    assert error_of(agent.get("/tickets", limit=201), 422)["code"] == "validation_error"
    assert error_of(agent.get("/tickets", level=3), 422)["code"] == "validation_error"


def test_no_token_or_an_invalid_token_answers_401_json(world, api):
    for client in (
        Client(),
        Client(HTTP_AUTHORIZATION="Bearer pal_nope"),
        Client(HTTP_AUTHORIZATION="Basic YTpi"),
        Client(HTTP_AUTHORIZATION="Bearer " + "x" * 500),
    ):
        assert error_of(client.get("/api/v1/tickets"), 401)["code"] == "unauthenticated"
        assert error_of(client.post("/api/v1/tickets", {}, content_type="application/json"), 401)


def test_a_revoked_token_or_an_inactive_user_answers_401(world, api):
    from palier.accounts.actions import do_revoke_token

    client = api(world.contact_a)
    assert client.get("/me").status_code == 200
    do_revoke_token(world.contact_a.tokens.get())
    error_of(client.get("/me"), 401)
    other = api(world.contact_a2)
    world.contact_a2.is_active = False
    world.contact_a2.save()
    error_of(other.get("/me"), 401)


def test_an_unknown_address_and_a_wrong_method_answer_json(agent, ticket):
    assert error_of(agent.get("/no/such/thing"), 404)["code"] == "not_found"
    r = agent.client.delete(f"/api/v1/tickets/{ticket.pk}")
    error = error_of(r, 405)
    assert error["code"] == "method_not_allowed" and "GET" in error["details"]["allowed"]


def test_errors_before_the_api_answer_api_paths_in_json_and_pages_in_html(agent):
    client = agent.client
    # A Host not in ALLOWED_HOSTS is refused by the middleware, before the API.
    assert error_of(client.get("/api/v1/me", HTTP_HOST="evil.example"), 400)["code"] == (
        "bad_request"
    )
    assert error_of(client.get("/api/v2/tickets"), 404)["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_domain_refusal_carries_its_code(agent, ticket):
    r = agent.post(f"/tickets/{ticket.pk}/replies", {"body": "   "})
    error_of(r, 422)
    r = agent.patch(f"/tickets/{ticket.pk}", {"criticality": "high"})
    assert error_of(r, 400)["code"] == "reason_required"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
TICKET_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["usage", "malfunction", "feature", "training", "", "USAGE"])
        | JSON_VALUES,
        "subject": st.text(max_size=250) | JSON_VALUES,
        "description": st.text(max_size=100) | JSON_VALUES,
        "module_id": st.integers(min_value=-2, max_value=2**70) | JSON_VALUES,
        "customization_id": st.integers(min_value=-2, max_value=2**70) | JSON_VALUES,
        "product_version_id": st.integers(min_value=-2, max_value=2**64) | JSON_VALUES,
        "criticality": st.sampled_from(["low", "medium", "high", "critical"]) | JSON_VALUES,
        "channel": st.sampled_from(["portal", "email", "phone", "api"]) | JSON_VALUES,
        "language": st.sampled_from(["en", "fr", "de", "it", "xx"]) | JSON_VALUES,
        "visibility": st.sampled_from(["private", "shared"]) | JSON_VALUES,
        "customer_id": st.integers(min_value=-2, max_value=2**70) | JSON_VALUES,
        "contact_id": st.integers(min_value=-2, max_value=2**70) | JSON_VALUES,
    },
)


@pytest.fixture
def contact_and_agent(world, api):
    return api(world.contact_a), api(world.agent)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON_VALUES | TICKET_FIELDS)
def test_random_json_bodies_never_cause_a_server_error(contact_and_agent, body):
    for client in contact_and_agent:
        r = client.post("/tickets", body)
        assert r.status_code < 500, (body, r.content)
        assert r["Content-Type"].startswith("application/json")
        data = r.json()
        if r.status_code >= 400:
            assert data["error"]["code"] and data["error"]["message"], data
        else:
            assert r.status_code == 201 and data["reference"].startswith("PAL-")


def test_too_many_query_parameters_is_a_client_error(agent):
    # Short ones: 1100 of "status=new" would pass the address limit first (api/url_limit.py).
    r = agent.client.get("/api/v1/tickets?" + "&".join(["s=1"] * 1100))
    assert error_of(r, 400)["code"] == "too_many_fields"


def test_a_refused_part_of_a_change_leaves_the_whole_ticket_unchanged(agent, ticket):
    r = agent.patch(f"/tickets/{ticket.pk}", {"type": "feature", "criticality": "high"})
    assert error_of(r, 400)["code"] == "reason_required"
    ticket.refresh_from_db()
    assert (ticket.type, ticket.reason, ticket.version) == ("usage", "standard_usage", 1)
    assert ticket.decisions.count() == 1


def test_a_signed_in_browser_session_needs_the_csrf_token_to_write(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.contact_a)
    assert browser.get("/api/v1/me").status_code == 200
    r = browser.post(
        "/api/v1/tickets", {"type": "usage", "subject": "x"}, content_type="application/json"
    )
    assert error_of(r, 403)["code"] == "forbidden"
    browser.get("/api/v1/docs")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    r = browser.post(
        "/api/v1/tickets",
        {"type": "usage", "subject": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 201, r.content


def test_no_integer_query_parameter_of_the_api_crashes_on_a_number_beyond_64_bits(world, api):
    from palier.api.main import api as ninja_api

    schema = ninja_api.get_openapi_schema(path_prefix="")
    client = api(world.manager)
    checked = 0
    for path, operations in schema["paths"].items():
        op = operations.get("get")
        if op is None or "{" in path:
            continue
        for param in op.get("parameters", []):
            kinds = {param["schema"].get("type")} | {
                s.get("type") for s in param["schema"].get("anyOf", [])
            }
            if param["in"] == "query" and "integer" in kinds:
                r = client.get(path, **{param["name"]: 10**30})
                assert r.status_code < 500, (path, param["name"], r.content)
                assert r["Content-Type"].startswith("application/json")
                checked += 1
    assert checked >= 5


def test_a_json_number_beyond_64_bits_anywhere_in_a_body_is_refused(world, api):
    client = api(world.manager)
    r = client.post(
        "/tickets", {"type": "usage", "subject": "x", "customer_id": 1, "extra": {"deep": [10**30]}}
    )
    assert error_of(r, 422)["code"] == "number_out_of_range"


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_a_request_without_a_body_where_fields_are_required_says_so(world, api, content_type):
    """An empty body reaches no parser: ninja reported the whole object missing, as a
    field without a name ("field": "", "Field required")."""
    world.contact_a.language = "fr"
    world.contact_a.save(update_fields=["language"])
    client = api(world.contact_a).client
    extra = {"content_type": content_type} if content_type else {}
    error = error_of(client.generic("POST", "/api/v1/tickets", b"", **extra), 422)
    assert error["code"] == "validation_error"
    assert error["message"] == "La requête n’a pas de corps : envoyez ses champs en objet JSON."
    assert "details" not in error
