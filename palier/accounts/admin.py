"""People and API tokens in Django's admin: administrators only (the permission table's
`user.write`), every change audited; a token is revoked here, never edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from palier.accounts.actions import do_revoke_token
from palier.accounts.models import ApiToken, Role, User
from palier.accounts.permissions import Permission, allowed
from palier.audit.admin import AuditedAdmin

PALIER_FIELDS = ("role", "customer", "is_customer_admin", "language", "phone")


def check_role_and_customer(form: forms.ModelForm) -> None:
    """A contact belongs to a customer; staff belong to none (the table's check constraint,
    said in words instead of a 500)."""
    role = form.cleaned_data.get("role")
    customer = form.cleaned_data.get("customer")
    if role == Role.CONTACT and customer is None:
        form.add_error("customer", _("A customer contact belongs to a customer: choose one."))
    if role and role != Role.CONTACT and customer is not None:
        form.add_error("customer", _("Staff belong to no customer: leave this empty."))
    if role and role != Role.CONTACT and form.cleaned_data.get("is_customer_admin"):
        form.add_error("is_customer_admin", _("Only a customer contact administers an account."))


class UserAddForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name", *PALIER_FIELDS)

    def clean(self):
        cleaned = super().clean()
        check_role_and_customer(self)
        return cleaned


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        check_role_and_customer(self)
        return cleaned


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    permission = Permission.USER_WRITE
    form = UserEditForm
    add_form = UserAddForm
    list_display = ("username", "email", "role", "customer", "is_customer_admin", "is_active")
    list_filter = ("role", "is_active", "is_customer_admin")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Palier", {"fields": PALIER_FIELDS}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Palier", {"fields": ("email", "first_name", "last_name", *PALIER_FIELDS)}),
    )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # As `palier` creates them: managers and administrators may open this admin.
            obj.is_staff = obj.role in (Role.MANAGER, Role.ADMIN)
            obj.is_superuser = obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_module_permission(self, request) -> bool:
        return allowed(request.user, Permission.USER_WRITE)

    def has_view_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.USER_WRITE)

    def has_add_permission(self, request) -> bool:
        return False  # made with `palier token create` or by their owner: shown once

    def has_change_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.USER_WRITE)  # the revoke action only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay, with their history

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            do_revoke_token(token, acting_user=request.user)
        self.message_user(request, _("The tokens are revoked."), messages.SUCCESS)
