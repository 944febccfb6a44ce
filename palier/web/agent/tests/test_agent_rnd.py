"""R&D on the ticket page: known defects like a malfunction, escalation (D4), the linked defect."""

from __future__ import annotations

import pytest

from palier.customers.models import Product
from palier.engineering.actions import do_create_patch
from palier.engineering.models import Defect, DefectLink
from palier.engineering.tests.helpers import escalated, malfunction
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message


def url(ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def known(world) -> Defect:
    """An open defect of Finance 11.3.1, found on another customer's ticket."""
    first = malfunction(world.contact_b, "Erreur 4711 à l'impression du bulletin")
    return escalated(first, world.agent, title="Delivery note print fails with error 4711")


@pytest.fixture
def ticket(world):
    return malfunction(
        world.contact_a,
        "Printing the delivery note fails",
        description="Error 4711 when printing the delivery note.",
    )


def test_a_malfunction_lists_known_open_defects_like_it_with_a_link_button(
    client, world, known, ticket
):
    client.force_login(world.agent)
    response = client.get(url(ticket))
    assert response.status_code == 200
    assert response.context["similar_defects"] == [known]
    body = response.content.decode()
    assert "Known defects like this one" in body
    assert known.reference in body and "Link to this defect" in body
    assert f'name="defect" value="{known.pk}"' in body


def test_a_defect_of_another_module_is_not_offered(client, world, known):
    other = malfunction(
        world.contact_a, "Printing the delivery note fails with error 4711", module_name="Sales"
    )
    client.force_login(world.agent)
    response = client.get(url(other))
    assert response.context["similar_defects"] == []
    assert "No open defect of this module and version" in response.content.decode()


def test_linking_a_known_defect_sends_the_ticket_to_rnd_as_a_product_defect(
    client, world, known, ticket
):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "escalate"), {"defect": known.pk, "expected_version": ticket.version}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "with_rnd"
    assert (ticket.level, ticket.billable, ticket.reason) == (1, False, "product_defect")
    assert ticket.decision.finding == "product_defect"
    assert DefectLink.objects.get(ticket=ticket).defect == known
    page = client.get(url(ticket)).content.decode()
    assert f"Escalated to R&amp;D, linked to {known.reference}." in page


def test_escalating_with_a_new_defect_records_it_for_the_tickets_module_and_version(
    client, world, ticket
):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "escalate"),
        {
            "title": "Delivery note: error 4711 on print",
            "severity": "high",
            "note": "Reproduced on our 11.3.1 test system.",
            "expected_version": ticket.version,
        },
    )
    assert response.status_code == 302
    defect = DefectLink.objects.get(ticket=ticket).defect
    assert (defect.title, defect.severity, defect.module.name) == (
        "Delivery note: error 4711 on print",
        "high",
        "Finance",
    )
    assert [v.number for v in defect.affected_versions.all()] == ["11.3.1"]
    ticket.refresh_from_db()
    assert ticket.status == "with_rnd" and ticket.decision.note.startswith("Reproduced")


def test_escalation_without_a_defect_or_a_title_is_refused_next_to_the_field(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(url(ticket, "escalate"), {"expected_version": ticket.version})
    assert response.status_code == 400
    assert "Give the new defect a title, or link a known defect." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new" and not DefectLink.objects.exists()


def test_a_defect_that_no_longer_exists_is_a_message_not_an_error(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "escalate"), {"defect": 999_999, "expected_version": ticket.version}
    )
    assert response.status_code == 400
    assert "This defect does not exist any more." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_an_escalation_over_a_newer_version_of_the_ticket_is_a_conflict(
    client, world, known, ticket
):
    stale = ticket.version
    do_add_message(ticket, acting_user=world.agent, body="Looking at it.", internal=True)
    client.force_login(world.agent)
    response = client.post(url(ticket, "escalate"), {"defect": known.pk, "expected_version": stale})
    assert response.status_code == 409
    assert not DefectLink.objects.filter(ticket=ticket).exists()


def test_an_rnd_ticket_shows_its_linked_defect_and_the_planned_patch(client, world, known, ticket):
    escalated(ticket, world.agent, defect=known)
    do_create_patch(
        acting_user=world.rnd,
        product=Product.objects.get(code="erp"),
        number="11.3.2",
        defects=[known],
    )
    client.force_login(world.agent)
    response = client.get(url(ticket))
    body = response.content.decode()
    assert response.context["linked_defect"] == known
    assert "Linked defect" in body and known.reference in body
    assert "11.3.2" in body and "planned" in body
    # Already with R&D: no second escalation is offered.
    assert not response.context["can_escalate"] and "escalate-form" not in body


def test_a_usage_question_offers_no_escalation(client, world, known):
    question = make_ticket(world.contact_a, "usage", "How do I print a delivery note?")
    client.force_login(world.agent)
    response = client.get(url(question))
    assert not response.context["can_escalate"]
    assert "Known defects like this one" not in response.content.decode()


def test_the_diagnosis_form_leaves_d4_to_the_escalation_form(client, world, ticket):
    client.force_login(world.agent)
    form = client.get(url(ticket)).context["form"]
    offered = {value for value, _label in form.fields["finding"].choices}
    assert "product_defect" not in offered and "customer_manipulation" in offered


@pytest.mark.parametrize("persona", ["contact_a", "admin_a", "contact_b"])
def test_a_contact_cannot_escalate_and_gets_not_found(client, world, known, ticket, persona):
    client.force_login(getattr(world, persona))
    response = client.post(
        url(ticket, "escalate"), {"defect": known.pk, "expected_version": ticket.version}
    )
    assert response.status_code == 404
    assert not DefectLink.objects.filter(ticket=ticket).exists()


def test_the_rnd_panel_adds_a_fixed_number_of_queries_whatever_the_defects(
    client, world, ticket, django_assert_max_num_queries
):
    for i in range(8):
        other = malfunction(world.contact_b, f"Delivery note error 4711 case {i}")
        escalated(other, world.agent, title=f"Delivery note print fails with error 4711 ({i})")
    for i in range(20):
        do_add_message(ticket, acting_user=world.contact_a, body=f"Message {i}")
    client.force_login(world.agent)
    # The page's own budget (25) plus the panel's three: link, ranked words, defects.
    with django_assert_max_num_queries(28):
        response = client.get(url(ticket))
    assert len(response.context["similar_defects"]) == 5
