"""shared/examples/policy_examples.json, case by case, through the REST API.

Each case builds a customer with its contract and customization, opens the ticket as that
customer's contact with POST /api/v1/tickets, and checks the answer against `expect`.
Diagnosis cases start from the ticket of their `from` case and record the finding as an agent.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from palier.accounts.models import Role
from palier.testing.examples import policy_examples, relative_date, relative_days
from palier.testing.factories import make_customer, make_customization, make_user, module

EXAMPLES = policy_examples()
CASES = {case["id"]: case for case in EXAMPLES["cases"]}
DIAGNOSES = EXAMPLES.get("diagnosis", [])


def open_case(api, case: dict):
    contract = case.get("contract")
    customer = make_customer(
        f"case-{case['id'].lower()}",
        language=case.get("lang", "en"),
        contract=contract is not None,
        state=(contract or {}).get("state", "active"),
        start_days=relative_days(contract["start"]) if contract else 0,
        end_days=relative_days(contract["end"]) if contract else 0,
    )
    contact = make_user(
        f"contact.{case['id'].lower()}", customer=customer, language=case.get("lang", "en")
    )
    body = {
        "type": case["type"],
        "subject": case["subject"],
        "description": case.get("description", ""),
        "language": case.get("lang", "en"),
    }
    if case.get("module"):
        body["module_id"] = module(case["module"]).pk
    if case.get("customization"):
        c = case["customization"]
        body["customization_id"] = make_customization(
            customer, c["module"], c["object"], c["built_by"]
        ).pk
    return customer, api(contact).post("/tickets", body)


@pytest.mark.parametrize("case", EXAMPLES["cases"], ids=lambda c: c["id"])
def test_each_worked_example_is_decided_as_expected_through_the_api(db, api, case):
    customer, r = open_case(api, case)
    expect = case["expect"]
    if not expect["accepted"]:
        assert r.status_code == 403, r.content
        error = r.json()["error"]
        assert error["code"] == expect["refusal"]
        assert error["details"]["refusal"] == expect["refusal"]
        assert error["details"]["explanation"]["refusal"]
        assert error["details"]["explanation"]["language"] == case.get("lang", "en")
        contract = case.get("contract")
        if expect["refusal"] == "expired":
            assert (
                error["details"]["date"]
                == relative_date(contract["end"], timezone.localdate()).isoformat()
            )
        if expect["refusal"] == "not_started":
            assert (
                error["details"]["date"]
                == relative_date(contract["start"], timezone.localdate()).isoformat()
            )
        return
    assert r.status_code == 201, r.content
    body = r.json()
    for key in ("level", "billable", "reason"):
        if key in expect:
            assert body[key] == expect[key], key
    assert body["decision"]["accepted"] is True
    assert body["explanation"]["language"] == case.get("lang", "en")
    assert body["explanation"]["why_level"] and body["explanation"]["why_billable"]


@pytest.mark.parametrize("case", DIAGNOSES, ids=lambda c: c["id"])
def test_each_worked_diagnosis_moves_the_ticket_as_expected_through_the_api(db, api, case):
    start = CASES[case["from"]]
    _customer, r = open_case(api, start)
    assert r.status_code == 201, r.content
    ticket = r.json()
    agent = make_user(f"agent.{case['id'].lower()}", Role.AGENT)
    client = api(agent)
    linked: dict | None = None
    if case["finding"] == "product_defect" and case["expect"].get("linked_defect"):
        # D4 with its defect: the escalation endpoint diagnoses and links in one step.
        r = client.post(
            f"/tickets/{ticket['id']}/escalation",
            {"new_defect": {"title": start["subject"]}, "note": f"Diagnosis {case['id']}"},
        )
        assert r.status_code == 200, r.content
        linked = r.json()
        r = client.get(f"/tickets/{ticket['id']}")
    else:
        r = client.post(
            f"/tickets/{ticket['id']}/diagnosis",
            {"finding": case["finding"], "note": f"Diagnosis {case['id']}"},
        )
    assert r.status_code == 200, r.content
    body = r.json()
    expect = case["expect"]
    if expect.get("level") == "rnd":
        assert body["status"] == "with_rnd"
        assert body["decision"]["rnd"] is True
    elif "level" in expect:
        assert body["level"] == expect["level"]
    if "billable" in expect:
        assert body["billable"] is expect["billable"]
    assert body["decision"]["finding"] == case["finding"]
    if "needs_consent" in expect:
        # Rule B, through billing: an estimate on this ticket waits for the customer's consent
        # (a prepaid balance would accept it at once).
        consultant = make_user(f"consultant.{case['id'].lower()}", Role.CONSULTANT)
        r = api(consultant).post(
            f"/tickets/{ticket['id']}/estimates", {"hours": "2", "text": "Correct the setup"}
        )
        if expect["needs_consent"]:
            assert r.status_code == 201, r.content
            assert r.json()["status"] == "proposed"
            assert client.get(f"/tickets/{ticket['id']}").json()["status"] == "awaiting_consent"
        else:
            assert r.status_code != 201 or r.json()["status"] != "proposed"
    if expect.get("linked_defect"):
        assert linked is not None
        assert [t["id"] for t in linked["tickets"]] == [ticket["id"]]
