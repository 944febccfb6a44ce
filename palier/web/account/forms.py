"""Forms of a user's own security settings. A password confirmation is a sign-in door: it
shares the account's budget and lock-out (palier/accounts/signin.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts import signin


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    door = signin.Door.TOKEN_CREATION

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        account = user.get_username().casefold()
        try:
            signin.check(self.request, account, self.door)
        except signin.Locked:
            raise forms.ValidationError(signin.TOO_MANY, code="rate_limited") from None
        if not user.check_password(password):
            signin.failed(self.request, account, self.door)
            raise forms.ValidationError(_("This password is not correct."), code="wrong")
        signin.succeeded(self.request, account, self.door)
        return password


EXPIRIES = {"30": 30, "90": 90, "365": 365, "never": None}


class TokenForm(PasswordConfirmForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “ERP export script”."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[
            ("read", _("Read only: any write is refused")),
            ("write", _("Read and write, as you")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )
    expires = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("in 30 days")),
            ("90", _("in 90 days")),
            ("365", _("in one year")),
            ("never", _("never")),
        ],
        initial="90",
    )
    field_order = ["name", "access", "expires", "password"]

    def expires_at(self) -> dt.datetime | None:
        days = EXPIRIES[self.cleaned_data["expires"]]
        return timezone.now() + dt.timedelta(days=days) if days else None


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("The code the app shows"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        required=False,
        help_text=_("To tell your devices apart, e.g. “work phone”."),
    )
