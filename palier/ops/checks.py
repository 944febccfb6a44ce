"""Configuration checks (`palier check`, `palier check --deploy`) with stable ids and hints."""

from __future__ import annotations

import shlex
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from palier.ops.secrets import FILE_NAME as DEMO_SECRET


def _production() -> bool:
    return getattr(settings, "PALIER_ENV", "production") == "production"


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return ""


def _demo_advice() -> str:
    """How to reach a demo desk instead: every command but `palier demo` defaults to
    production, and the demo's data folder is known by the secret `palier demo` keeps there."""
    folder = settings.DATA_DIR
    if (folder / DEMO_SECRET).is_file():
        return (
            f" {folder} holds a demo desk made by 'palier demo': run a command on it as "
            f"PALIER_ENV=demo PALIER_DATA_DIR={shlex.quote(str(folder))} palier COMMAND."
        )
    return (
        " For a demo desk made by 'palier demo', set PALIER_ENV=demo and PALIER_DATA_DIR "
        "to the data folder it printed instead."
    )


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
                    + _demo_advice()
                ),
                id="palier.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "PALIER_ALLOWED_HOSTS is not set: every request would be refused.",
                hint="Set PALIER_ALLOWED_HOSTS to the desk's host names, comma-separated "
                "(e.g. support.example.com)." + ("" if errors else _demo_advice()),
                # Said once: under E001 when both are missing.
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
