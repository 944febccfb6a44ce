"""Configuration checks (`palier check`, `palier check --deploy`) with stable ids and hints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections


def _production() -> bool:
    return getattr(settings, "PALIER_ENV", "production") == "production"


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return ""


# Not deploy-only: a production process without a secret or hosts cannot serve safely, so
# every command (migrate, serve, worker) stops on them.
@register(Tags.security)
def check_production_secrets(app_configs: Any = None, **kwargs: Any) -> list:
    if not _production():
        return []
    errors = []
    if not _secret_key():
        errors.append(
            Error(
                "PALIER_SECRET_KEY is not set.",
                hint=(
                    "Set PALIER_SECRET_KEY to a long random value kept out of the code, e.g. "
                    "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
                ),
                id="palier.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "PALIER_ALLOWED_HOSTS is not set: every request would be refused.",
                hint="Set PALIER_ALLOWED_HOSTS to the desk's host names, comma-separated "
                "(e.g. support.example.com).",
                id="palier.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_database(app_configs: Any = None, **kwargs: Any) -> list:
    if not _production():
        return []
    if connections["default"].vendor == "sqlite":
        return [
            Warning(
                "Production runs on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database "
                "(postgres://USER:PASSWORD@HOST:5432/NAME) for several web and worker processes.",
                id="palier.W001",
            )
        ]
    return []
