"""Staff see the raw mail, the quarantine with its reasons, and every outbound attempt; they
reprocess a quarantined message, or release a (suspected) automatic reply as a customer's."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from palier.lib.errors import DomainError
from palier.mailgateway.actions import do_release, do_reprocess
from palier.mailgateway.labels import attempt_error, reason_label
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage, RawMessage
from palier.mailgateway.outbound import mark_sent, send_again


class UnmatchedFilter(admin.SimpleListFilter):
    title = _("ticket")
    parameter_name = "unmatched"

    def lookups(self, request, model_admin):
        return [("1", _("Kept without a ticket"))]

    def queryset(self, request, queryset):
        return queryset.filter(ticket__isnull=True) if self.value() == "1" else queryset


@admin.register(RawMessage)
class RawMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "state",
        "outcome",
        "reason",
        "sender",
        "subject",
        "ticket",
        "reused_message_id",
    )
    list_filter = ("state", "outcome", "error_code", UnmatchedFilter, "reused_message_id", "source")
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = [f.name for f in RawMessage._meta.fields]
    actions = ["release", "reprocess"]
    list_select_related = ("ticket",)

    @admin.display(description=_("reason"))
    def reason(self, raw: RawMessage) -> str:
        return reason_label(raw)

    def _run(self, request, queryset, action) -> None:
        for raw in queryset:
            try:
                done = action(raw, acting_user=request.user)
                self.message_user(
                    request,
                    f"{raw.pk}: {done.get_state_display()} — "
                    f"{done.get_outcome_display() or reason_label(done)}",
                )
            except DomainError as exc:
                self.message_user(request, f"{raw.pk}: {exc.message}", messages.WARNING)

    @admin.action(description=_("Release: a person wrote it, make it a customer's message"))
    def release(self, request, queryset) -> None:
        self._run(request, queryset, do_release)

    @admin.action(description=_("Reprocess the selected quarantined messages"))
    def reprocess(self, request, queryset) -> None:
        self._run(request, queryset, do_reprocess)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # mail is kept, refused or not


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = readonly_fields = ("at", "ok", "error_text")
    can_delete = False

    @admin.display(description=_("error"))
    def error_text(self, attempt: DeliveryAttempt) -> str:
        return attempt_error(attempt)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "kind", "recipient", "subject", "state", "attempts")
    list_filter = ("state", "kind")
    search_fields = ("recipient", "subject", "message_id")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    exclude = ("raw",)
    inlines = [AttemptInline]
    actions = ["send_again", "mark_sent"]

    @admin.action(description=_("Send again: the recipient did not get it"), permissions=["change"])
    def send_again(self, request, queryset) -> None:
        done = send_again(list(queryset.values_list("pk", flat=True)), acting_user=request.user)
        self.message_user(request, _("Queued again: %(count)d.") % {"count": done})

    @admin.action(description=_("Mark as sent: the recipient got it"), permissions=["change"])
    def mark_sent(self, request, queryset) -> None:
        done = mark_sent(list(queryset.values_list("pk", flat=True)), acting_user=request.user)
        self.message_user(request, _("Marked as sent: %(count)d.") % {"count": done})

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
