"""Writes on accounts: tokens, the user's language (each recorded in the audit log)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import ApiToken, User, hash_token
from palier.audit.log import record_change, snapshot
from palier.lib.errors import DomainError


@transaction.atomic
def do_create_token(
    user: User, *, name: str = "", acting_user: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored.
    `acting_user` is who asked (None: a command run by the operator)."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw))
    record_change("token.create", token, acting_user=acting_user, after=snapshot(token))
    return token, raw


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: User | None = None) -> None:
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        record_change(
            "token.revoke",
            token,
            acting_user=acting_user,
            before={"revoked_at": None},
            after={"revoked_at": now},
        )


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
        record_change(
            "user.update",
            locked,
            acting_user=user,
            before={"language": locked.language},
            after={"language": language},
        )
        locked.language = language
        locked.save(update_fields=["language"])
    user.language = language
    return locked
