"""Each refusal of rule E, through the API: 403, its code, the date that matters, the
explanation, and the attempt kept for the account manager."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone

from palier.testing.factories import make_customer, make_user
from palier.tickets.models import Ticket


@pytest.mark.parametrize(
    ("code", "kwargs", "date_days", "phrase"),
    [
        ("no_contract", {"contract": False}, None, "could not find a maintenance contract"),
        ("expired", {"start_days": -400, "end_days": -1}, -1, "ended on"),
        ("suspended", {"state": "suspended"}, None, "currently suspended"),
        (
            "terminated",
            {"state": "terminated", "start_days": -400, "end_days": -10},
            -10,
            "was terminated on",
        ),
        ("terminated", {"state": "terminated"}, None, "was terminated."),
        ("not_started", {"start_days": 7, "end_days": 372}, 7, "starts on"),
    ],
)
def test_each_refusal_answers_403_with_its_code_date_and_explanation(
    db, api, code, kwargs, date_days, phrase
):
    customer = make_customer("refused-co", **kwargs)
    contact = make_user("rita.refused", customer=customer)
    body = {"type": "malfunction", "subject": "Printing fails", "description": "Error 4711"}
    r = api(contact).post("/tickets", body)
    assert r.status_code == 403, r.content
    error = r.json()["error"]
    assert error["code"] == code
    expected = (
        timezone.localdate() + dt.timedelta(days=date_days) if date_days is not None else None
    )
    assert error["details"]["date"] == (expected.isoformat() if expected else None)
    assert phrase in error["message"]
    if expected:
        assert formats.date_format(expected, "DATE_FORMAT") in error["message"]
    assert "account manager" in error["details"]["explanation"]["refusal"]
    kept = Ticket.objects.get(pk=error["details"]["ticket"]["id"])
    assert (kept.status, kept.subject, kept.description) == (
        "refused",
        "Printing fails",
        "Error 4711",
    )
    assert kept.events.get().kind == "refused"
