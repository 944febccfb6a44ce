"""A misconfigured mail address is a system check error with a hint."""

from __future__ import annotations

from palier.mailgateway.checks import check_mail_addresses


def test_valid_addresses_pass_the_check(settings):
    settings.DEFAULT_FROM_EMAIL = "support@vendor.example"
    assert check_mail_addresses() == []


def test_an_address_with_a_line_break_or_two_addresses_is_refused(settings):
    settings.DEFAULT_FROM_EMAIL = "support@vendor.example\r\nBcc: x@y.example"
    settings.PALIER_MAIL_REPLY_ADDRESS = "a@vendor.example, b@vendor.example"
    settings.PALIER_MAIL_BOUNCE_ADDRESS = "bounces@vendor.example"
    ids = [e.id for e in check_mail_addresses()]
    assert ids == ["palier.E040", "palier.E040"]


def test_the_send_lease_is_read_when_used_and_a_bad_one_is_a_check_error(monkeypatch, settings):
    import datetime as dt

    from palier.mailgateway import config
    from palier.mailgateway.checks import check_send_lease

    assert config.send_lease() == dt.timedelta(minutes=10)
    assert check_send_lease() == []
    monkeypatch.setenv("PALIER_MAIL_SEND_LEASE_SECONDS", "1800")
    assert config.send_lease() == dt.timedelta(minutes=30)
    for bad in ("ten", "5"):
        monkeypatch.setenv("PALIER_MAIL_SEND_LEASE_SECONDS", bad)
        [error] = check_send_lease()
        assert error.id == "palier.E041" and "PALIER_MAIL_SEND_LEASE_SECONDS" in error.msg
    # A lease no longer than the SMTP timeout would call a conversation still waiting on the
    # server unfinished.
    monkeypatch.setenv("PALIER_MAIL_SEND_LEASE_SECONDS", "120")
    settings.EMAIL_TIMEOUT = 120
    [error] = check_send_lease()
    assert error.id == "palier.E041" and "120" in error.msg and error.hint
