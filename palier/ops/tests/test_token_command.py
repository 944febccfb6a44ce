"""`palier token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from palier.accounts.models import ApiToken


def palier(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def me(raw: str):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")


def test_a_created_token_authenticates_its_user_on_me(world):
    out, err = palier("token", "create", "anna.a", "--name", "erp-sync")
    raw = out.strip()
    assert raw.startswith("pal_") and "\n" not in raw
    assert "shown once" in err
    response = me(raw)
    assert response.status_code == 200
    assert response.json()["username"] == "anna.a"
    assert ApiToken.objects.get(user=world.contact_a).name == "erp-sync"


def test_the_raw_token_is_never_stored_nor_listed(world):
    raw = palier("token", "create", "lena.agent")[0].strip()
    listing = palier("token", "list", "lena.agent")[0]
    assert raw[:12] in listing
    assert raw not in listing
    assert not ApiToken.objects.filter(key_hash=raw).exists()


def test_a_revoked_token_no_longer_authenticates(world):
    raw = palier("token", "create", "maria.manager")[0].strip()
    assert me(raw).status_code == 200
    out, _ = palier("token", "revoke", raw[:12])
    assert "Revoked" in out
    assert me(raw).status_code == 401
    assert "revoked" in palier("token", "list", "maria.manager")[0]


def test_an_unknown_user_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        palier("token", "create", "nobody")


def test_revoking_needs_enough_of_the_token_to_be_unambiguous(world):
    with pytest.raises(CommandError, match="at least 8"):
        palier("token", "revoke", "pal_")
    with pytest.raises(CommandError, match="No active token"):
        palier("token", "revoke", "pal_zzzzzzzz")
