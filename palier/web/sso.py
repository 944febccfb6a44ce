"""Sign in through an OpenID Connect provider (authlib's client: discovery, PKCE, state, nonce
and the ID token's signature checked). Which account opens is palier/accounts/sso.py's
decision; the sign-in policy (palier/accounts/signin.py) and the second factor apply as
after a password, unless the provider is declared to enforce multi-factor itself.
"""

from __future__ import annotations

import functools
import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palier.accounts import signin, sso, twofactor
from palier.web.auth import second_step_or
from palier.web.forms import SignInForm
from palier.web.second_factor import safe_next

logger = logging.getLogger("palier.signin")
NEXT_KEY = "palier.sso_next"


def _provider(name: str) -> tuple[sso.Provider, object]:
    config = settings.PALIER_OIDC_PROVIDERS.get(name)
    if config is None:
        raise Http404("provider")
    return sso.Provider.from_settings(name, config), _client(name, tuple(sorted(config.items())))


@functools.lru_cache(maxsize=16)
def _client(name: str, config_items: tuple):
    """One authlib client per provider and configuration; it keeps the provider's discovery
    document and keys once fetched."""
    config = dict(config_items)
    return OAuth().register(
        name=name,
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        server_metadata_url=f"{config['issuer']}/.well-known/openid-configuration",
        client_kwargs={"scope": config["scopes"], "code_challenge_method": "S256", "timeout": 10},
    )


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    context = {
        "form": SignInForm(request),
        "sso_error": message,
        "sso_providers": sso.configured(),
        "next": request.session.get(NEXT_KEY, ""),
    }
    return render(request, "web/auth/login.html", context, status=status)


@never_cache
def start(request: HttpRequest, name: str) -> HttpResponse:
    provider, client = _provider(name)
    request.session[NEXT_KEY] = safe_next(request)
    callback = request.build_absolute_uri(reverse("web:sso_callback", args=[name]))
    try:
        return client.authorize_redirect(request, callback)
    except (requests.RequestException, AuthlibBaseError, ValueError) as error:
        logger.warning("single sign-on unavailable provider=%s error=%s", name, error)
        return _unavailable(request, provider)


def _unavailable(request: HttpRequest, provider: sso.Provider) -> HttpResponse:
    message = _("%(provider)s could not be reached or did not answer as expected. Try again.")
    return _refused(request, message % {"provider": provider.label}, status=502)


@never_cache
def callback(request: HttpRequest, name: str) -> HttpResponse:
    provider, client = _provider(name)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if "email" not in claims:
            claims = {**client.userinfo(token=token), **claims}
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError) as error:
        logger.warning("single sign-on failed provider=%s error=%s", name, error)
        return _unavailable(request, provider)
    try:
        user = sso.match(provider, claims)
    except sso.Refused as refusal:
        key = signin.account_key(refusal.email or f"{name}:{claims.get('sub', '')}")
        signin.failed(request, key, signin.Door.SINGLE_SIGN_ON)
        return _refused(request, refusal.message)
    account = user.get_username().casefold()
    try:
        signin.check(request, account, signin.Door.SINGLE_SIGN_ON)
    except signin.Locked:
        return _refused(request, str(signin.TOO_MANY), status=429)
    target = request.session.pop(NEXT_KEY, "") or reverse(settings.LOGIN_REDIRECT_URL)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    signin.succeeded(request, account, signin.Door.SINGLE_SIGN_ON)
    if provider.trusts_mfa:
        twofactor.mark_verified(request, twofactor.Method.IDENTITY_PROVIDER)
    return second_step_or(request, HttpResponseRedirect(target))
