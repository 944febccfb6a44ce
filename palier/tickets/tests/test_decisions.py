"""The policy's decision moves with the ticket: a manager's override of a refusal, a change
of type, module or customization, and a diagnosis finding each record a new decision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from palier.testing.factories import make_customization, make_ticket, module
from palier.tickets.models import Ticket


@pytest.fixture
def refused(world):
    return make_ticket(world.contact_expired, "feature", "Birthday field", module_name="CRM")


def test_a_refused_request_is_kept_with_its_refusal_for_the_account_manager(world, api, refused):
    detail = api(world.manager).get(f"/tickets/{refused.pk}").json()
    assert detail["status"] == "refused"
    assert detail["decision"]["refusal"] == "expired"
    assert detail["subject"] == "Birthday field"
    assert [
        t["id"] for t in api(world.manager).get("/tickets", queue="refused").json()["items"]
    ] == [refused.pk]


def test_a_manager_accepts_a_refused_request_with_a_recorded_reason(world, api, refused):
    r = api(world.manager).post(f"/tickets/{refused.pk}/accept", {"reason": "Renewal signed today"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "new"
    assert (body["level"], body["billable"], body["reason"]) == (2, True, "feature_request")
    assert body["decision"]["kind"] == "override"
    assert body["decision"]["rules"] == ["E-override", "L7"]
    assert body["decision"]["note"] == "Renewal signed today"
    decisions = api(world.manager).get(f"/tickets/{refused.pk}/decisions").json()
    assert [(d["kind"], d["accepted"]) for d in decisions] == [
        ("intake", False),
        ("override", True),
    ]
    event = api(world.manager).get(f"/tickets/{refused.pk}/history").json()[-1]
    assert event["kind"] == "accepted_anyway"
    assert (event["from_value"], event["to_value"]) == ("refused", "new")
    assert event["reason"] == "Renewal signed today"
    assert event["actor"]["id"] == world.manager.pk


def test_accepting_a_refused_request_needs_a_reason(world, api, refused):
    for body in ({"reason": ""}, {"reason": "   "}):
        r = api(world.manager).post(f"/tickets/{refused.pk}/accept", body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    assert api(world.manager).post(f"/tickets/{refused.pk}/accept", {}).status_code == 422


def test_only_a_manager_may_accept_a_refused_request(world, api, refused):
    for user in (world.agent, world.consultant, world.rnd):
        r = api(user).post(f"/tickets/{refused.pk}/accept", {"reason": "Please"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"


def test_an_accepted_ticket_cannot_be_accepted_again(world, api):
    ticket = make_ticket(world.contact_a)
    r = api(world.manager).post(f"/tickets/{ticket.pk}/accept", {"reason": "Twice"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"


def test_changing_the_type_decides_again_and_records_the_new_decision(world, api):
    ticket = make_ticket(world.contact_a, "usage", "Add a zone column?")
    r = api(world.agent).patch(
        f"/tickets/{ticket.pk}", {"type": "feature", "reason": "It is a new column"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["type"], body["level"], body["billable"], body["reason"]) == (
        "feature",
        2,
        True,
        "feature_request",
    )
    assert body["decision"]["kind"] == "change" and body["decision"]["rules"] == ["E", "L7"]
    assert body["explanation"]["why_billable"]
    history = api(world.agent).get(f"/tickets/{ticket.pk}/history").json()
    field, decision = [e for e in history if e["kind"] in ("field", "decision")]
    assert (field["field"], field["from_value"], field["to_value"]) == ("type", "usage", "feature")
    assert (decision["from_value"], decision["to_value"]) == ("standard_usage", "feature_request")
    assert decision["reason"] == "It is a new column"


def test_linking_a_customization_decides_again(world, api):
    custom = make_customization(world.customer_a, "Sales", "Order line: Delivery zone", "vendor")
    ticket = make_ticket(world.contact_a, "malfunction", "Zone empty", module_name="Sales")
    assert ticket.reason == "standard_malfunction"
    r = api(world.agent).patch(f"/tickets/{ticket.pk}", {"customization_id": custom.pk})
    body = r.json()
    assert (body["level"], body["billable"], body["reason"]) == (2, True, "customization_error")
    assert body["decision"]["facts"]["customization"]["built_by"] == "vendor"
    r = api(world.agent).patch(f"/tickets/{ticket.pk}", {"customization_id": 0})
    assert r.json()["reason"] == "standard_malfunction" and r.json()["customization"] is None


def test_changing_the_module_records_it_and_keeps_the_decision_consistent(world, api):
    ticket = make_ticket(world.contact_a, "usage", module_name="Finance")
    r = api(world.agent).patch(f"/tickets/{ticket.pk}", {"module_id": module("HR").pk})
    assert r.json()["module"]["name"] == "HR"
    assert r.json()["decision"]["facts"]["module"] == "HR"


def test_a_diagnosis_holds_when_the_request_is_requalified(world, api):
    """Correcting the module of a diagnosed request decides again with the finding: it once
    sent a customer's manipulation back to level 1, unbilled, in silence."""
    ticket = make_ticket(world.contact_a, "malfunction", "Totals wrong", module_name="Finance")
    agent = api(world.agent)
    r = agent.post(f"/tickets/{ticket.pk}/diagnosis", {"finding": "customer_manipulation"})
    assert (r.json()["level"], r.json()["billable"]) == (2, True), r.content
    r = agent.patch(
        f"/tickets/{ticket.pk}",
        {"module_id": module("Sales").pk, "criticality": "high", "reason": "Sales, not Finance"},
    )
    body = r.json()
    assert (body["level"], body["billable"], body["reason"]) == (2, True, "customer_manipulation")
    assert body["decision"]["kind"] == "change" and body["decision"]["finding"] == (
        "customer_manipulation"
    )
    assert body["decision"]["facts"]["module"] == "Sales"
    # A finding about a malfunction falls when the request is no longer one.
    r = agent.patch(f"/tickets/{ticket.pk}", {"type": "usage", "reason": "A question after all"})
    body = r.json()
    assert (body["level"], body["billable"], body["reason"]) == (1, False, "standard_usage")
    assert not body["decision"]["finding"]


