"""The session store reads a session's row by a compiled statement as Django's store does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.accounts.models import UserSession
from palier.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_live_session_reads_the_row_the_orm_reads():
    key = _saved(answer=42, name="a <b>")
    for _ in range(2):  # compiled on the first read, executed only on the second
        store = SessionStore(key)
        assert store.load() == {"answer": 42, "name": "a <b>"}
        row = store._get_session_from_db()
        orm = UserSession.objects.get(session_key=key)
        fields = [f.attname for f in UserSession._meta.concrete_fields]
        assert [getattr(row, f) for f in fields] == [getattr(orm, f) for f in fields]
        assert store.session_key == key


def test_an_expired_or_unknown_session_reads_as_empty_and_forgets_its_key():
    key = _saved(answer=42)
    UserSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    for wanted in (key, "x" * 32):
        store = SessionStore(wanted)
        assert store.load() == {}
        assert store.session_key is None
