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
