"""Checks of the sign-in settings (`palier check`): two-factor roles and single sign-on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from palier.accounts.models import STAFF_ROLES


@register(Tags.security)
def check_sign_in_settings(app_configs: Any = None, **kwargs: Any) -> list:
    errors = []
    unknown = sorted(set(settings.PALIER_2FA_REQUIRED_ROLES) - {str(r) for r in STAFF_ROLES})
    if unknown:
        errors.append(
            Error(
                f"PALIER_2FA_REQUIRED_ROLES names roles Palier does not have: {unknown}.",
                hint="Use staff roles, comma-separated: agent, consultant, rnd, manager, admin.",
                id="palier.E201",
            )
        )
    for name, config in settings.PALIER_OIDC_PROVIDERS.items():
        missing = [key for key in ("issuer", "client_id", "client_secret") if not config[key]]
        if missing:
            variables = ", ".join(f"PALIER_OIDC_{name.upper()}_{key.upper()}" for key in missing)
            errors.append(
                Error(
                    f"Single sign-on through {name!r} is not fully configured.",
                    hint=f"Set {variables}.",
                    id="palier.E202",
                )
            )
        elif settings.PALIER_ENV == "production" and not config["issuer"].startswith("https://"):
            errors.append(
                Error(
                    f"PALIER_OIDC_{name.upper()}_ISSUER must be an https:// address.",
                    hint="An identity provider is only trusted over HTTPS.",
                    id="palier.E203",
                )
            )
    return errors
