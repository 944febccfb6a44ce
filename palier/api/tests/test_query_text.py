"""The search text `q` of the list endpoints: refused (422) when too long or given twice,
never cut or picked silently; a `q` with no word is documented as listing as without it."""

from __future__ import annotations

import pytest

from palier.api.main import api as ninja_api
from palier.testing.factories import make_ticket


def refusal(response, code: str) -> dict:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == code
    return error


def test_a_search_text_over_its_limit_is_refused_naming_the_limit_not_cut(world, api):
    ticket = make_ticket(world.contact_b, subject="Facture bloquée")
    client = api(world.contact_b)  # reads French
    # Cut to 200 characters, this found the ticket by its first word alone.
    error = refusal(client.get("/tickets", q="facture " + "x" * 193), "q_too_long")
    assert error["details"] == {"parameter": "q", "limit": 200, "length": 201}
    assert error["message"] == (
        "Le texte de recherche q a au plus 200 caractères ; celui-ci en a 201."
    )
    found = client.get("/tickets", q="facture " + " " * 192)  # 200: searched
    assert [t["id"] for t in found.json()["items"]] == [ticket.pk]


def test_a_customer_search_over_its_limit_is_refused_not_cut(world, api):
    error = refusal(api(world.agent).get("/customers", q="Bellevue" + "z" * 93), "q_too_long")
    assert error["details"]["limit"] == 100
    assert error["message"] == ("The search text q has at most 100 characters; this one has 101.")
    assert [c["id"] for c in api(world.agent).get("/customers", q="Bellevue").json()] == [
        world.customer_b.pk
    ]


@pytest.mark.parametrize("path", ["/tickets", "/customers"])
def test_a_search_text_given_twice_is_refused_not_the_last_one_searched(world, api, path):
    make_ticket(world.contact_a, subject="Rechnung")
    client = api(world.contact_a2)  # reads German
    error = refusal(client.client.get(f"/api/v1{path}?q=nirgends&q=Rechnung"), "q_repeated")
    assert error["details"] == {"parameter": "q", "count": 2}
    assert error["message"] == ("Der Suchtext q ist 2 Mal angegeben; geben Sie ihn nur einmal an.")


@pytest.mark.parametrize("q", ["%", "_", "\ufffd", "?!…", "()"])
def test_a_search_text_without_a_word_lists_as_without_one_as_documented(world, api, q):
    ticket = make_ticket(world.contact_a)
    r = api(world.agent).get("/tickets", q=q)
    assert [t["id"] for t in r.json()["items"]] == [ticket.pk]
    operation = ninja_api.get_openapi_schema()["paths"]["/api/v1/tickets"]["get"]
    assert "with none (only punctuation, `%`, `_`) has nothing to search for" in " ".join(
        operation["description"].split()
    )
    assert "`q_too_long`, `q_repeated`" in operation["description"]
