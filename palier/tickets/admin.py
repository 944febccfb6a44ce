"""Tickets, their messages, decisions and events are history: read here, never rewritten.
Changes go through the actions (the API and the workspace); a correction is a new row (an
internal note, a new decision), so that what a customer was told stays what they were told."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from palier.accounts.permissions import Permission, allowed
from palier.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from palier.tickets.models import Decision, EventHandlerFailure, Message, Ticket, TicketEvent
from palier.tickets.notifications import rearm_failures


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
    """Side effects of events that failed: waiting for a retry, or given up (no retry), which
    an administrator schedules again once the cause is mended."""

    list_display = ("event", "handler", "attempts", "failed_at", "retry_at")
    list_filter = (("retry_at", admin.EmptyFieldListFilter),)
    search_fields = ("handler", "error")
    raw_id_fields = ("event",)
    actions = ["rearm"]

    def has_rearm_permission(self, request) -> bool:
        return allowed(request.user, Permission.ADMINISTRATOR_WRITE)

    @admin.action(description=_("Schedule the given-up side effects again"), permissions=["rearm"])
    def rearm(self, request, queryset) -> None:
        done = rearm_failures(queryset.values_list("pk", flat=True), acting_user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d side effect scheduled again; the worker runs it shortly.",
                "%(count)d side effects scheduled again; the worker runs them shortly.",
                done,
            )
            % {"count": done},
        )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "author_name", "internal", "channel", "created_at")
    list_filter = ("internal", "channel")
    raw_id_fields = ("ticket", "author")
