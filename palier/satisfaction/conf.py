"""Satisfaction settings, read when used (docs/configuration.md)."""

from __future__ import annotations

from django.conf import settings


def quiet_days() -> int:
    """No second survey to the same contact within this many days."""
    return int(getattr(settings, "PALIER_SATISFACTION_QUIET_DAYS", 30))


def link_max_age_days() -> int:
    """Days a survey link (and the survey) stays open."""
    return int(getattr(settings, "PALIER_SATISFACTION_LINK_DAYS", 14))


def low_score() -> int:
    """A score at or below this opens a follow-up."""
    return int(getattr(settings, "PALIER_SATISFACTION_LOW_SCORE", 2))


def enabled() -> bool:
    return bool(getattr(settings, "PALIER_SATISFACTION_ENABLED", True))
