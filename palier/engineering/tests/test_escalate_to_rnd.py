"""Diagnosis D4: escalating a malfunction to R&D creates or links a defect."""

from __future__ import annotations

import pytest

from palier.engineering.actions import DefectDraft, do_escalate_to_rnd, do_update_defect
from palier.engineering.models import DefectLink, DefectStatus
from palier.engineering.queries import similar_open_defects
from palier.engineering.tests.helpers import escalated, malfunction
from palier.lib.errors import DomainError, NotAllowed
from palier.testing.factories import make_ticket, module
from palier.tickets.models import TicketEvent


def test_escalation_creates_a_defect_and_links_the_ticket_in_one_step(world):
    ticket = malfunction(world.contact_a, "Printing the delivery note fails with error 4711")
    defect = escalated(ticket, world.agent)
    ticket.refresh_from_db()
    assert ticket.status == "with_rnd"
    assert ticket.reason == "product_defect" and not ticket.billable
    assert defect.module.name == "Finance"
    assert [v.number for v in defect.affected_versions.all()] == ["11.3.1"]
    assert DefectLink.objects.get(ticket=ticket).defect == defect
    linked = TicketEvent.objects.get(ticket=ticket, kind="defect_linked")
    assert linked.internal and linked.data["defect_id"] == defect.pk


def test_a_second_ticket_joins_the_known_defect(world):
    first = malfunction(world.contact_a, "Delivery note error 4711")
    defect = escalated(first, world.agent)
    second = malfunction(world.contact_b, "Error 4711 when printing delivery notes")
    assert escalated(second, world.agent, defect=defect) == defect
    assert defect.links.count() == 2


def test_a_ticket_linked_to_a_duplicate_lands_on_the_original(world):
    original = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    copy = escalated(malfunction(world.contact_a2, "Print error"), world.agent, title="Print")
    do_update_defect(
        copy, acting_user=world.rnd, status=DefectStatus.DUPLICATE, duplicate_of=original
    )
    third = malfunction(world.contact_b, "Error 4711 again")
    assert escalated(third, world.agent, defect=copy) == original


def test_two_defects_cannot_be_duplicates_of_each_other(world):
    first = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    second = escalated(malfunction(world.contact_a2, "Print error"), world.agent, title="Print")
    third = escalated(malfunction(world.contact_b, "Printing"), world.agent, title="Printing")
    duplicate = DefectStatus.DUPLICATE
    do_update_defect(second, acting_user=world.rnd, status=duplicate, duplicate_of=first)
    do_update_defect(third, acting_user=world.rnd, status=duplicate, duplicate_of=second)
    for looping in (second, third):  # directly, or through another duplicate
        with pytest.raises(DomainError) as raised:
            do_update_defect(first, acting_user=world.rnd, status=duplicate, duplicate_of=looping)
        assert raised.value.code == "duplicate_loop"
    first.refresh_from_db()
    assert first.status != duplicate


def test_a_usage_question_cannot_go_to_rnd_and_no_defect_is_left_behind(world):
    ticket = make_ticket(world.contact_a, "usage", "How do I reverse an invoice?")
    with pytest.raises(DomainError) as raised:
        do_escalate_to_rnd(ticket, acting_user=world.agent, draft=DefectDraft(title="Nope"))
    assert raised.value.code == "finding_not_applicable"
    assert not DefectLink.objects.exists()
    from palier.engineering.models import Defect

    assert not Defect.objects.exists()


def test_a_contact_cannot_escalate_their_own_ticket(world):
    ticket = malfunction(world.contact_a, "Error 4711")
    with pytest.raises(NotAllowed):
        do_escalate_to_rnd(ticket, acting_user=world.contact_a, draft=DefectDraft(title="x"))


def test_a_wont_fix_defect_cannot_take_new_tickets(world):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    do_update_defect(defect, acting_user=world.rnd, status=DefectStatus.WONT_FIX)
    with pytest.raises(DomainError) as raised:
        escalated(malfunction(world.contact_b, "Error 4711"), world.agent, defect=defect)
    assert raised.value.code == "defect_closed"


