"""API tokens: only a hash is kept, revoked or inactive ones open nothing."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from palier.accounts.actions import do_create_token, do_revoke_token
from palier.accounts.models import ApiToken, hash_token
from palier.accounts.queries import access_user_by_token


def test_a_token_is_stored_only_as_its_hash(world):
    token, raw = do_create_token(world.agent, name="laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("pal_") and raw != stored.key_hash
    assert stored.key_hash == hash_token(raw) and stored.prefix == raw[:12]
    assert access_user_by_token(raw) == world.agent


def test_a_revoked_token_or_an_inactive_users_token_opens_nothing(world):
    token, raw = do_create_token(world.contact_a)
    do_revoke_token(token)
    assert access_user_by_token(raw) is None
    _token, raw2 = do_create_token(world.contact_a2)
    world.contact_a2.is_active = False
    world.contact_a2.save()
    assert access_user_by_token(raw2) is None


def test_empty_or_oversized_tokens_open_nothing(world):
    assert access_user_by_token("") is None
    assert access_user_by_token("pal_" + "x" * 500) is None


def test_last_use_is_written_at_most_once_a_minute(world):
    token, raw = do_create_token(world.agent)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        access_user_by_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        access_user_by_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        access_user_by_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)
