"""Read-mostly admin: billing changes go through the actions (web and API), so that every
change is locked, checked and recorded; the admin is for looking and for contract rates."""

from django.contrib import admin

from palier.accounts.permissions import Permission
from palier.audit.admin import AuditedAdmin
from palier.audit.admin import ReadOnlyAdmin as ReadOnly
from palier.billing.models import ContractRate, Estimate, Invoice, InvoiceLine, TimeEntry


@admin.register(ContractRate)
class ContractRateAdmin(AuditedAdmin):
    """A contract's rates: the managers' (permission table), each change audited."""

    permission = Permission.CONTRACT_WRITE
    list_display = ("contract", "activity", "hourly_rate")
    list_select_related = ("contract",)


@admin.register(Estimate)
class EstimateAdmin(ReadOnly):
    list_display = ("ticket", "hours", "rate", "status", "decided_via", "proposed_at")
    list_filter = ("status", "decided_via")
    list_select_related = ("ticket",)
    exclude = ("link_nonce",)


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnly):
    list_display = ("ticket", "user", "date", "minutes", "activity", "billable", "invoice")
    list_filter = ("billable", "activity")
    list_select_related = ("ticket", "user", "invoice")


class LineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("__str__", "kind", "customer", "status", "total", "issued_on")
    list_filter = ("status", "kind")
    list_select_related = ("customer",)
    inlines = [LineInline]