def test_fixed_needs_a_released_patch(world):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    with pytest.raises(DomainError) as raised:
        do_update_defect(defect, acting_user=world.rnd, status=DefectStatus.FIXED)
    assert raised.value.code == "fixed_needs_patch"


def test_similar_open_defects_find_the_known_issue_by_module_version_and_words(
    world, django_assert_max_num_queries
):
    known = escalated(
        malfunction(world.contact_a, "Error 4711"),
        world.agent,
        title="Delivery note printing fails with error 4711",
    )
    escalated(
        malfunction(world.contact_a2, "Totals"),
        world.agent,
        title="Wrong VAT totals on credit notes",
    )
    other_module = escalated(
        malfunction(world.contact_b, "Error 4711 in sales", module_name="Sales"),
        world.agent,
        title="Delivery note printing fails with error 4711 in Sales",
    )
    from palier.customers.models import ProductVersion

    version, finance = ProductVersion.objects.get(number="11.3.1"), module("Finance")
    with django_assert_max_num_queries(2):
        found = similar_open_defects(
            finance, version, "Impression du bon de livraison: error 4711 printing"
        )
    assert found[0] == known
    assert other_module not in found
    older = ProductVersion.objects.get(number="11.2.0")
    assert similar_open_defects(module("Finance"), older, "error 4711") == []


def test_words_every_text_shares_make_no_look_alike(world):
    defect = escalated(
        malfunction(world.contact_a, "Erreur 4711"),
        world.agent,
        title="Les totaux de la TVA sont faux pour les notes de crédit",
    )
    # Only "les", "pour", "des", "sont", "the" and "for" in common: not the same problem.
    unrelated = "Les utilisateurs ne sont pas créés pour des raisons inconnues, the form for"
    assert similar_open_defects(module("Finance"), None, unrelated) == []
    assert similar_open_defects(module("Finance"), None, "TVA fausse sur les notes") == [defect]


def test_similar_open_defects_leave_out_closed_ones_and_empty_text(world):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    assert similar_open_defects(module("Finance"), None, "4711 error") == [defect]
    assert similar_open_defects(module("Finance"), None, "a b") == []
    do_update_defect(defect, acting_user=world.rnd, status=DefectStatus.WONT_FIX)
    assert similar_open_defects(module("Finance"), None, "4711 error") == []


@pytest.mark.parametrize("title", ["\u200b\u200e", "\u202e\u2066", " \u2800 "])
def test_a_defect_title_shows_something_whoever_writes_it(world, title):
    """It goes into the release notes every affected customer reads (lib/visible)."""
    from palier.engineering.actions import do_create_defect

    with pytest.raises(DomainError) as refused:
        do_create_defect(DefectDraft(title=title, module=module("Finance")), acting_user=world.rnd)
    assert refused.value.code == "title_invisible"
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    with pytest.raises(DomainError):
        do_update_defect(defect, acting_user=world.rnd, title=title)
    # An RLO left open is dropped: "exe.gnp" would read as "png.exe".
    do_update_defect(
        defect,
        acting_user=world.rnd,
        title="\u202egnp.exe",
        title_translations={"fr": "\u200b", "de": "Fehler\u202e 4711"},
    )
    defect.refresh_from_db()
    assert defect.title == "gnp.exe"
    assert defect.title_translations == {"de": "Fehler 4711"}


def test_the_api_and_the_desk_refuse_an_invisible_defect_title(world, api, client):
    from django.urls import reverse

    ticket = malfunction(world.contact_a, "Error 4711")
    response = api(world.agent).post(
        f"/tickets/{ticket.pk}/escalation",
        {"new_defect": {"title": "\u200b\u200e", "severity": "high"}, "note": "?"},
    )
    assert response.status_code == 422, response.content
    client.force_login(world.agent)
    page = client.post(
        reverse("web:agent:action", args=[ticket.pk, "escalate"]),
        {"title": "\u200b\u200e", "severity": "high", "expected_version": ticket.version},
    )
    assert "only invisible characters" in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.status != "with_rnd"
