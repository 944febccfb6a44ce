"""What the dashboards app keeps: the weekly reports sent, one per week."""

from __future__ import annotations

from django.db import models


class WeeklyReport(models.Model):
    """The managers' weekly report of one week (Monday to Sunday): claimed once, whichever
    worker's periodic slot comes first, and kept as it was sent."""

    week_start = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    html = models.TextField(blank=True, help_text="The report in English, as archived.")

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"week of {self.week_start}"
