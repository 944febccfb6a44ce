"""The triage panel on the agent's ticket page: suggestion, reasons, hint, look-alikes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palier.engineering.actions import DefectDraft, do_create_defect
from palier.testing.factories import make_ticket, module
from palier.tickets.actions import do_transition
from palier.tickets.models import Ticket


@pytest.fixture
def en(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _panel(client, ticket):
    return client.get(reverse("web:knowledge:triage", args=[ticket.pk])).content.decode()


def test_a_mailed_request_gets_type_words_similar_tickets_and_defects(
    client, world, en, django_assert_max_num_queries
):
    old = make_ticket(
        world.contact_b, subject="Printing the delivery note fails", module_name="Logistics"
    )
    do_transition(old, "resolved", acting_user=world.agent)
    do_create_defect(
        DefectDraft(title="Delivery note printing fails on page two", module=module("Logistics")),
        acting_user=world.rnd,
    )
    ticket = make_ticket(
        world.contact_a,
        request_type=None,
        subject="Delivery note printing fails",
        description="Printing the delivery note fails with error 4711 since this morning.",
        module_name="Logistics",
        channel="email",
        acting_user=world.agent,
    )
    client.force_login(world.agent)
    with django_assert_max_num_queries(12):
        html = _panel(client, ticket)
    assert 'data-type="malfunction"' in html
    assert "Words that weighed most" in html and "fails" in html
    assert old.reference in html
    assert "Delivery note printing fails on page two" in html
    assert 'id="triage-mismatch"' not in html


def test_the_contacts_pick_stands_and_a_confident_disagreement_is_a_hint(client, world, en):
    ticket = make_ticket(
        world.contact_a,
        request_type="training",
        subject="Error 4711 when printing",
        description="Printing fails with error 4711; the delivery note does not work.",
    )
    client.force_login(world.agent)
    html = _panel(client, ticket)
    assert 'id="triage-mismatch"' in html
    assert "The customer chose “Information or training”" in html
    assert Ticket.objects.get(pk=ticket.pk).type == "training"


def test_an_unsure_triage_says_so(client, world, en, settings):
    settings.PALIER_TRIAGE_MIN_CONFIDENCE = 0.999
    ticket = make_ticket(
        world.contact_a,
        request_type=None,
        subject="Hello",
        channel="email",
        acting_user=world.agent,
    )
    client.force_login(world.agent)
    html = _panel(client, ticket)
    assert 'id="triage-abstained"' in html and 'id="triage-suggestion"' not in html


def test_a_resolved_ticket_offers_to_become_an_article(client, world, en):
    ticket = make_ticket(world.contact_a)
    client.force_login(world.agent)
    assert "Turn into a draft article" not in _panel(client, ticket)
    do_transition(ticket, "resolved", acting_user=world.agent)
    assert "Turn into a draft article" in _panel(client, ticket)


def test_the_panel_says_the_triage_is_learning_when_no_model_can_be_learnt_now(
    client, world, en, settings, tmp_path
):
    """No model yet and a transaction open (a model is never learnt inside one): the panel
    answers, says so, and still lists the look-alikes; it does not fail."""
    from django.db import transaction

    from palier.triage.suggest import forget_model

    settings.PALIER_TRIAGE_MODEL = str(tmp_path / "none-yet.pickle")
    forget_model()
    ticket = make_ticket(world.contact_a, subject="Delivery note printing fails")
    client.force_login(world.agent)
    try:
        with transaction.atomic():
            response = client.get(reverse("web:knowledge:triage", args=[ticket.pk]))
    finally:
        forget_model()
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="triage-learning"' in html and "still learning" in html
    assert "Similar resolved tickets" in html and 'id="triage-suggestion"' not in html
    assert not (tmp_path / "none-yet.pickle").exists()  # nothing learnt inside it
