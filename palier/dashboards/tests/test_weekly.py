"""The managers' weekly report: sent once a week by the worker's periodic slot."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import time_machine

from palier.dashboards.models import WeeklyReport
from palier.dashboards.weekly import last_week, send_weekly_report
from palier.lib.schedule import registered_jobs
from palier.mailgateway.models import OutboundMessage
from palier.ops.scheduler import discover_jobs

ZH = ZoneInfo("Europe/Zurich")


def test_the_report_is_a_periodic_job_of_the_worker():
    discover_jobs()
    assert "dashboards.weekly_report" in {job.name for job in registered_jobs()}


def test_last_week_runs_monday_to_sunday():
    assert last_week(dt.date(2026, 12, 9)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert last_week(dt.date(2026, 12, 7)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))


@pytest.mark.django_db
def test_monday_morning_the_managers_get_last_weeks_report_once(world, desk):
    world.manager.language = "fr"
    world.manager.save()
    with time_machine.travel(dt.datetime(2026, 12, 6, 9, tzinfo=ZH)):  # a Sunday
        assert send_weekly_report() == "not due"
    with time_machine.travel(dt.datetime(2026, 12, 7, 6, 30, tzinfo=ZH)):  # Monday, early
        assert send_weekly_report() == "not due"
    with time_machine.travel(dt.datetime(2026, 12, 7, 7, 15, tzinfo=ZH)):
        assert send_weekly_report() == "sent to 1"
        assert send_weekly_report() == "already sent"
    report = WeeklyReport.objects.get()
    assert report.week_start == dt.date(2026, 11, 30) and "Intake" in report.html
    [mail] = OutboundMessage.objects.filter(kind="weekly_report")
    parsed = message_from_bytes(bytes(mail.raw), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    assert mail.recipient == world.manager.email and 'lang="fr"' in html
    assert "/dashboards/?start=2026-11-30&amp;end=2026-12-06" in html


@pytest.mark.django_db
def test_a_manager_without_a_language_reads_the_report_in_the_desks(world, desk, settings):
    from palier.accounts.models import User

    settings.LANGUAGE_CODE = "de"
    User.objects.filter(pk=world.manager.pk).update(language="")
    with time_machine.travel(dt.datetime(2026, 12, 7, 7, 15, tzinfo=ZH)):
        assert send_weekly_report() == "sent to 1"
    [mail] = OutboundMessage.objects.filter(kind="weekly_report")
    parsed = message_from_bytes(bytes(mail.raw), policy=policy.default)
    assert 'lang="de"' in parsed.get_body(("html",)).get_content()
    # The archive is in the desk's language too.
    assert 'lang="de"' in WeeklyReport.objects.get().html
