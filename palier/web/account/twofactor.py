"""Adding and removing one's second factors: an authenticator app, passkeys, recovery codes,
trusted browsers. A session in *setup* (its role requires two factors, it has none) opens
only these pages (palier/accounts/twofactor.py)."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify
from logging import getLogger

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.exceptions import NotVerified
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialRegistrationView,
    CompleteCredentialRegistrationView,
)

from palier.accounts import signin, twofactor
from palier.accounts.actions import (
    do_add_totp,
    do_forget_browser,
    do_new_recovery_codes,
    do_record_passkey_added,
    do_remove_second_factor,
)
from palier.accounts.models import TrustedBrowser
from palier.lib.errors import NotAllowed
from palier.web.account.forms import PasswordConfirmForm, TotpForm
from palier.web.second_factor import safe_next

TOTP_KEY = twofactor.TOTP_KEY_SESSION
NEW_CODES_KEY = "palier.recovery_codes"


def _after_factor_added(request: HttpRequest, device, *, first: bool) -> str:
    """Where to go once a factor is saved. The first one opens the session and comes with
    recovery codes, shown once."""
    if not first:
        messages.success(request, _("The second factor was added."))
        return reverse("web:account:security")
    twofactor.mark_verified(request, twofactor.Method.ENROLMENT, device)
    request.session[NEW_CODES_KEY] = do_new_recovery_codes(request.user)
    query = urlencode({"next": safe_next(request, reverse("web:account:security"))})
    return f"{reverse('web:account:recovery_codes')}?{query}"


def _totp_key(request: HttpRequest) -> str:
    key = request.session.get(TOTP_KEY)
    if not key:
        key = request.session[TOTP_KEY] = random_hex(20)
    return key


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    key = _totp_key(request)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = TOTP(unhexlify(key.encode()))
        code = "".join(form.cleaned_data["code"].split())
        if code.isdigit() and totp.verify(int(code), tolerance=1):
            first = not twofactor.has_second_factor(user)
            device = do_add_totp(
                user,
                key=key,
                last_t=totp.t(),
                name=form.cleaned_data["name"] or _("Authenticator app"),
            )
            del request.session[TOTP_KEY]
            return redirect(_after_factor_added(request, device, first=first))
        form.add_error("code", _("This code is not correct. Check the time on your phone."))
    uri = TOTPDevice(user=user, key=key).config_url
    secret = b32encode(unhexlify(key.encode())).decode().rstrip("=")
    context = {
        "form": form,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": twofactor.required_for(user),
        "pending_setup": twofactor.state(request) == twofactor.State.SETUP,
        "next": safe_next(request, reverse("web:account:security")),
    }
    return render(request, "web/account/two_factor_setup.html", context)


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not twofactor.is_open(request) or not twofactor.has_second_factor(request.user):
            raise Http404("recovery codes")
        request.session[NEW_CODES_KEY] = do_new_recovery_codes(request.user)
        return redirect("web:account:recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("web:account:security")
    context = {
        "codes": [f"{c[:4]}-{c[4:]}" for c in codes],
        "next": safe_next(request, reverse("web:account:security")),
    }
    return render(request, "web/account/recovery_codes.html", context)


@require_POST
@login_required
def remove_factor(request: HttpRequest, kind: str, device_id: int) -> HttpResponse:
    source = {"app": twofactor.totp_devices, "passkey": twofactor.passkeys}.get(kind)
    device = source(request.user).filter(pk=device_id).first() if source else None
    if device is None:
        raise Http404("device")
    form = PasswordConfirmForm(request.POST, request=request)
    form.door = signin.Door.SECURITY_CHANGE
    if not form.is_valid():
        for error in form.errors.get("password", []):
            messages.error(request, error)
        return redirect("web:account:security")
    try:
        do_remove_second_factor(request.user, device)
    except NotAllowed as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The second factor was removed."))
    return redirect("web:account:security")


@require_POST
@login_required
def forget_browser(request: HttpRequest, browser_id: int) -> HttpResponse:
    browser = TrustedBrowser.objects.filter(pk=browser_id, user=request.user).first()
    if browser is None:
        raise Http404("browser")
    do_forget_browser(request.user, browser)
    messages.success(request, _("This browser will ask for the second factor again."))
    return redirect("web:account:security")


class PasskeyRegisterBegin(BeginCredentialRegistrationView):
    def _check_user_verified(self, user) -> None:
        # The middleware keeps a pending session away from these views; any other state
        # (verified, none needed, setup) may add a passkey.
        if twofactor.state(self.request) == twofactor.State.PENDING:
            raise NotVerified()


class PasskeyRegisterComplete(CompleteCredentialRegistrationView):
    _check_user_verified = PasskeyRegisterBegin._check_user_verified

    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        helper = self.get_helper()
        first = not twofactor.has_second_factor(user)
        with rewrite_exceptions(logger=getLogger("palier.signin")):
            device = helper.register_complete(user=user, state=state, data=self.request.data)
        do_record_passkey_added(user, device)
        return JsonResponse(
            {
                "id": device.pk,
                "redirect_url": _after_factor_added(self.request, device, first=first),
            }
        )
