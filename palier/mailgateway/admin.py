"""Staff see the raw mail, the quarantine with its reasons, and every outbound attempt."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from palier.lib.errors import DomainError
from palier.mailgateway.actions import do_reprocess
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage, RawMessage


@admin.register(RawMessage)
class RawMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "state",
        "outcome",
        "error_code",
        "sender",
        "subject",
        "ticket",
    )
    list_filter = ("state", "outcome", "error_code", "source")
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = [f.name for f in RawMessage._meta.fields]
    exclude = ("raw",)
    actions = ["reprocess"]
    list_select_related = ("ticket",)

    @admin.action(description=_("Reprocess the selected quarantined messages"))
    def reprocess(self, request, queryset) -> None:
        for raw in queryset:
            try:
                done = do_reprocess(raw, acting_user=request.user)
                self.message_user(
                    request, f"{raw.pk}: {done.state} {done.outcome or done.error_code}"
                )
            except DomainError as exc:
                self.message_user(request, f"{raw.pk}: {exc.message}", messages.WARNING)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # mail is kept, refused or not


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ("at", "ok", "error")
    can_delete = False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "kind", "recipient", "subject", "state", "attempts")
    list_filter = ("state", "kind")
    search_fields = ("recipient", "subject", "message_id")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    exclude = ("raw",)
    inlines = [AttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
