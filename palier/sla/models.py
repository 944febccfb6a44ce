"""Service tiers and their targets, the business calendar, and each ticket's clock."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceTier(models.Model):
    """A level of service a contract buys; `Contract.tier` holds its code."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TargetRow(models.Model):
    """Targets of one tier for one criticality, in business hours."""

    tier = models.ForeignKey(ServiceTier, on_delete=models.CASCADE, related_name="targets")
    criticality = models.CharField(max_length=8)
    first_response_hours = models.DecimalField(max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["tier", "criticality"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "criticality"], name="target_unique_row"),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__gt=0, resolution_hours__gt=0),
                name="target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier.code}/{self.criticality}"


class BusinessCalendar(models.Model):
    """The vendor's working time. `hours` maps weekday (0 = Monday) to [["08:00", "12:00"], ...]."""

    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="Europe/Zurich")
    canton = models.CharField(
        max_length=2, default="VD", help_text=_("Swiss canton whose public holidays apply.")
    )
    hours = models.JSONField(default=dict)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="calendar_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClosingDay(models.Model):
    """A day the vendor is closed besides public holidays (e.g. between Christmas and New Year)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closings"
    )
    day = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="closing_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class TicketClock(models.Model):
    """A ticket's service clock, recomputed from its history; read by queues and the scan.

    Due instants are stored so that the periodic scan is an indexed range query; `*_left_s`
    is the business time left when computed, which is what a paused clock shows.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="clock"
    )
    tier = models.CharField(max_length=20)
    criticality = models.CharField(max_length=8)
    status = models.CharField(max_length=20)
    active = models.BooleanField(default=True, help_text=_("The ticket is open."))
    first_response_target_s = models.PositiveIntegerField()
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    first_response_met_at = models.DateTimeField(null=True, blank=True)
    first_response_running = models.BooleanField(default=False)
    first_response_left_s = models.IntegerField()
    resolution_target_s = models.PositiveIntegerField()
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_running = models.BooleanField(default=False)
    resolution_left_s = models.IntegerField()
    rnd_s = models.PositiveIntegerField(default=0, help_text=_("Extension: time with R&D."))
    first_response_warned = models.BooleanField(default=False)
    first_response_breached = models.BooleanField(default=False)
    resolution_warned = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    # The ticket's dates lie where no deadline can be counted (a request stored in year 9999,
    # sla.business_time.OutOfRange): no due instant, shown as such, never a server error.
    out_of_range = models.BooleanField(default=False)

    # The next instant the scan must look at this clock (a warning or a due instant not yet
    # flagged); None when nothing is pending. One indexed column, so that the planner sees
    # how few clocks are due in any minute.
    next_check_at = models.DateTimeField(null=True, blank=True)
    # When the scan last set a warned/breached flag, told or not (a warning that falls due
    # after the first answer is settled without an event), or a flagged clock went out of
    # range or back (its flags stop or start counting: sla.queries.breached_q): the
    # dashboards' roll-up refreshes the days of the clocks flagged since its last pass.
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_check_at"], name="clock_next_check"),
            models.Index(fields=["flagged_at"], name="clock_flagged"),
        ]

    def __str__(self) -> str:
        return f"clock of {self.ticket_id}"
