"""API tokens: only a hash is kept, revoked or inactive ones open nothing."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from palier.accounts.actions import do_create_token, do_revoke_token
from palier.accounts.models import ApiToken, hash_token
from palier.accounts.queries import CUSTOMER_FIELDS, access_user_by_token
from palier.customers.models import Customer


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


def test_a_contacts_token_brings_their_customer_as_stored_in_one_query(
    world, django_assert_num_queries
):
    customer = world.customer_a
    customer.email_domain = "alpenkaese.ch"
    customer.account_manager = world.manager
    customer.save()
    _token, raw = do_create_token(world.contact_a)
    access_user_by_token(raw)  # the first use writes last_used_at
    with django_assert_num_queries(1):
        user = access_user_by_token(raw)
        got = user.customer
        fields = [getattr(got, f) for f in CUSTOMER_FIELDS]
    stored = Customer.objects.get(pk=customer.pk)
    assert fields == [getattr(stored, f) for f in CUSTOMER_FIELDS]
    assert user.customer_id == customer.pk and user.is_contact
    assert got.created_at == stored.created_at  # deferred, read on demand
    _staff, raw_staff = do_create_token(world.agent)
    assert access_user_by_token(raw_staff).customer_id is None
