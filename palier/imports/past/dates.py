"""Dates as the tools write them, made aware in the desk's time zone when they carry none."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from palier.lib.words import words as _  # said again in each reader's language

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}  # fmt: skip
# Jira's default: 14/Jul/25 3:42 PM (day/month/two-digit year, 12-hour clock).
_JIRA = re.compile(
    r"^(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])?$"
)
_SWISS = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


EARLIEST_DAY = dt.date(1990, 1, 1)


class InstantOutOfRange(ValueError):
    """A readable date no support desk can have written (year 1 or 9999): its message
    says which dates are imported."""

    def __init__(self, raw: str):
        self.message = _(
            "“%(value)s” is outside the dates Palier imports: from 1990-01-01 to tomorrow."
        ) % {"value": raw[:40]}
        super().__init__(self.message)


def _first_instant() -> dt.datetime:
    """1990-01-01 at midnight in the desk's time zone, as the message says."""
    return _aware(dt.datetime.combine(EARLIEST_DAY, dt.time()))


def _day_after_tomorrow() -> dt.datetime:
    """The end of tomorrow in the desk's time zone: a past ticket is past, with a day's
    margin for the clocks of the tool it comes from, and "tomorrow" is the desk's day."""
    today = timezone.localdate()
    return _aware(dt.datetime.combine(today + dt.timedelta(days=2), dt.time()))


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def parse_instant(text: str) -> dt.datetime | None:
    """An instant from ISO 8601 (2025-07-14T15:42:00Z), Jira's 14/Jul/25 3:42 PM or the
    Swiss 14.07.2025 15:42, from 1990-01-01 to tomorrow; None for an empty value;
    ValueError otherwise (InstantOutOfRange for a date outside those)."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = _parse(raw)
    try:
        inside = _first_instant() <= value < _day_after_tomorrow()
    except OverflowError:  # year 1 with an offset east of UTC
        inside = False
    if not inside:
        raise InstantOutOfRange(raw)
    return value


def bad_date(exc: ValueError, otherwise: str) -> str:
    """The problem of a date that `parse_instant` refused: its range, or `otherwise`."""
    return exc.message if isinstance(exc, InstantOutOfRange) else otherwise


def _parse(raw: str) -> dt.datetime:
    if match := _JIRA.match(raw):
        day, month, year, hour, minute, second, ampm = match.groups()
        month_no = _MONTHS.get(month.lower())
        if month_no is None:
            raise ValueError(raw)
        year_no = int(year) + (2000 if len(year) == 2 else 0)
        hour_no = int(hour)
        if ampm:
            if not 1 <= hour_no <= 12:
                raise ValueError(raw)
            hour_no = hour_no % 12 + (12 if ampm.lower() == "pm" else 0)
        return _aware(
            dt.datetime(year_no, month_no, int(day), hour_no, int(minute), int(second or 0))
        )
    if match := _SWISS.match(raw):
        day, month, year, hour, minute, second = match.groups()
        return _aware(
            dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        )
    return _aware(dt.datetime.fromisoformat(raw.replace("Z", "+00:00")))
