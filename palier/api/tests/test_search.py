"""Text search `q` on GET /api/v1/tickets: four languages, diacritics, prefixes, references,
and only what the caller may see."""

from __future__ import annotations

import pytest

from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message


@pytest.fixture
def tickets(world):
    return {
        "fr": make_ticket(
            world.contact_a,
            "malfunction",
            "Factures bloquées",
            description="La validation des factures échoue depuis la mise à jour.",
        ),
        "de": make_ticket(
            world.contact_a,
            "usage",
            "Größe der Etiketten",
            description="Wie ändere ich die Größe im Rechnungsformular?",
        ),
        "it": make_ticket(
            world.contact_a,
            "usage",
            "Stampa bolla",
            description="Perché la stampa della bolla è così lenta?",
        ),
        "en": make_ticket(
            world.contact_a,
            "usage",
            "Reversing invoices",
            description="How do I reverse a posted invoice?",
        ),
    }


def found(client, q: str) -> set[int]:
    r = client.get("/tickets", q=q)
    assert r.status_code == 200, r.content
    return {t["id"] for t in r.json()["items"]}


@pytest.mark.parametrize(
    ("q", "lang"),
    [
        ("facture", "fr"),
        ("Factures", "fr"),
        ("FACTURES", "fr"),
        ("bloquées", "fr"),
        ("bloquees", "fr"),
        ("echoue", "fr"),
        ("échoue", "fr"),
        ("mise à jour", "fr"),
        ("Größe", "de"),
        ("grösse", "de"),
        ("grosse", "de"),
        ("GRÖSSE", "de"),
        ("Rechnung", "de"),
        ("etikett", "de"),
        ("perché", "it"),
        ("perche", "it"),
        ("PERCHÉ", "it"),
        ("lent", "it"),
        ("invoice", "en"),
        ("Invoices", "en"),
        ("revers", "en"),
        ("posted invoice", "en"),
    ],
)
def test_words_are_found_in_every_language_with_or_without_diacritics_and_by_prefix(
    world, api, tickets, q, lang
):
    assert found(api(world.contact_a), q) == {tickets[lang].pk}


def test_every_word_of_the_query_must_match(world, api, tickets):
    client = api(world.contact_a)
    assert found(client, "factures mise") == {tickets["fr"].pk}
    assert found(client, "factures invoice") == set()


def test_words_of_public_replies_are_found(world, api, tickets):
    do_add_message(tickets["en"], acting_user=world.agent, body="Use the Stornobuchung button.")
    assert found(api(world.contact_a), "stornobuchung") == {tickets["en"].pk}


def test_a_reference_finds_its_ticket(world, api, tickets):
    ticket = tickets["it"]
    assert found(api(world.contact_a), ticket.reference) == {ticket.pk}
    assert found(api(world.contact_a), ticket.reference.lower()) == {ticket.pk}
    assert found(api(world.agent), f"  {ticket.reference} ") == {ticket.pk}
    # The same number with another year names no ticket.
    year = int(ticket.reference.split("-")[1])
    assert found(api(world.agent), ticket.reference.replace(str(year), str(year - 1))) == set()
    assert found(api(world.agent), f"PAL-9999-{ticket.pk:06d}") == set()
    # An id beyond any database integer is no reference (and no error).
    assert found(api(world.agent), f"PAL-{year}-{'9' * 18}") == set()
    assert found(api(world.agent), f"PAL-{year}-{'9' * 30}") == set()


def test_search_never_shows_another_customers_or_a_colleagues_private_ticket(world, api, tickets):
    make_ticket(world.contact_b, "usage", "Factures de Bellevue")
    private = make_ticket(world.contact_a2, "usage", "Factures privées", visibility="private")
    assert found(api(world.contact_b), tickets["fr"].reference) == set()
    assert tickets["fr"].pk not in found(api(world.contact_b), "factures")
    assert len(found(api(world.contact_b), "factures")) == 1
    assert found(api(world.contact_a), "factures") == {tickets["fr"].pk}
    assert found(api(world.admin_a), "factures") == {tickets["fr"].pk, private.pk}
    assert len(found(api(world.agent), "factures")) == 3


def test_internal_notes_are_searchable_by_staff_only(world, api, tickets):
    do_add_message(tickets["de"], acting_user=world.agent, body="Kulanzfall intern", internal=True)
    assert found(api(world.contact_a), "kulanzfall") == set()
    assert found(api(world.admin_a), "kulanzfall") == set()
    assert found(api(world.agent), "kulanzfall") == {tickets["de"].pk}


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "^",
        "NEAR(a b)",
        "a OR b",
        "AND",
        "-x",
        "'; drop table x; --",
        ":*",
        "{public}",
        "a:b",
        "!!",
        "()",
        "&|",
        "\\",
        "x" * 200,  # the longest; past it, 422 (test_query_text.py)
        "ÿ" * 50,
        "日本語",
        "   ",
    ],
)
def test_search_syntax_characters_are_words_not_commands(world, api, tickets, q):
    r = api(world.agent).get("/tickets", q=q)
    assert r.status_code == 200, r.content


def test_search_combines_with_filters(world, api, tickets):
    client = api(world.agent)
    r = client.get("/tickets", q="factures", type="usage")
    assert r.json()["items"] == []
    r = client.get("/tickets", q="factures", type="malfunction")
    assert [t["id"] for t in r.json()["items"]] == [tickets["fr"].pk]
