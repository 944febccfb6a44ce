"""Releasing a patch: linked tickets move on, each contact is told once, notes are generated."""

from __future__ import annotations

import pytest

from palier.customers.models import Installation, Product, ProductVersion
from palier.engineering.actions import (
    do_create_patch,
    do_release_patch,
    do_request_deployment,
    do_update_defect,
)
from palier.engineering.models import DefectStatus, DeploymentRequest
from palier.engineering.queries import customers_on_older_versions
from palier.engineering.release_notes import release_notes
from palier.engineering.tests.helpers import escalated, malfunction, plan_patch
from palier.lib.errors import DomainError, NotAllowed
from palier.tickets.actions import do_transition
from palier.tickets.models import TicketEvent


@pytest.fixture
def fixed(world):
    """One defect hit by two customers (three tickets), fixed in planned patch 11.3.2."""
    t1 = malfunction(world.contact_a, "Delivery note error 4711")
    defect = escalated(t1, world.agent)
    t2 = malfunction(world.contact_a2, "Print fails, error 4711")
    escalated(t2, world.agent, defect=defect)
    t3 = malfunction(world.contact_b, "Erreur 4711 à l'impression")
    escalated(t3, world.agent, defect=defect)
    do_update_defect(
        defect,
        acting_user=world.rnd,
        title_translations={"fr": "L'impression du bulletin échoue (4711)"},
    )
    return defect, plan_patch(world, defect, "Install on every client."), [t1, t2, t3]


