"""Tickets, their messages, decisions and events are history: read here, never rewritten.
Changes go through the actions (the API and the workspace); a correction is a new row (an
internal note, a new decision), so that what a customer was told stays what they were told."""

from django.contrib import admin

from palier.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from palier.tickets.models import Decision, EventHandlerFailure, Message, Ticket, TicketEvent


class DecisionInline(ReadOnlyInline):
    model = Decision
    readonly_fields = [f.name for f in Decision._meta.fields]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "customer", "status", "level", "billable", "reason")
    list_filter = ("status", "level", "billable", "type", "channel")
    search_fields = ("subject",)
    raw_id_fields = ("customer", "contact", "created_by", "assignee", "decision", "customization")
    inlines = [DecisionInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "at", "from_value", "to_value")
    list_filter = ("kind",)
    raw_id_fields = ("ticket",)


@admin.register(EventHandlerFailure)
class EventHandlerFailureAdmin(ReadOnlyAdmin):
    """Side effects of events that failed: waiting for a retry, or given up (no retry)."""

    list_display = ("event", "handler", "attempts", "failed_at", "retry_at")
    search_fields = ("handler", "error")
    raw_id_fields = ("event",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "author_name", "internal", "channel", "created_at")
    list_filter = ("internal", "channel")
    raw_id_fields = ("ticket", "author")
