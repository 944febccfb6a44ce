"""Sign-in and password-reset forms, rate-limited per account and per address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.accounts import signin
from palier.web import ratelimit


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is not correct."),
        "rate_limited": signin.TOO_MANY,
    }

    def clean(self) -> dict[str, Any]:
        identifier = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if identifier and password:
            account = signin.account_key(identifier)
            try:
                signin.check(self.request, account, signin.Door.SIGN_IN)
            except signin.Locked:
                raise forms.ValidationError(
                    self.error_messages["rate_limited"], code="rate_limited"
                ) from None
            self.cleaned_data["username"] = signin.username_for(identifier)
            try:
                cleaned = super().clean()
            except forms.ValidationError:
                signin.failed(self.request, account, signin.Door.SIGN_IN)
                raise
            signin.succeeded(self.request, account, signin.Door.SIGN_IN)
            return cleaned
        return self.cleaned_data


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.request = request

    def allowed_to_send(self) -> bool:
        """Count this request; False while the account or the address is locked out of
        signing in (the one policy of every door), or sent too many. The page answers the
        same either way, so a limit never reveals an account."""
        email = self.cleaned_data["email"]
        request = self.request
        assert request is not None  # noqa: S101 (the view always passes it)
        account = signin.account_key(email)
        try:
            signin.check(request, account, signin.Door.PASSWORD_RESET)
        except signin.Locked:
            return False
        signin.attempted(request, account, signin.Door.PASSWORD_RESET)
        address = ratelimit.client_address(request)
        per_account = ratelimit.hit(ratelimit.RESET_PER_ACCOUNT, email)
        per_address = ratelimit.hit(ratelimit.RESET_PER_ADDRESS, address)
        return (
            per_account <= ratelimit.RESET_PER_ACCOUNT.max_hits
            and per_address <= ratelimit.RESET_PER_ADDRESS.max_hits
        )
