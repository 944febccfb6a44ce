"""What a queue row and a ticket's page say of a running target (sla.queries.time_left_of)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from palier.sla.queries import time_left_of

ZH = ZoneInfo("Europe/Zurich")


def _clock(due: dt.datetime) -> SimpleNamespace:
    return SimpleNamespace(
        active=True,
        out_of_range=False,
        first_response_met_at=None,
        first_response_due=due,
        first_response_running=True,
        first_response_left_s=0,
    )


def test_a_deadline_passed_outside_working_hours_is_overdue_not_zero_left(db):
    """Due Friday 23:00, read on Saturday: no business time has passed since, so the time
    left is zero, and the row said "0 min left" while the API said breached."""
    due = dt.datetime(2026, 12, 4, 23, tzinfo=ZH)  # a Friday, after hours
    saturday = dt.datetime(2026, 12, 5, 10, tzinfo=ZH)
    shown = time_left_of(_clock(due), saturday)
    assert shown.left == dt.timedelta(0)
    assert shown.overdue
    before = time_left_of(_clock(due), dt.datetime(2026, 12, 4, 22, tzinfo=ZH))
    assert before.left == dt.timedelta(0) and not before.overdue