def _mails(kind: str) -> list[str]:
    from palier.mailgateway.models import OutboundMessage

    return sorted(OutboundMessage.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_planning_a_patch_puts_the_linked_tickets_in_waiting_for_patch(world, fixed):
    _defect, _patch, tickets = fixed
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == "waiting_patch"


def test_release_notifies_each_linked_contact_exactly_once_even_if_retried(
    world, fixed, django_capture_on_commit_callbacks
):
    defect, patch, tickets = fixed
    # The worker runs each event's handlers (here: the mail handler) after each commit.
    with django_capture_on_commit_callbacks(execute=True):
        first = do_release_patch(patch, acting_user=world.rnd)
    with django_capture_on_commit_callbacks(execute=True):
        second = do_release_patch(patch, acting_user=world.rnd)
    with django_capture_on_commit_callbacks(execute=True):
        third = do_release_patch(patch, acting_user=world.manager)
    assert sorted(first.notified_ticket_ids) == sorted(t.pk for t in tickets)
    assert second.notified_ticket_ids == [] and third.notified_ticket_ids == []
    assert second.already_released
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == "patch_available"
        events = TicketEvent.objects.filter(ticket=ticket, kind="patch_available")
        assert events.count() == 1
        assert events.get().data["version"] == "11.3.2"
    # The mail handler ran for each event: one mail per contact, none twice.
    assert _mails("patch_available") == sorted(
        [world.contact_a.email, world.contact_a2.email, world.contact_b.email]
    )
    defect.refresh_from_db()
    assert defect.status == DefectStatus.FIXED


def test_a_ticket_linked_after_the_release_is_told_on_the_next_run_only(world, fixed):
    defect, patch, _tickets = fixed
    do_release_patch(patch, acting_user=world.rnd)
    late = malfunction(world.admin_a, "Still error 4711 on 11.3.1")
    escalated(late, world.agent, defect=defect)
    assert do_release_patch(patch, acting_user=world.rnd).notified_ticket_ids == [late.pk]
    assert do_release_patch(patch, acting_user=world.rnd).notified_ticket_ids == []


def test_closed_tickets_are_not_reopened_by_a_release(world, fixed):
    _defect, patch, tickets = fixed
    do_transition(tickets[0], "in_progress", acting_user=world.agent)
    do_transition(tickets[0], "resolved", acting_user=world.agent)
    result = do_release_patch(patch, acting_user=world.rnd)
    assert tickets[0].pk not in result.notified_ticket_ids
    tickets[0].refresh_from_db()
    assert tickets[0].status == "resolved"


def test_the_patch_message_carries_release_notes_in_the_contacts_language(world, fixed):
    defect, patch, tickets = fixed
    do_release_patch(patch, acting_user=world.rnd)
    french = TicketEvent.objects.get(ticket=tickets[2], kind="patch_available").data
    assert french["language"] == "fr"
    assert "L'impression du bulletin échoue (4711)" in french["release_notes"]
    german = TicketEvent.objects.get(ticket=tickets[0], kind="patch_available").data
    assert defect.title in german["release_notes"]


def test_release_notes_list_every_fixed_defect_by_module(world, fixed):
    defect, patch, _tickets = fixed
    notes = release_notes(patch, "en")
    assert notes.splitlines()[0] == "Palier ERP 11.3.2"
    assert f"- {defect.reference} Finance: {defect.title}" in notes
    assert "Install on every client." in notes


def test_release_notes_speak_the_readers_language_with_module_names_and_rnds_notes(world):
    """A French customer once read "Finance: ..." and R&D's English notes (issue 14)."""
    from palier.customers.models import Module

    t1 = malfunction(world.contact_a, "Delivery note error 4711")
    defect = escalated(t1, world.agent)
    Module.objects.filter(pk=defect.module_id).update(name_de="Finanzen", name_fr="Finances")
    product = Product.objects.get(code="erp")
    patch = do_create_patch(
        acting_user=world.rnd,
        product=product,
        number="11.3.2",
        defects=[defect],
        notes="Install on every client.",
        notes_translations={"de": "Auf jedem Client installieren.", "xx": "ignored", "it": " "},
    )
    assert patch.notes_translations == {"de": "Auf jedem Client installieren."}
    german = release_notes(patch, "de")
    assert f"{defect.reference} Finanzen: " in german
    assert "Auf jedem Client installieren." in german and "Install on" not in german
    french = release_notes(patch, "fr")
    assert "Finances: " in french and "Install on every client." in french  # none in French
    assert "Finance: " in release_notes(patch, "en")


def test_customers_on_an_older_version_are_listed(world, fixed):
    _defect, patch, _tickets = fixed
    do_release_patch(patch, acting_user=world.rnd)
    Installation.objects.create(
        customer=world.customer_b, version=patch.version, environment="test"
    )
    Installation.objects.filter(customer=world.customer_b, environment="production").update(
        version=patch.version
    )
    older = {o.customer.code: o.versions for o in customers_on_older_versions(patch)}
    assert older["alpenkaese"] == ["11.3.1"]
    assert "bellevue" not in older


def test_a_customer_on_the_patchs_release_candidate_is_on_an_older_version(world, fixed):
    _defect, patch, _tickets = fixed
    do_release_patch(patch, acting_user=world.rnd)
    candidate = ProductVersion.objects.create(product=patch.version.product, number="11.3.2-rc1")
    Installation.objects.filter(customer=world.customer_b).update(version=candidate)
    older = {o.customer.code: o.versions for o in customers_on_older_versions(patch)}
    assert older["bellevue"] == ["11.3.2-rc1"]


def test_only_rnd_and_managers_release_patches(world, fixed):
    _defect, patch, _tickets = fixed
    with pytest.raises(NotAllowed):
        do_release_patch(patch, acting_user=world.agent)


def test_a_version_number_is_used_once(world, fixed):
    with pytest.raises(DomainError) as raised:
        do_create_patch(
            acting_user=world.rnd,
            product=Product.objects.get(code="erp"),
            number="11.3.2",
            defects=[],
        )
    assert raised.value.code == "version_exists"
    assert ProductVersion.objects.filter(number="11.3.2").count() == 1


@pytest.mark.parametrize("number", ["11.\u00b2", "11 3", "", "-1", "1" * 41, "11.3.<b>"])
def test_a_version_number_is_letters_digits_dots_and_dashes(world, number):
    with pytest.raises(DomainError) as raised:
        erp = Product.objects.get(code="erp")
        do_create_patch(acting_user=world.rnd, product=erp, number=number, defects=[])
    assert raised.value.code == "invalid_version_number"


def test_a_version_key_reads_only_ascii_digits_as_numbers():
    from palier.lib.versions import version_key

    assert version_key("11.10.0") > version_key("11.9.2")
    assert (
        version_key("11") < version_key("11.\u00b2") < version_key("11.1")
    )  # a text part, not a crash


def test_the_customer_asks_for_deployment_once_and_gets_one_linked_request(world, fixed):
    _defect, patch, tickets = fixed
    with pytest.raises(DomainError):
        do_request_deployment(tickets[0], acting_user=world.contact_a)
    do_release_patch(patch, acting_user=world.rnd)
    request = do_request_deployment(tickets[0], acting_user=world.contact_a, note="Tonight?")
    again = do_request_deployment(tickets[0], acting_user=world.contact_a)
    assert again.pk == request.pk
    assert DeploymentRequest.objects.count() == 1
    new = request.request_ticket
    assert new.customer == world.customer_a and new.contact == world.contact_a
    assert "11.3.2" in new.subject and "Tonight?" in new.description
    assert new.status == "new" and new.level == 1 and not new.billable
    event = TicketEvent.objects.get(ticket=tickets[0], kind="deployment_requested")
    assert event.data["request_ticket_id"] == new.pk
