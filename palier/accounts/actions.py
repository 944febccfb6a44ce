"""Writes on accounts: tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from palier.accounts.models import ApiToken, User, hash_token


@transaction.atomic
def do_create_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw))
    return token, raw


def do_revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
