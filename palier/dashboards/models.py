"""What the dashboards app keeps: the weekly reports sent, and the daily roll-up."""

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


class DayFigure(models.Model):
    """One cell of the daily roll-up behind the period panels (palier.dashboards.rollup):
    a count or sum of one metric on one closed day, keyed by what the filters select.

    Rebuilt from the base tables by the worker, never edited: ids are plain integers (no
    foreign keys), so the roll-up never holds a lock on what it summarizes.
    """

    day = models.DateField()
    metric = models.CharField(max_length=12)
    customer_id = models.BigIntegerField(null=True)
    module_id = models.BigIntegerField(null=True)
    product_id = models.BigIntegerField(null=True)
    level = models.SmallIntegerField(null=True)
    key1 = models.CharField(max_length=40, blank=True)
    key2 = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)
    a = models.BigIntegerField(default=0)
    b = models.BigIntegerField(default=0)
    c = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True)
    ended = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["metric", "day"], name="dayfigure_metric_day"),
            # One customer's figures (refusals and moves are keyed by customer).
            models.Index(fields=["metric", "customer_id", "day"], name="dayfigure_metric_cust_day"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.day} {self.key1}/{self.key2}: {self.n}"


class RollupState(models.Model):
    """Where the roll-up stands (one row): every day up to `built_through` is in DayFigure,
    exact as of the last refresh; later days are read live."""

    built_through = models.DateField(null=True)
    # Changes already folded in: ticket events up to this id, tickets saved up to this time
    # (each refresh reads back over an overlap, for transactions that committed late).
    event_id = models.BigIntegerField(default=0)
    changes_since = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"roll-up built through {self.built_through}"
