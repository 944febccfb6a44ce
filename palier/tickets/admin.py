from django.contrib import admin

from palier.tickets.models import Decision, Message, Ticket, TicketEvent


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    readonly_fields = [f.name for f in Decision._meta.fields]
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "customer", "status", "level", "billable", "reason")
    list_filter = ("status", "level", "billable", "type", "channel")
    search_fields = ("subject",)
    raw_id_fields = ("customer", "contact", "created_by", "assignee", "decision", "customization")
    inlines = [DecisionInline]

    def has_change_permission(self, request, obj=None):
        return False  # changes go through actions (the API and the workspace), never here


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "actor", "at", "from_value", "to_value")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Message)