def test_a_customization_of_another_module_than_the_request_is_refused(world, api):
    custom = make_customization(
        world.customer_a, "Sales", "Quote: approval", "customer_unauthorized"
    )
    ticket = make_ticket(world.contact_a, "malfunction", module_name="Sales")
    api(world.agent).patch(f"/tickets/{ticket.pk}", {"customization_id": custom.pk})
    r = api(world.agent).patch(f"/tickets/{ticket.pk}", {"module_id": module("HR").pk})
    assert r.status_code == 400 and r.json()["error"]["code"] == "customization_module_mismatch"


def test_another_customers_customization_cannot_be_linked(world, api):
    custom_b = make_customization(world.customer_b, "Sales", "Devis", "vendor")
    ticket = make_ticket(world.contact_a, "malfunction", module_name="Sales")
    r = api(world.agent).patch(f"/tickets/{ticket.pk}", {"customization_id": custom_b.pk})
    assert r.status_code == 404


def test_a_product_defect_finding_hands_the_ticket_to_rnd_unbilled(world, api):
    ticket = make_ticket(world.contact_a, "malfunction", "Error 4711 on print")
    r = api(world.agent).post(
        f"/tickets/{ticket.pk}/diagnosis",
        {"finding": "product_defect", "note": "Reproduced on 11.3.1"},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "with_rnd"
    assert body["billable"] is False and body["reason"] == "product_defect"
    assert body["decision"]["rnd"] is True and body["decision"]["rules"] == ["E", "L4", "D4"]
    assert body["decision"]["finding"] == "product_defect"
    assert body["explanation"]["headline"]
    kinds = [e["kind"] for e in api(world.contact_a).get(f"/tickets/{ticket.pk}/history").json()]
    assert kinds == ["created", "status", "diagnosis"]
    assert [t["id"] for t in api(world.rnd).get("/tickets", queue="rnd").json()["items"]] == [
        ticket.pk
    ]


def test_a_customer_manipulation_finding_makes_the_ticket_billable_level_2(world, api):
    ticket = make_ticket(world.contact_a, "malfunction")
    body = (
        api(world.agent)
        .post(f"/tickets/{ticket.pk}/diagnosis", {"finding": "customer_manipulation"})
        .json()
    )
    assert (body["level"], body["billable"], body["reason"], body["status"]) == (
        2,
        True,
        "customer_manipulation",
        "in_progress",
    )
    event = api(world.agent).get(f"/tickets/{ticket.pk}/history").json()[-1]
    assert event["data"]["from_level"] == 1 and event["data"]["level"] == 2
    assert event["data"]["from_billable"] is False and event["data"]["billable"] is True


def test_a_finding_that_does_not_apply_is_refused_with_its_code(world, api):
    ticket = make_ticket(world.contact_a, "usage")
    for finding in ("product_defect", "customer_manipulation", "back_to_level_1"):
        r = api(world.agent).post(f"/tickets/{ticket.pk}/diagnosis", {"finding": finding})
        assert r.status_code == 400 and r.json()["error"]["code"] == "finding_not_applicable", (
            finding
        )
    ticket.refresh_from_db()
    assert ticket.version == 1 and ticket.decisions.count() == 1


def test_a_refused_ticket_cannot_be_diagnosed_or_requalified(world, api, refused):
    r = api(world.agent).post(f"/tickets/{refused.pk}/diagnosis", {"finding": "feature_request"})
    assert r.status_code == 400
    r = api(world.agent).patch(f"/tickets/{refused.pk}", {"type": "usage"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "ticket_refused"


def test_a_ticket_opened_on_new_years_night_in_zurich_is_of_the_new_year(world):
    # 00:30 in Zurich on 1 January is still 31 December in UTC.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        ticket = make_ticket(world.contact_a)
    assert ticket.reference == f"PAL-2027-{ticket.pk:06d}"
    # A reader in another time zone reads the same reference.
    with timezone.override("America/New_York"):
        assert Ticket.objects.get(pk=ticket.pk).reference == f"PAL-2027-{ticket.pk:06d}"


def test_a_product_defect_found_while_waiting_for_the_customer_goes_to_rnd(world, api):
    ticket = make_ticket(world.contact_a, "malfunction")
    api(world.agent).post(f"/tickets/{ticket.pk}/transitions", {"to": "waiting_customer"})
    r = api(world.agent).post(f"/tickets/{ticket.pk}/diagnosis", {"finding": "product_defect"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "with_rnd"
