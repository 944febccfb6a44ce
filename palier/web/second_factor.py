"""The second step of a two-factor sign-in: a code from an authenticator app, a recovery
code, or a passkey. Every wrong answer counts against the account like a wrong password
(palier/accounts/signin.py): locked out here is locked out everywhere, and the other way round.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django_otp.models import Device
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    CompleteCredentialAuthenticationView,
)

from palier.accounts import signin, twofactor


def safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy(
            "The six digits your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )
    trust_browser = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.PALIER_2FA_REMEMBER_DAYS
        self.fields["trust_browser"].label = ngettext(
            "Do not ask again in this browser for %(days)d day",
            "Do not ask again in this browser for %(days)d days",
            days,
        ) % {"days": days}
        if not days:
            del self.fields["trust_browser"]


def check_code(user, code: str) -> tuple[Device | None, twofactor.Method | None]:
    """The device a code belongs to, if it is right: an app's code, else a recovery code
    (used up by this check)."""
    code = "".join(code.split()).replace("-", "").lower()
    if code.isdigit():
        for device in twofactor.totp_devices(user):
            if device.verify_token(code):
                return device, twofactor.Method.TOTP
        return None, None
    recovery = twofactor.recovery_device(user)
    if code and recovery is not None and recovery.verify_token(code):
        return recovery, twofactor.Method.RECOVERY
    return None, None


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Too many wrong answers: the half-open session ends, as a sign-in would be refused."""
    logout(request)
    messages.error(request, signin.TOO_MANY)
    return redirect("web:login")


def _pending(request: HttpRequest) -> bool:
    return request.user.is_authenticated and twofactor.state(request) == twofactor.State.PENDING


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    if not _pending(request):
        return redirect(safe_next(request))
    user = request.user
    account = user.get_username().casefold()
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST":
        try:
            signin.check(request, account, signin.Door.SECOND_FACTOR)
        except signin.Locked:
            return _locked_out(request)
        if form.is_valid():
            device, method = check_code(user, form.cleaned_data["code"])
            if device is None:
                signin.failed(request, account, signin.Door.SECOND_FACTOR)
                form.add_error("code", _("This code is not correct."))
            else:
                signin.succeeded(request, account, signin.Door.SECOND_FACTOR)
                return _open(request, device, method, form.cleaned_data.get("trust_browser"))
    context = {
        "form": form,
        "next": safe_next(request),
        "has_app": twofactor.totp_devices(user).exists(),
        "has_passkey": twofactor.passkeys(user).exists(),
    }
    return render(request, "web/auth/second_factor.html", context)


def _open(request: HttpRequest, device: Device, method, trust: bool) -> HttpResponse:
    twofactor.mark_verified(request, method, device)
    response = HttpResponseRedirect(safe_next(request))
    if method == twofactor.Method.RECOVERY:
        left = device.token_set.count()
        messages.warning(
            request,
            ngettext(
                "You signed in with a recovery code; %(left)d is left.",
                "You signed in with a recovery code; %(left)d are left.",
                left,
            )
            % {"left": left},
        )
    elif trust:
        twofactor.remember_browser(request, response, request.user, device)
    return response


class RateLimited(webauthn_errors.OTPWebAuthnApiError):
    status_code = 429
    default_code = "rate_limited"


class PasskeyBegin(BeginCredentialAuthenticationView):
    """The challenge for the passkeys of the signed-in (pending) user."""

    def check_can_authenticate(self):
        if not _pending(self.request):
            raise webauthn_errors.NotAuthenticated()
        try:
            signin.check(
                self.request,
                self.request.user.get_username().casefold(),
                signin.Door.SECOND_FACTOR,
            )
        except signin.Locked:
            raise RateLimited(detail=str(signin.TOO_MANY)) from None


class PasskeyComplete(CompleteCredentialAuthenticationView):
    def check_can_authenticate(self):
        PasskeyBegin.check_can_authenticate(self)

    def handle_exception(self, exc):
        counted = isinstance(exc, webauthn_errors.OTPWebAuthnApiError) and not isinstance(
            exc, RateLimited | webauthn_errors.InvalidState
        )
        if counted and _pending(self.request):
            account = self.request.user.get_username().casefold()
            signin.failed(self.request, account, signin.Door.SECOND_FACTOR)
        return super().handle_exception(exc)

    def complete_auth(self, device):
        account = self.request.user.get_username().casefold()
        signin.succeeded(self.request, account, signin.Door.SECOND_FACTOR)
        twofactor.mark_verified(self.request, twofactor.Method.PASSKEY, device)
        self.device = device

    def get_success_url(self):
        return safe_next(self.request)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200 and self.request.GET.get("trust") == "1":
            twofactor.remember_browser(self.request, response, self.request.user, self.device)
        return response
