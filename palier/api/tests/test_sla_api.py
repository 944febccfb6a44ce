"""Service-level endpoints: staff see the clock, a contact only when to expect an answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from palier.sla.actions import do_recompute
from palier.testing.factories import make_ticket

ZH = ZoneInfo("Europe/Zurich")


def test_tiers_list_their_targets(world, api):
    tiers = {t["code"]: t for t in api(world.contact_a).get("/sla/tiers").json()}
    assert set(tiers) == {"standard", "premium"}
    critical = [r for r in tiers["premium"]["targets"] if r["criticality"] == "critical"][0]
    assert critical == {
        "criticality": "critical",
        "first_response_hours": 1.0,
        "resolution_hours": 8.0,
    }


def test_a_contact_sees_when_to_expect_an_answer_and_nothing_internal(world, api):
    with time_machine.travel(dt.datetime(2026, 11, 30, 16, tzinfo=ZH), tick=False):
        ticket = make_ticket(world.contact_a)
        do_recompute(ticket)
        mine = api(world.contact_a).get(f"/tickets/{ticket.pk}/sla").json()
        staff = api(world.agent).get(f"/tickets/{ticket.pk}/sla").json()
    assert dt.datetime.fromisoformat(mine["expected_first_response"]) == dt.datetime(
        2026, 12, 1, 16, tzinfo=ZH
    )
    assert mine.get("resolution") is None and mine.get("tier") is None
    assert staff["tier"] == "standard" and staff["first_response"]["target_hours"] == 8.0
    assert staff["showing"] == "first_response" and staff["hours_left"] == 8.0


def test_another_customers_contact_gets_404(world, api):
    ticket = make_ticket(world.contact_a)
    assert api(world.contact_b).get(f"/tickets/{ticket.pk}/sla").status_code == 404
