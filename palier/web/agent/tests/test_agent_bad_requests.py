"""A crafted or garbled POST to a desk form says what was wrong, in the user's language,
and keeps what was typed (where the body could be read at all)."""

from __future__ import annotations

import pytest

from palier.testing.factories import make_ticket
from palier.tickets.models import Message
from palier.web.agent.tests.test_agent_ticket import form_data, url

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def ticket(world):
    return make_ticket(world.contact_a, "usage", "VAT code", module_name="Finance")


@pytest.mark.parametrize(
    "change",
    [{"expected_version": ""}, {"expected_version": "abc"}, {"last_message_id": "-3"}],
)
def test_a_missing_or_garbled_hidden_field_is_said_and_the_text_kept(client, world, ticket, change):
    client.force_login(world.agent)
    data = form_data(ticket, body="Here is where the VAT code is set.", **change)
    response = client.post(url(ticket, "update"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="form-errors"' in html
    assert "This form arrived incomplete or altered, so nothing was saved." in html
    assert "Here is where the VAT code is set." in html
    assert not Message.objects.filter(body__contains="VAT code is set").exists()


def test_the_hidden_field_message_is_in_the_users_language(client, world, ticket, settings):
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.post(url(ticket, "update"), form_data(ticket, expected_version="x"))
    assert "Dieses Formular kam unvollständig oder verändert an" in response.content.decode()


@pytest.mark.parametrize("path", ["update/", "escalate/", "/desk/new/", "/desk/bulk/"])
def test_a_body_that_cannot_be_read_answers_a_page_that_says_so(client, world, ticket, path):
    client.force_login(world.agent)
    target = path if path.startswith("/") else url(ticket) + path
    response = client.generic("POST", target, b"garbage", content_type="multipart/form-data")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="bad-request"' in html
    assert "What your browser sent arrived incomplete or altered" in html


def test_a_body_that_cannot_be_read_is_said_in_the_users_language(client, world, settings):
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.generic("POST", "/desk/new/", b"x", content_type="multipart/form-data")
    assert "La requête n’a pas pu être lue" in response.content.decode()


@pytest.mark.parametrize("kind", [None, "", "shout", "reply\x00"])
def test_a_missing_or_unknown_kind_is_said_and_the_text_kept(client, world, ticket, kind):
    client.force_login(world.agent)
    data = form_data(ticket, body="Here is where the VAT code is set.")
    if kind is None:
        del data["kind"]
    else:
        data["kind"] = kind
    response = client.post(url(ticket, "update"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="form-errors"' in html
    assert "Choose what to write: a public reply, an internal note" in html
    assert "Here is where the VAT code is set." in html
    assert not Message.objects.filter(body__contains="VAT code is set").exists()


def test_an_unknown_kind_is_said_in_the_users_language(client, world, ticket, settings):
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(url(ticket, "update"), form_data(ticket, body="x", kind="shout"))
    assert "Choisissez ce que vous écrivez" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"time_activity": "nap"}, "Choose the activity of the time spent from its list."),
        ({"then": "limbo"}, "The status to set after sending is not known."),
    ],
)
def test_a_field_shown_without_its_own_error_line_says_its_error_on_top(
    client, world, ticket, change, said
):
    client.force_login(world.agent)
    response = client.post(url(ticket, "update"), form_data(ticket, body="Kept text.", **change))
    html = response.content.decode()
    assert response.status_code == 400
    assert said in html and "Kept text." in html


@pytest.mark.parametrize("macro", ["abc", "", "0", "-3", "1_0", str(2**70), "999999"])
def test_a_garbled_or_unknown_macro_is_said_and_the_text_kept(client, world, ticket, macro):
    client.force_login(world.agent)
    data = form_data(ticket, body="Here is where the VAT code is set.", macro=macro)
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        target = url(ticket, "macro") if headers else url(ticket, "update")
        sent = {**data, "apply_macro": "1"} if not headers else data
        response = client.post(target, sent, **headers)
        html = response.content.decode()
        assert response.status_code == 400, (macro, headers)
        assert 'id="form-errors"' in html
        assert "This macro is not available: pick one from the list." in html
        assert "Here is where the VAT code is set." in html


def test_the_macro_message_is_in_the_users_language(client, world, ticket, settings):
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.post(url(ticket, "macro"), form_data(ticket, macro="x"), HTTP_HX_REQUEST="1")
    assert "Dieses Makro ist nicht verfügbar" in response.content.decode()
