"""The managers' weekly report by mail: last week's panels as tables (mail clients do not
draw SVG), with a link to the dashboard on that week. Sent once a week by the worker
(tasks.weekly_report), at the weekday and hour the settings name."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from palier.accounts.models import Role, User
from palier.dashboards.filters import Filters
from palier.dashboards.models import WeeklyReport
from palier.dashboards.panels import all_panels


def weekday() -> int:
    return int(getattr(settings, "PALIER_WEEKLY_REPORT_WEEKDAY", 0))


def hour() -> int:
    return int(getattr(settings, "PALIER_WEEKLY_REPORT_HOUR", 7))


def enabled() -> bool:
    return bool(getattr(settings, "PALIER_WEEKLY_REPORT_ENABLED", True))


def last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week before `today`'s."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def due(now: dt.datetime) -> bool:
    local = timezone.localtime(now)
    return enabled() and local.weekday() == weekday() and local.hour >= hour()


def render(filters: Filters, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the report in one language."""
    try:
        link = (
            f"{settings.PALIER_BASE_URL}{reverse('web:dashboards:home')}?"
            f"{urlencode(filters.params())}"
        )
    except NoReverseMatch:
        link = ""
    with translation.override(language):
        panels = all_panels(filters)
        context = {"panels": panels, "filters": filters, "link": link}
        subject = _("Support desk, week of %(start)s") % {"start": filters.start.isoformat()}
        text = render_to_string("dashboards/weekly.txt", context)
        html = render_to_string("dashboards/weekly.html", {**context, "subject": subject})
    return subject, text, html


def managers() -> list[User]:
    return list(
        User.objects.filter(role__in=[Role.MANAGER, Role.ADMIN], is_active=True)
        .exclude(email="")
        .order_by("id")
    )


def send_weekly_report(now: dt.datetime | None = None, *, force: bool = False) -> str:
    """Send last week's report to the managers once; "not due" or "already sent" otherwise."""
    from palier.mailgateway.composed import ComposedMail, queue_composed

    now = now or timezone.now()
    if not force and not due(now):
        return "not due"
    start, end = last_week(timezone.localdate(now))
    if WeeklyReport.objects.filter(week_start=start).exists():
        return "already sent"
    filters = Filters(start=start, end=end)
    recipients = managers()
    # The reads and rendering first, outside the write transaction.
    desk = settings.LANGUAGE_CODE  # staff read the desk in their own language, else its
    rendered = {lang: render(filters, lang) for lang in {u.language or desk for u in recipients}}
    archive = rendered.get(desk) or render(filters, desk)
    try:
        with transaction.atomic():
            WeeklyReport.objects.create(
                week_start=start, recipients=len(recipients), html=archive[2]
            )
            for user in recipients:
                subject, text, html = rendered[user.language or desk]
                queue_composed(
                    ComposedMail(
                        kind="weekly_report",
                        to_address=user.email,
                        to_name=str(user),
                        subject=subject,
                        text=text,
                        html=html,
                    )
                )
    except IntegrityError:  # another worker sent it meanwhile
        return "already sent"
    return f"sent to {len(recipients)}"
