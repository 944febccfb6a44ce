"""Sign-in and password-reset forms, rate-limited per account and per address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.web import ratelimit

TOO_MANY = _("Too many attempts. Please wait a few minutes and try again.")


def username_for(identifier: str) -> str:
    """Map an email address to its account's username; anything else is taken as a
    username. An unknown address is passed on unchanged so that authenticate() still runs
    the password hasher (same timing whether or not the account exists)."""
    identifier = identifier.strip()
    if "@" not in identifier:
        return identifier
    matches = list(
        get_user_model()
        .objects.filter(email__iexact=identifier)
        .values_list("username", flat=True)[:2]
    )
    return matches[0] if len(matches) == 1 else identifier


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is not correct."),
        "rate_limited": TOO_MANY,
    }

    def clean(self) -> dict[str, Any]:
        identifier = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        address = ratelimit.client_address(self.request)
        if identifier and password:
            # One account, one budget: count by the account an address resolves to, so that
            # alternating its email and its username does not double the attempts.
            account = username_for(identifier).casefold()
            if ratelimit.is_limited(ratelimit.LOGIN_PER_ACCOUNT, account) or ratelimit.is_limited(
                ratelimit.LOGIN_PER_ADDRESS, address
            ):
                raise forms.ValidationError(
                    self.error_messages["rate_limited"], code="rate_limited"
                )
            self.cleaned_data["username"] = username_for(identifier)
            try:
                return super().clean()
            except forms.ValidationError:
                ratelimit.hit(ratelimit.LOGIN_PER_ACCOUNT, account)
                ratelimit.hit(ratelimit.LOGIN_PER_ADDRESS, address)
                raise
        return self.cleaned_data


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.request = request

    def allowed_to_send(self) -> bool:
        """Count this request; False once the account or the address sent too many. The
        page answers the same either way, so a limit never reveals an account."""
        email = self.cleaned_data["email"]
        address = ratelimit.client_address(self.request) if self.request else "unknown"
        per_account = ratelimit.hit(ratelimit.RESET_PER_ACCOUNT, email)
        per_address = ratelimit.hit(ratelimit.RESET_PER_ADDRESS, address)
        return (
            per_account <= ratelimit.RESET_PER_ACCOUNT.max_hits
            and per_address <= ratelimit.RESET_PER_ADDRESS.max_hits
        )
