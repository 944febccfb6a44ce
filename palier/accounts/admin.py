from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from palier.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "customer", "is_customer_admin", "is_active")
    list_filter = ("role", "is_active", "is_customer_admin")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Palier", {"fields": ("role", "customer", "is_customer_admin", "language", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
