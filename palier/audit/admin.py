"""Django's admin under the permission table and the audit log.

`AuditedAdmin` (and `AuditedInline`) let a role change a model only where the permission
table says so, and record every change, addition and deletion made there in the audit log,
inside the admin's own transaction. `ReadOnlyAdmin` shows history that no one may rewrite:
a correction is a new row, made by an action. The audit log itself is read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from palier.accounts.permissions import Permission, allowed
from palier.audit.log import record_change, snapshot
from palier.audit.models import AuditEntry


def _name(obj: models.Model) -> str:
    return obj._meta.model_name


def _before(obj: models.Model) -> dict | None:
    if obj.pk is None:
        return None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else None


class _PermissionTable:
    permission: Permission

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, self.permission) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return allowed(request.user, self.permission)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, self.permission)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, self.permission)


class AuditedInline(_PermissionTable, admin.TabularInline):
    extra = 0


class AuditedAdmin(_PermissionTable, admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, self.permission) or super().has_module_permission(request)

    def save_model(self, request, obj, form, change) -> None:
        before = _before(obj) if change else None
        super().save_model(request, obj, form, change)
        action = f"{_name(obj)}.{'update' if change else 'create'}"
        record_change(action, obj, acting_user=request.user, before=before, after=snapshot(obj))

    def delete_model(self, request, obj) -> None:
        record_change(f"{_name(obj)}.delete", obj, acting_user=request.user, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_change(
                f"{_name(obj)}.delete", obj, acting_user=request.user, before=snapshot(obj)
            )
            obj.delete()
        for obj in instances:
            before = _before(obj)
            obj.save()
            action = f"{_name(obj)}.{'update' if before is not None else 'create'}"
            record_change(action, obj, acting_user=request.user, before=before, after=snapshot(obj))
        formset.save_m2m()


class ReadOnlyAdmin(admin.ModelAdmin):
    """History to read, never to rewrite: no adding, changing or deleting here."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "channel", "address", "action", "object_repr")
    list_filter = ("channel", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id")
    date_hierarchy = "at"
    list_select_related = ()

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return allowed(request.user, Permission.AUDIT_READ)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, Permission.AUDIT_READ)
