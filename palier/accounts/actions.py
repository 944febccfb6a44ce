"""Writes on accounts: API tokens, web sessions, the user's language (two-factor devices:
`palier.accounts.twofactor_actions`). Each security change leaves an audit row."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from palier.accounts import twofactor
from palier.accounts.models import ApiToken, TrustedBrowser, User, UserSession, hash_token
from palier.audit.log import record_change, snapshot
from palier.lib.errors import DomainError, NotAllowed

TOKEN_FIELDS = ("name", "prefix", "read_only", "expires_at", "revoked_at")


@transaction.atomic
def do_create_token(
    user: User,
    *,
    name: str = "",
    read_only: bool = False,
    expires_at: dt.datetime | None = None,
    acting_user: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        key_hash=hash_token(raw),
        read_only=read_only,
        expires_at=expires_at,
    )
    record_change(
        "token.created", token, acting_user=acting_user, after=snapshot(token, TOKEN_FIELDS)
    )
    return token, raw


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: User | None = None) -> None:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return
    before = snapshot(locked, TOKEN_FIELDS)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    token.revoked_at = locked.revoked_at
    record_change(
        "token.revoked",
        locked,
        acting_user=acting_user,
        before=before,
        after=snapshot(locked, TOKEN_FIELDS),
    )


@transaction.atomic
def do_end_sessions(
    user: User, *, acting_user: User | None, keys: list[str] | None = None, keep: str = ""
) -> int:
    """End some of the user's web sessions (`keys`), or all of them but `keep`: their rows
    go, so the next request with one of their cookies is signed out. Returns how many."""
    sessions = UserSession.objects.filter(user=user).exclude(session_key=keep or None)
    if keys is not None:
        sessions = sessions.filter(session_key__in=keys)
    ended = [
        {"signed_in_at": s.signed_in_at, "user_agent": s.user_agent, "address": s.address}
        for s in sessions.only("signed_in_at", "user_agent", "address")
    ]
    if not ended:
        return 0
    sessions.delete()
    record_change(
        "sessions.ended",
        user,
        acting_user=acting_user,
        before={"sessions": ended},
        after={"sessions": []},
    )
    return len(ended)


@transaction.atomic
def do_set_language(user: User, language: str) -> User:
    """Save the language the user chose, so that mails and pages follow it everywhere."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(
            _("This language is not offered."),
            code="unknown_language",
            details={"language": language},
        )
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.language != language:
        locked.language = language
        locked.save(update_fields=["language"])
    user.language = language
    return locked


# Two-factor sign-in (palier/accounts/twofactor.py says who needs it and when).


def _factor_label(device: Device) -> dict:
    kind = "passkey" if isinstance(device, WebAuthnCredential) else "totp"
    return {"kind": kind, "name": device.name}


def _record_factor_added(user: User, device: Device, *, had_factor: bool) -> None:
    record_change("two_factor.added", device, acting_user=user, after=_factor_label(device))
    if not had_factor:
        record_change(
            "two_factor.enabled",
            user,
            acting_user=user,
            before={"two_factor": False},
            after={"two_factor": True},
        )


@transaction.atomic
def do_add_totp(user: User, *, key: str, last_t: int, name: str) -> TOTPDevice:
    """Save an authenticator app whose code the user just typed (`last_t`: that code's time
    step, so the same code cannot be used again to sign in)."""
    User.objects.select_for_update().get(pk=user.pk)
    had_factor = twofactor.has_second_factor(user)
    device = TOTPDevice.objects.create(
        user=user, name=name[:64], key=key, confirmed=True, last_t=last_t
    )
    _record_factor_added(user, device, had_factor=had_factor)
    return device


@transaction.atomic
def do_record_passkey_added(user: User, device: WebAuthnCredential) -> None:
    """django-otp-webauthn saved the passkey; write what the desk records of it."""
    User.objects.select_for_update().get(pk=user.pk)
    had_factor = (
        twofactor.totp_devices(user).exists()
        or twofactor.passkeys(user).exclude(pk=device.pk).exists()
    )
    _record_factor_added(user, device, had_factor=had_factor)


@transaction.atomic
def do_new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones, returned once (django-otp keeps them
    as they are: whoever reads the database could read them, as with any session)."""
    User.objects.select_for_update().get(pk=user.pk)
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=twofactor.RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(twofactor.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    record_change(
        "two_factor.recovery_codes_renewed",
        device,
        acting_user=user,
        after={"codes": len(codes)},
    )
    return codes


@transaction.atomic
def do_remove_second_factor(user: User, device: Device) -> None:
    """Remove an authenticator app or a passkey. Removing the last one turns two-factor
    sign-in off (recovery codes and trusted browsers go with it), unless the role requires
    it: then it is refused."""
    User.objects.select_for_update().get(pk=user.pk)
    others = [d for d in (*twofactor.totp_devices(user), *twofactor.passkeys(user)) if d != device]
    if not others and twofactor.required_for(user):
        raise NotAllowed(
            _("Your role signs in with two factors: add another one before removing this one."),
            details={"reason": "two_factor_required"},
        )
    label = _factor_label(device)
    record_change("two_factor.removed", device, acting_user=user, before=label, after={})
    device.delete()
    if not others:
        StaticDevice.objects.filter(user=user).delete()
        TrustedBrowser.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        record_change(
            "two_factor.disabled",
            user,
            acting_user=user,
            before={"two_factor": True},
            after={"two_factor": False},
        )


@transaction.atomic
def do_forget_browser(user: User, browser: TrustedBrowser) -> None:
    locked = TrustedBrowser.objects.select_for_update().get(pk=browser.pk, user=user)
    if locked.revoked_at is not None:
        return
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_change(
        "trusted_browser.revoked",
        locked,
        acting_user=user,
        before={"revoked_at": None},
        after={"revoked_at": locked.revoked_at},
    )
