"""Mail settings, read when used (never at import), with defaults from the environment."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from palier.lib.env import env_bool, env_int, env_list, env_str


def _setting(name: str, default):
    return getattr(settings, name, default)


def from_address() -> str:
    return _setting("DEFAULT_FROM_EMAIL", "support@palier.localhost")


def reply_address() -> str:
    """The support address; replies come back to it with the ticket reference as a tag."""
    return _setting(
        "PALIER_MAIL_REPLY_ADDRESS", env_str("PALIER_MAIL_REPLY_ADDRESS", from_address())
    )


def mail_domain() -> str:
    return reply_address().rsplit("@", 1)[-1]


def own_addresses() -> set[str]:
    extra = _setting("PALIER_MAIL_OWN_ADDRESSES", env_list("PALIER_MAIL_OWN_ADDRESSES", []))
    return {a.lower() for a in (from_address(), reply_address(), *extra)}


def is_own_address(address: str) -> bool:
    address = address.lower()
    local, _, domain = address.partition("@")
    own = own_addresses()
    if address in own:
        return True
    # support+PAL-2026-000123@domain is ours too.
    base = f"{local.split('+', 1)[0]}@{domain}"
    return base in own


def max_auto_replies_per_hour() -> int:
    return _setting(
        "PALIER_MAIL_MAX_REPLIES_PER_HOUR",
        env_int("PALIER_MAIL_MAX_REPLIES_PER_HOUR", 5, minimum=0),
    )


def send_attempts() -> int:
    return _setting("PALIER_MAIL_SEND_ATTEMPTS", env_int("PALIER_MAIL_SEND_ATTEMPTS", 6, minimum=1))


SEND_LEASE_SECONDS = 600


def send_lease() -> dt.timedelta:
    """How long an attempt may go without writing its outcome before its mail is
    "perhaps sent" (outbound.py): far above an SMTP conversation's timeouts."""
    seconds = _setting(
        "PALIER_MAIL_SEND_LEASE_SECONDS",
        env_int("PALIER_MAIL_SEND_LEASE_SECONDS", SEND_LEASE_SECONDS, minimum=60),
    )
    return dt.timedelta(seconds=seconds)


def smtp() -> dict:
    return {
        "host": _setting("EMAIL_HOST", "localhost"),
        "port": _setting("EMAIL_PORT", 25),
        # Django defines these (empty) itself: the environment fills what settings leave empty.
        "user": _setting("EMAIL_HOST_USER", "") or env_str("PALIER_SMTP_USER"),
        "password": _setting("EMAIL_HOST_PASSWORD", "") or env_str("PALIER_SMTP_PASSWORD"),
        "starttls": _setting("EMAIL_USE_TLS", False) or env_bool("PALIER_SMTP_STARTTLS", False),
        "timeout": _setting("EMAIL_TIMEOUT", None) or 30,
    }


def outbox_dir() -> str:
    """Where mail is written as .eml files instead of being sent (the demo; empty: SMTP)."""
    return _setting("PALIER_MAIL_OUTBOX_DIR", env_str("PALIER_MAIL_OUTBOX_DIR", ""))


def vendor_name() -> str:
    return _setting("PALIER_VENDOR_NAME", "Palier")


def bounce_address() -> str:
    """The envelope sender: bounces come back here and are recorded on the ticket."""
    return _setting(
        "PALIER_MAIL_BOUNCE_ADDRESS", env_str("PALIER_MAIL_BOUNCE_ADDRESS", reply_address())
    )


def max_files() -> int:
    """Files attached from one mail; the others stay in the stored mail, and staff are told."""
    return _setting("PALIER_MAIL_MAX_FILES", env_int("PALIER_MAIL_MAX_FILES", 200, minimum=1))


def parse_seconds() -> float:
    """The time one mail's parts may take to read; the rest stays in the stored mail."""
    return _setting(
        "PALIER_MAIL_PARSE_SECONDS", env_int("PALIER_MAIL_PARSE_SECONDS", 10, minimum=0)
    )
