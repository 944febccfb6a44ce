"""People and API tokens in Django's admin. A person is created, changed, deactivated and
reactivated through `palier/people/actions.py` (the permission table's `people.write`, and
`administrator.write` for administrators; every change audited); a new person sets their
password through the invitation mailed to them. A token is revoked here, never edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from palier.accounts.actions import do_revoke_token
from palier.accounts.models import ApiToken, Role, User
from palier.accounts.permissions import Permission, allowed
from palier.lib.errors import DomainError
from palier.people import actions as people

PERSON_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "customer",
    "is_customer_admin",
    "language",
    "phone",
)


class PersonForm(forms.ModelForm):
    """A person's record, checked as the people actions check it, in words (a contact without
    a customer answered 500 here: the table's check constraint)."""

    class Meta:
        model = User
        fields = PERSON_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["username"].required = False
        self.fields["username"].help_text = _("Left empty: the email address.")

    def clean(self):
        cleaned = super().clean()
        role, customer = cleaned.get("role"), cleaned.get("customer")
        if role == Role.CONTACT and customer is None:
            self.add_error("customer", _("A customer contact belongs to a customer: choose one."))
        if role and role != Role.CONTACT and customer is not None:
            self.add_error("customer", _("Staff belong to no customer: leave this empty."))
        if role and role != Role.CONTACT and cleaned.get("is_customer_admin"):
            self.add_error(
                "is_customer_admin", _("Only a customer contact administers an account.")
            )
        return cleaned


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ("username", "email", "role", "customer", "is_customer_admin", "is_active")
    list_filter = ("role", "is_active", "is_customer_admin")
    list_select_related = ("customer",)
    search_fields = ("username", "email", "first_name", "last_name")
    readonly_fields = ("is_active", "last_login", "date_joined")
    actions = ["deactivate", "reactivate"]

    def get_fields(self, request, obj=None):
        return PERSON_FIELDS if obj is None else (*PERSON_FIELDS, *self.readonly_fields)

    def has_module_permission(self, request) -> bool:
        return allowed(request.user, Permission.PEOPLE_WRITE)

    def has_view_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.PEOPLE_WRITE)

    def has_add_permission(self, request) -> bool:
        return allowed(request.user, Permission.PEOPLE_WRITE)

    def has_change_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.PEOPLE_WRITE)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a person with history is deactivated, never deleted

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in PERSON_FIELDS}
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = people.do_update_person(obj, acting_user=request.user, **changed)
        else:
            saved = people.do_create_person(acting_user=request.user, invite=True, **data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change) -> None:
        pass  # no relations besides the fields the action saved

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # a rule the action keeps (an email taken, own role)
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Deactivate the selected people"))
    def deactivate(self, request, queryset) -> None:
        self._each(request, queryset, people.do_deactivate)

    @admin.action(description=_("Reactivate the selected people and invite them"))
    def reactivate(self, request, queryset) -> None:
        self._each(request, queryset, people.do_reactivate)

    def _each(self, request, queryset, action) -> None:
        for person in queryset:
            try:
                action(person, acting_user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{person}: {exc.message}", messages.WARNING)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_module_permission(self, request) -> bool:
        return allowed(request.user, Permission.ADMINISTRATOR_WRITE)

    def has_view_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.ADMINISTRATOR_WRITE)

    def has_add_permission(self, request) -> bool:
        return False  # made with `palier token create` or by their owner: shown once

    def has_change_permission(self, request, obj=None) -> bool:
        return allowed(request.user, Permission.ADMINISTRATOR_WRITE)  # the revoke action only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay, with their history

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            do_revoke_token(token, acting_user=request.user)
        self.message_user(request, _("The tokens are revoked."), messages.SUCCESS)
