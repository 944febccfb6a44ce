"""A user's own security settings: two-factor sign-in, web sessions, API tokens.

Everyone signed in has this page (/account/); what it shows is theirs only.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palier.accounts import twofactor
from palier.accounts.actions import do_create_token, do_end_sessions, do_revoke_token
from palier.accounts.models import ApiToken, TrustedBrowser, UserSession
from palier.accounts.sessions import describe_agent
from palier.web.account.forms import PasswordConfirmForm, TokenForm

NEW_TOKEN_KEY = "palier.new_token"


def session_id(session_key: str) -> str:
    """How a session is named in pages and forms: never its key, which is its password."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:20]


def _sessions(request: HttpRequest) -> list[dict]:
    rows = UserSession.objects.filter(user=request.user, expire_date__gt=timezone.now()).order_by(
        "-last_seen"
    )
    return [
        {
            "id": session_id(row.session_key),
            "device": describe_agent(row.user_agent),
            "address": row.address or "",
            "signed_in_at": row.signed_in_at,
            "last_seen": row.last_seen,
            "current": row.session_key == request.session.session_key,
        }
        for row in rows.only("session_key", "user_agent", "address", "signed_in_at", "last_seen")
    ]


@never_cache
@login_required
def security(request: HttpRequest, token_form: TokenForm | None = None) -> HttpResponse:
    user = request.user
    now = timezone.now()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    recovery = twofactor.recovery_device(user)
    context = {
        "required": twofactor.required_for(user),
        "apps": list(twofactor.totp_devices(user).order_by("id")),
        "passkeys": list(twofactor.passkeys(user).order_by("id")),
        "recovery_left": recovery.token_set.count() if recovery else None,
        "browsers": [
            {"row": b, "device": describe_agent(b.user_agent)}
            for b in TrustedBrowser.objects.filter(
                user=user, revoked_at__isnull=True, expires_at__gt=now
            ).order_by("-created_at")
        ],
        "sessions": _sessions(request),
        "tokens": [{"row": t, "expired": t.expires_at and t.expires_at <= now} for t in tokens],
        "token_form": token_form or TokenForm(request=request),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
        "remove_form": PasswordConfirmForm(request=request),
        "remember_days": settings.PALIER_2FA_REMEMBER_DAYS,
    }
    return render(request, "web/account/security.html", context)


@require_POST
@login_required
def create_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, request=request)
    if not form.is_valid():
        return security(request, token_form=form)
    token, raw = do_create_token(
        request.user,
        name=form.cleaned_data["name"],
        read_only=form.cleaned_data["access"] == "read",
        expires_at=form.expires_at(),
        acting_user=request.user,
    )
    # Shown once on the next page, never stored: the session carries it one step.
    request.session[NEW_TOKEN_KEY] = raw
    messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
    return redirect("web:account:security")


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("token")
    do_revoke_token(token, acting_user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("web:account:security")


@require_POST
@login_required
def end_session(request: HttpRequest, sid: str) -> HttpResponse:
    keys = [
        key
        for key in UserSession.objects.filter(user=request.user).values_list(
            "session_key", flat=True
        )
        if session_id(key) == sid and key != request.session.session_key
    ]
    if not keys:
        raise Http404("session")
    do_end_sessions(request.user, acting_user=request.user, keys=keys)
    messages.success(request, _("The session was ended."))
    return redirect("web:account:security")


@require_POST
@login_required
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    count = do_end_sessions(
        request.user, acting_user=request.user, keep=request.session.session_key or ""
    )
    messages.success(
        request,
        ngettext(
            "%(count)d other session was ended.", "%(count)d other sessions were ended.", count
        )
        % {"count": count},
    )
    return redirect("web:account:security")
