"""The ticket page of the workspace and each action taken from it."""

from __future__ import annotations

import pytest

from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_add_message
from palier.tickets.models import Message, TicketEvent
from palier.workspace.models import TicketPresence


def url(ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def ticket(world):
    return make_ticket(
        world.contact_a,
        "malfunction",
        "Printing the delivery note fails",
        description="Error 4711 when printing.",
        module_name="Logistics",
    )


WORKSPACE_URLS = [
    ("get", "/desk/"),
    ("get", "/desk/new/"),
    ("post", "/desk/views/"),
    ("post", "/desk/views/{view}/delete/"),
    ("get", "/desk/tickets/{ticket}/"),
    ("post", "/desk/tickets/{ticket}/presence/"),
    ("post", "/desk/tickets/{ticket}/preview/"),
    ("post", "/desk/tickets/{ticket}/reply/"),
    ("post", "/desk/tickets/{ticket}/note/"),
    ("post", "/desk/tickets/{ticket}/activity/"),
    ("post", "/desk/tickets/{ticket}/assign/"),
    ("post", "/desk/tickets/{ticket}/change/"),
    ("post", "/desk/tickets/{ticket}/diagnose/"),
    ("post", "/desk/tickets/{ticket}/transition/"),
    ("post", "/desk/tickets/{ticket}/accept/"),
    ("post", "/desk/tickets/{ticket}/criticality/"),
    ("post", "/desk/tickets/{ticket}/escalate/"),
]


@pytest.mark.parametrize(("method", "path"), WORKSPACE_URLS)
@pytest.mark.parametrize("persona", ["contact_a", "admin_a", "contact_b"])
def test_a_contact_gets_not_found_on_every_workspace_url(
    client, world, ticket, method, path, persona
):
    from palier.workspace.models import SavedView

    view = SavedView.objects.create(owner=world.agent, name="v", query="queue=open")
    client.force_login(getattr(world, persona))
    target = path.format(ticket=ticket.pk, view=view.pk)
    response = getattr(client, method)(target, {"body": "x", "expected_version": ticket.version})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_page_shows_conversation_notes_decision_customer_and_history(client, world, ticket):
    make_customization(world.customer_a, "Sales", 'Order line: column "Delivery zone"', "vendor")
    do_add_message(ticket, acting_user=world.contact_a, body="Still failing this morning.")
    do_add_message(
        ticket, acting_user=world.agent, body="Checked the printer queue.", internal=True
    )
    client.force_login(world.agent)
    response = client.get(url(ticket))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Still failing this morning." in body
    assert "message--internal" in body and "Checked the printer queue." in body
    assert "standard_malfunction" in body and "L4" in body  # the decision and its rules
    assert "MC-ALPENKAESE" in body  # the contract
    assert "Delivery zone" in body  # a customization of the customer
    assert "11.3.1" in body  # the installed version
    assert "Created" in body  # the history


def test_only_the_transitions_the_table_allows_are_offered(client, world, ticket):
    client.force_login(world.agent)
    form = client.get(url(ticket)).context["forms"]["transition"]
    offered = {value for value, _label in form.fields["target"].choices}
    assert offered == {
        "in_progress",
        "waiting_customer",
        "awaiting_consent",
        "with_rnd",
        "resolved",
        "closed",
    }
    response = client.post(
        url(ticket, "transition"), {"target": "patch_available", "expected_version": ticket.version}
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_an_agent_replies_and_the_customer_sees_it_as_a_public_message(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "reply"),
        {
            "body": "Please send us the print log.",
            "expected_version": ticket.version,
            "last_message_id": 0,
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert not message.internal and message.author == world.agent


def test_a_reply_is_not_sent_over_a_newer_customer_message_without_confirmation(
    client, world, ticket
):
    client.force_login(world.agent)
    shown = client.get(url(ticket)).context
    version, last = ticket.version, shown["last_message_id"]
    do_add_message(ticket, acting_user=world.contact_a, body="Never mind, it works now!")
    refused = client.post(
        url(ticket, "reply"),
        {
            "body": "Please send us the print log.",
            "expected_version": version,
            "last_message_id": last,
        },
    )
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "wrote again" in body
    assert "Never mind, it works now!" in body  # the newer message is now on the page
    assert "Please send us the print log." in body  # the draft is kept
    assert Message.objects.filter(from_customer=False).count() == 0
    form = refused.context["forms"]["reply"]
    confirmed = client.post(
        url(ticket, "reply"),
        {
            "body": "Glad to hear it!",
            "expected_version": form.data["expected_version"],
            "last_message_id": last,
            "confirm_newer": "on",
        },
    )
    assert confirmed.status_code == 302
    assert Message.objects.filter(from_customer=False).count() == 1


def test_a_stale_version_is_refused_with_a_clear_message_and_the_note_kept(client, world, ticket):
    client.force_login(world.agent)
    stale = ticket.version
    do_add_message(ticket, acting_user=world.consultant, body="Taking a look.", internal=True)
    response = client.post(url(ticket, "note"), {"body": "My own note", "expected_version": stale})
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body
    assert "My own note" in body
    assert Message.objects.count() == 1


def test_an_internal_note_and_a_logged_call_stay_internal(client, world, ticket):
    client.force_login(world.agent)
    client.post(
        url(ticket, "note"), {"body": "Suspect the driver.", "expected_version": ticket.version}
    )
    ticket.refresh_from_db()
    client.post(
        url(ticket, "activity"),
        {
            "activity": "phone_call",
            "body": "Called Anna, 10 min.",
            "expected_version": ticket.version,
        },
    )
    note, call = Message.objects.order_by("id")
    assert note.internal and call.internal
    assert call.activity == "phone_call" and call.channel == "phone"


def test_assign_to_me_and_to_a_colleague(client, world, ticket):
    client.force_login(world.agent)
    client.post(url(ticket, "assign"), {"to_me": "1", "expected_version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent
    client.post(
        url(ticket, "assign"), {"assignee": world.consultant.pk, "expected_version": ticket.version}
    )
    ticket.refresh_from_db()
    assert ticket.assignee == world.consultant


def test_a_contact_cannot_be_an_assignee(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "assign"), {"assignee": world.contact_a.pk, "expected_version": ticket.version}
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_preview_shows_the_new_decision_before_anything_is_saved(client, world, ticket):
    custom = make_customization(
        world.customer_a, "Logistics", "Delivery note layout", "customer_unauthorized"
    )
    client.force_login(world.agent)
    data = {
        "type": "malfunction",
        "module": custom.module_id,
        "customization": custom.pk,
        "expected_version": ticket.version,
    }
    preview = client.post(url(ticket, "preview"), data, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "unauthorized_modification" in body and "L6" in body
    assert b"<html" not in preview.content
    ticket.refresh_from_db()
    assert ticket.reason == "standard_malfunction"  # nothing saved
    no_js = client.post(url(ticket, "change"), {**data, "preview": "1"})
    assert "unauthorized_modification" in no_js.content.decode()
    ticket.refresh_from_db()
    assert ticket.reason == "standard_malfunction"
    saved = client.post(url(ticket, "change"), {**data, "reason": "Their IT changed the layout"})
    assert saved.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.reason, ticket.level, ticket.billable) == ("unauthorized_modification", 2, True)


def test_another_customers_customization_is_refused_next_to_the_field(client, world, ticket):
    foreign = make_customization(world.customer_b, "Logistics", "Tour planning", "vendor")
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "change"),
        {
            "type": "malfunction",
            "customization": foreign.pk,
            "expected_version": ticket.version,
        },
    )
    assert response.status_code == 400
    assert response.context["forms"]["change"].errors["customization"]


def test_a_diagnosis_of_customer_manipulation_moves_the_ticket_to_level_two(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "diagnose"),
        {
            "finding": "customer_manipulation",
            "note": "A user deleted the print template.",
            "expected_version": ticket.version,
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.level, ticket.billable, ticket.reason) == (2, True, "customer_manipulation")
    event = TicketEvent.objects.get(ticket=ticket, kind="diagnosis")
    assert event.reason == "A user deleted the print template."


def test_a_diagnosis_needs_its_reason(client, world, ticket):
    client.force_login(world.agent)
    response = client.post(
        url(ticket, "diagnose"),
        {
            "finding": "customer_manipulation",
            "note": "",
            "expected_version": ticket.version,
        },
    )
    assert response.status_code == 400
    assert response.context["forms"]["diagnose"].errors["note"]


def test_findings_that_do_not_apply_are_not_offered(client, world):
    question = make_ticket(world.contact_a, "usage", "How do I close the year?")
    client.force_login(world.agent)
    form = client.get(url(question)).context["forms"]["diagnose"]
    offered = {value for value, _label in form.fields["finding"].choices}
    assert "customer_manipulation" not in offered and "product_defect" not in offered
    assert "back_to_level_1" not in offered
    assert {"feature_request", "information_or_training"} <= offered


def test_two_agents_on_one_ticket_see_each_other(client, world, ticket):
    client.force_login(world.consultant)
    client.get(url(ticket))
    client.force_login(world.agent)
    response = client.post(url(ticket, "presence"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Also viewing:" in body and "Marc" in body
    assert TicketPresence.objects.filter(ticket=ticket).count() == 2


def test_the_ticket_page_costs_a_fixed_number_of_queries(
    client, world, ticket, django_assert_max_num_queries
):
    for i in range(20):
        do_add_message(ticket, acting_user=world.contact_a, body=f"Message {i}")
    client.force_login(world.agent)
    # 25 for the page, plus 3 for the R&D panel (linked defect, look-alike defects: 2).
    with django_assert_max_num_queries(28):
        assert client.get(url(ticket)).status_code == 200


def test_a_request_to_qualify_is_decided_when_an_agent_sets_its_type(client, world):
    mailed = make_ticket(world.contact_a, None, "Something is wrong with invoices")
    client.force_login(world.agent)
    page = client.get(url(mailed))
    assert "Not decided yet" in page.content.decode()
    assert not page.context["can_diagnose"]
    response = client.post(
        url(mailed, "change"),
        {
            "type": "usage",
            "expected_version": mailed.version,
            "reason": "Asked on the phone",
        },
    )
    assert response.status_code == 302
    mailed.refresh_from_db()
    assert (mailed.type, mailed.level, mailed.reason) == ("usage", 1, "standard_usage")


def test_level_one_changes_the_criticality_with_a_reason_the_customer_reads(client, world, ticket):
    client.force_login(world.agent)
    missing = client.post(
        url(ticket, "criticality"), {"criticality": "high", "expected_version": ticket.version}
    )
    assert missing.status_code == 400
    assert missing.context["forms"]["criticality"].errors["reason"]
    done = client.post(
        url(ticket, "criticality"),
        {
            "criticality": "high",
            "reason": "No workaround for the delivery notes",
            "expected_version": ticket.version,
        },
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.criticality == "high"
    event = TicketEvent.objects.get(ticket=ticket, field="criticality")
    assert event.reason == "No workaround for the delivery notes" and not event.internal


def test_the_side_panel_shows_time_totals_and_logs_a_quick_entry(client, world, ticket):
    from palier.billing.models import TimeEntry

    client.force_login(world.agent)
    body = client.get(url(ticket)).content.decode()
    assert 'id="billing-panel"' in body and "0 min billable, 0 min included." in body
    # Level-1 work: no estimate to propose, and the time is recorded as included.
    assert "/estimate/" not in body
    response = client.post(
        f"/billing/time/?next={url(ticket)}",
        {"ticket": ticket.reference, "date": "2026-11-02", "minutes": "25", "activity": "support"},
    )
    assert response.status_code == 302 and response["Location"] == url(ticket)
    entry = TimeEntry.objects.get(ticket=ticket)
    assert entry.minutes == 25 and entry.billable is False
    assert "0 min billable, 25 min included." in client.get(url(ticket)).content.decode()


def test_a_consultant_is_offered_an_estimate_on_a_billable_ticket(client, world):
    feature = make_ticket(world.contact_a, "feature", "Add a delivery zone column")
    client.force_login(world.consultant)
    body = client.get(url(feature)).content.decode()
    assert f"/billing/tickets/{feature.pk}/estimate/" in body
