"""Managers edit tiers, targets and the calendar here (the permission table's rows), each
change in the audit log; open clocks follow within a minute."""

from django.contrib import admin

from palier.accounts.permissions import Permission
from palier.audit.admin import AuditedAdmin, AuditedInline
from palier.sla import calendars
from palier.sla.models import BusinessCalendar, ClosingDay, ServiceTier, TargetRow, TicketClock


class TargetRowInline(AuditedInline):
    model = TargetRow
    permission = Permission.SERVICE_TIER_WRITE


class ClosingDayInline(AuditedInline):
    model = ClosingDay
    extra = 1
    permission = Permission.CALENDAR_WRITE


class ClearsCacheAdmin(AuditedAdmin):
    """This process forgets its cached calendar and targets at once; others within a minute.
    Run `palier sla recompute` to move every open clock's deadlines to the new rules."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        calendars.clear_cache()


@admin.register(ServiceTier)
class ServiceTierAdmin(ClearsCacheAdmin):
    permission = Permission.SERVICE_TIER_WRITE
    list_display = ("code", "name")
    inlines = [TargetRowInline]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ClearsCacheAdmin):
    permission = Permission.CALENDAR_WRITE
    list_display = ("name", "time_zone", "canton", "is_default")
    inlines = [ClosingDayInline]


@admin.register(TicketClock)
class TicketClockAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "tier",
        "criticality",
        "status",
        "first_response_due",
        "resolution_due",
        "first_response_breached",
        "resolution_breached",
    )
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # derived from the ticket's history; recomputed, never edited

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
