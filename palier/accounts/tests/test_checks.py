"""The sign-in settings' system checks."""

from __future__ import annotations

from palier.accounts.checks import check_sign_in_settings


def test_unknown_two_factor_roles_are_an_error(settings):
    settings.PALIER_2FA_REQUIRED_ROLES = frozenset({"manager", "boss"})
    assert [e.id for e in check_sign_in_settings()] == ["palier.E201"]


def test_an_incomplete_provider_is_an_error_naming_its_variables(settings):
    settings.PALIER_OIDC_PROVIDERS = {
        "entra": {"issuer": "https://login.example/t/v2.0", "client_id": "x", "client_secret": ""}
    }
    (error,) = check_sign_in_settings()
    assert error.id == "palier.E202" and "PALIER_OIDC_ENTRA_CLIENT_SECRET" in error.hint


def test_a_provider_over_plain_http_is_refused_in_production(settings):
    settings.PALIER_ENV = "production"
    settings.PALIER_OIDC_PROVIDERS = {
        "kc": {"issuer": "http://kc.example/realms/x", "client_id": "x", "client_secret": "y"}
    }
    assert [e.id for e in check_sign_in_settings()] == ["palier.E203"]


def test_the_defaults_pass(settings):
    assert check_sign_in_settings() == []
