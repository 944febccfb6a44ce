"""Every API answer is written by orjson (api/responses.dumps): the same JSON, value for
value, as the standard library's encoder with ninja's, and never a 500 for a value orjson
refuses."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from palier.api.responses import _Encoder, dumps

UTC = dt.UTC


def _stdlib(data: object) -> object:
    return json.loads(json.dumps(data, cls=_Encoder))


def test_instants_keep_django_form_milliseconds_and_z():
    assert json.loads(dumps({"at": dt.datetime(2026, 12, 6, 10, 0, 0, 123456, tzinfo=UTC)})) == {
        "at": "2026-12-06T10:00:00.123Z"
    }
    assert json.loads(dumps([dt.datetime(2026, 12, 6, 10, 0, tzinfo=UTC)])) == [
        "2026-12-06T10:00:00Z"
    ]
    zurich = dt.datetime(2026, 7, 1, 9, 30, 0, 5000, tzinfo=ZoneInfo("Europe/Zurich"))
    assert json.loads(dumps(zurich)) == "2026-07-01T09:30:00.005+02:00"
    assert json.loads(dumps(dt.date(2026, 2, 28))) == "2026-02-28"
    assert json.loads(dumps(dt.time(7, 5, 1, 250000))) == "07:05:01.250"


class _Row(BaseModel):
    name: str
    at: dt.datetime


def test_what_orjson_does_not_know_is_written_as_ninja_writes_it():
    data = {
        "amount": Decimal("1234.50"),
        "label": gettext_lazy("Open"),
        "uuid": uuid.UUID(int=7),
        "row": _Row(name="Zoë", at=dt.datetime(2026, 1, 1, tzinfo=UTC)),
        "span": dt.timedelta(hours=1, minutes=2),
        "nested": [{"a": None, "b": True, "c": 1.5}],
    }
    assert json.loads(dumps(data)) == _stdlib(data)


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**70},  # beyond 64 bits
        {"text": "half a pair \ud800 of surrogates"},
        {1: "a key that is not text"},
    ],
)
def test_values_orjson_refuses_are_written_by_the_standard_library(data):
    assert json.loads(dumps(data)) == _stdlib(data)


def test_a_float_that_is_not_a_number_is_null_never_invalid_json():
    # The standard library wrote NaN and Infinity, which no JSON parser of a client reads.
    assert dumps({"a": float("inf"), "b": float("-inf"), "c": float("nan")}) == (
        b'{"a":null,"b":null,"c":null}'
    )


def test_a_value_no_encoder_knows_still_raises_type_error():
    with pytest.raises(TypeError):
        dumps({"x": object()})


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_any_json_value_reads_back_as_the_standard_library_writes_it(value):
    assert json.loads(dumps(value)) == _stdlib(value)


def test_the_api_answers_through_it(world, api):
    """A ninja answer (the caller's profile, validated into its schema) and a presenter's
    dict (a ticket) both come out of orjson: text written as UTF-8, not as escapes."""
    world.agent.first_name = "Zoë"
    world.agent.save()
    agent = api(world.agent)
    me = agent.get("/me")
    assert me.status_code == 200
    assert me["Content-Type"] == "application/json; charset=utf-8"
    assert "Zoë".encode() in me.content and b"\\u00eb" not in me.content
    created = api(world.contact_a).post(
        "/tickets", {"type": "usage", "subject": "Écran gelé", "description": "Où?"}
    )
    assert created.status_code == 201, created.content
    assert "Écran gelé".encode() in created.content
    assert created.json()["created_at"].endswith("Z")


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**70, "name": "Zoë"},
        {200: "Réponse", "nested": [{"a": 1}]},
    ],
)
def test_the_standard_librarys_writing_is_orjsons_compact_utf_8(data):
    written = dumps(data)
    assert "Zoë".encode() in written or "Réponse".encode() in written
    assert b"\\u00" not in written and b", " not in written and b": " not in written


def test_a_lone_surrogate_is_still_written_as_its_escape():
    assert dumps({"text": "a\ud800é"}) == b'{"text":"a\\ud800\\u00e9"}'
