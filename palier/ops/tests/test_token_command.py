"""`palier token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

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


def test_a_read_only_token_reads_and_is_refused_a_write(world):
    out, err = palier("token", "create", "lena.agent", "--read-only")
    raw = out.strip()
    assert "read-only" in err
    assert me(raw).status_code == 200
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    refused = client.post("/api/v1/tickets", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "read_only_token"
    assert "read-only" in palier("token", "list", "lena.agent")[0]


def test_a_token_with_an_expiry_stops_working_after_it(world):
    import datetime as dt

    raw = palier("token", "create", "anna.a", "--expires", "30")[0].strip()
    token = ApiToken.objects.get(prefix=raw[:12])
    left = token.expires_at - timezone.now()
    assert dt.timedelta(days=29, hours=23) < left <= dt.timedelta(days=30)
    assert me(raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert me(raw).status_code == 401
    assert "expired" in palier("token", "list", "anna.a")[0]


def test_an_expiry_date_must_be_a_future_iso_date_or_a_number_of_days(world):
    year = timezone.now().year + 2
    later = palier("token", "create", "anna.a", "--expires", f"{year}-01-31")[0].strip()
    expires = ApiToken.objects.get(prefix=later[:12]).expires_at
    assert (expires.year, expires.month, expires.day, expires.hour) == (year, 1, 31, 0)
    # Ten years at most, as for a number of days; digits of other scripts are not days.
    for bad in ("31.01.2999", "2020-01-01", "0", "yesterday", "9999-12-31", "\uff13\uff10", "3651"):
        with pytest.raises(CommandError):
            palier("token", "create", "anna.a", "--expires", bad)
    assert ApiToken.objects.filter(user=world.contact_a).count() == 1


def test_a_token_name_is_checked_and_an_empty_list_says_so(world):
    with pytest.raises(CommandError):
        palier("token", "create", "anna.a", "--name", "x" * 101)
    assert not ApiToken.objects.filter(user=world.contact_a).exists()
    out, err = palier("token", "list", "anna.a")
    assert out == "" and "anna.a has no API token" in err
    palier("token", "create", "anna.a", "--name", "  nightly export  ")
    assert ApiToken.objects.get(user=world.contact_a).name == "nightly export"


def test_the_list_prints_every_instant_with_its_zone(world, settings):
    """ "last used 2026-03-01 09:05" was read as local time whatever it was."""
    import datetime as dt

    settings.TIME_ZONE = "Europe/Zurich"
    raw = palier("token", "create", "anna.a", "--expires", f"{timezone.now().year + 1}-01-31")
    token = ApiToken.objects.get(prefix=raw[0].strip()[:12])
    used = dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC)
    created = dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used, created_at=created)
    line = palier("token", "list", "anna.a")[0]
    assert "last used 2026-03-01T10:05:00+01:00" in line
    assert "created 2026-03-01T00:30:00+01:00" in line  # the desk's day, not UTC's
    assert f"until {timezone.now().year + 1}-01-31T01:00:00+01:00" in line
    revoked = dt.datetime(2026, 7, 1, 22, 0, tzinfo=dt.UTC)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=revoked)
    assert "revoked 2026-07-02T00:00:00+02:00" in palier("token", "list", "anna.a")[0]
